import { resolve } from "node:path";
import { type Config, notificationTargets } from "@idp-failover/core";
import { ConfigFileError, loadConfigFile } from "@idp-failover/orchestration/config-file";

/*
 * The stacks are driven by the same config file `idpctl validate` checks: its regions, sites and
 * zones decide what is deployed, and the document itself is linked into the functions (they parse it
 * again at cold start with the same schema). A config with problems stops the deploy with every one.
 * The file is `IDP_FAILOVER_CONFIG`, or `idp-failover.yaml` next to sst.config.ts.
 */

export interface SiteConfig {
  file: string;
  /** The document as written (YAML parsed), linked into the functions. */
  document: unknown;
  config: Config;
}

export class SiteConfigError extends Error {
  override name = "SiteConfigError";
}

export function loadSiteConfig(env: Record<string, string | undefined> = process.env): SiteConfig {
  const file = resolve(env.IDP_FAILOVER_CONFIG ?? "idp-failover.yaml");
  try {
    const { document, config } = loadConfigFile(file);
    return { file, document, config };
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    const hint =
      error.issues.length === 0 && error.message.startsWith("cannot read")
        ? ": set IDP_FAILOVER_CONFIG or create idp-failover.yaml (start from examples/okta-entra.yaml; check it with `npx idpctl validate --config FILE`)"
        : "";
    throw new SiteConfigError(`${error.message}${hint}`, { cause: error });
  }
}

/** A component name part from a region or an id of the config: us-east-1 -> UsEast1, acme-eu -> AcmeEu. */
export function componentName(part: string): string {
  return part
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** Physical names: the config's own name in the prod stage (what idpctl defaults to), suffixed elsewhere. */
export function physicalName(base: string, stage: string): string {
  return stage === "prod" ? base : `${base}-${stage}`;
}

/** Every secret reference the config makes, by what needs it. */
export function secretRefs(config: Config): {
  probe: string[];
  /** Every Slack app's bot token and signing secret, the deployment's first (the interactions endpoint). */
  slack: string[];
  /** Every Slack app's bot token (notify posts each site's messages with its own app's bot). */
  slackBots: string[];
  /** The deployment's own bot token, if any (the monthly report posts with it). */
  deploymentSlackBot: string[];
  webhooks: string[];
  /** PagerDuty routing keys and Teams workflow URLs: notify sends with them. */
  vendorChannels: string[];
  readiness: string[];
} {
  const probe = new Set<string>();
  for (const site of config.sites) {
    for (const provider of site.providers) {
      for (const spec of provider.probes) {
        if ("clientSecretRef" in spec) probe.add(spec.clientSecretRef);
        if (spec.kind === "okta-api") {
          probe.add(spec.auth.mode === "token" ? spec.auth.tokenRef : spec.auth.privateKeyRef);
        }
      }
    }
  }
  const targets = notificationTargets(config);
  const apps = targets.flatMap((t) => (t.kind === "slack" ? [t.slack] : []));
  const deploymentSlack = config.alerting.slack;
  return {
    probe: [...probe].sort(),
    slack: [...new Set(apps.flatMap((app) => [app.botTokenRef, app.signingSecretRef]))],
    slackBots: [...new Set(apps.map((app) => app.botTokenRef))],
    deploymentSlackBot: deploymentSlack ? [deploymentSlack.botTokenRef] : [],
    webhooks: [
      ...new Set(targets.flatMap((t) => (t.kind === "webhook" ? [t.webhook.secretRef] : []))),
    ].sort(),
    vendorChannels: [
      ...new Set(
        targets.flatMap((t) =>
          t.kind === "pagerduty"
            ? [t.pagerduty.routingKeyRef]
            : t.kind === "teams"
              ? [t.teams.webhookUrlRef]
              : [],
        ),
      ),
    ].sort(),
    // The readiness app's own credentials: read scopes the probes must not carry.
    readiness: [
      ...new Set(
        config.sites.flatMap((site) =>
          site.continuity
            ? [
                site.continuity.okta.auth.mode === "token"
                  ? site.continuity.okta.auth.tokenRef
                  : site.continuity.okta.auth.privateKeyRef,
                site.continuity.entra.clientSecretRef,
              ]
            : [],
        ),
      ),
    ].sort(),
  };
}
