import { functionSizing } from "@idp-failover/core";
import { functionDefaults, tableActions } from "./defaults";
import { route53Permissions } from "./iam";
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
  const interactions = new sst.aws.Function("SlackInteractions", {
    ...functionDefaults,
    handler: "functions/src/slack-interactions.handler",
    description: "idp-failover Slack interactivity: Approve failback, Snooze, Stay on secondary",
    memory: `${sizing.slackInteractions.memoryMb} MB`,
    timeout: `${sizing.slackInteractions.timeoutSeconds} seconds`,
    url: true,
    link: [storage.link, ...secretsFor(refs)],
    permissions: [
      {
        actions: tableActions,
        resources: [storage.home.tableArn, $interpolate`${storage.home.tableArn}/index/*`],
      },
      { actions: ["events:PutEvents"], resources: [storage.home.eventBusArn] },
      ...route53Permissions(config),
    ],
  });
  return { interactions, url: interactions.url };
}
