import { functionSizing } from "@idp-failover/core";
import { sizedFunction } from "./defaults";
import { homeBusPermission, homeTablePermission, route53Permissions } from "./iam";
import { secretsFor } from "./secrets";
import { type SiteConfig, secretRefs } from "./site-config";
import type { Storage } from "./storage";

/*
 * The Slack apps' interactivity endpoint (a Function URL in the home region: one Request URL for the
 * deployment's app and the sites' own), linked to their bot tokens and signing secrets only. An
 * approval moves weights, so it gets the same Route 53 permissions as the evaluator. No endpoint
 * when the config has no Slack.
 */
export function slack(site: SiteConfig, storage: Storage) {
  const { config } = site;
  const refs = secretRefs(config).slack;
  if (refs.length === 0) return undefined;
  const sizing = functionSizing(config);
  const interactions = sizedFunction("SlackInteractions", sizing.slackInteractions, {
    handler: "functions/src/slack-interactions.handler",
    description: "idp-failover Slack interactivity: Approve failback, Snooze, Stay on secondary",
    url: true,
    link: [storage.link, ...secretsFor(refs)],
    permissions: [homeTablePermission(storage), homeBusPermission(storage), ...route53Permissions(config)],
  });
  return { interactions, url: interactions.url };
}
