import { type Config, mergeOver, type Policy, parseConfig, worstRoundMs } from "@idp-failover/core";

/*
 * The drill's config: one site, `login.example.com`, Okta primary and Entra secondary, probed from
 * three regions with the real probe kinds, alerting to a Slack channel (approvers named), a PagerDuty
 * service and a Teams channel. The policy
 * is the drill's own: the production defaults with a shorter sustain, hold and flakiness window (so
 * a game day fits in minutes) and tighter probe budgets (the stand-ins are on this machine). Probe timeouts, latency
 * budgets and confirm delays are real milliseconds; every other duration runs on the drill's clock.
 */

export const drillSiteId = "example";
export const drillHostname = "login.example.com";
export const drillZoneId = "Z0DRILLEXAMPLE";
export const drillRegions = ["us-east-1", "us-west-2", "eu-west-1"] as const;
/** The Slack user the dashboard's Approve button (and --auto-approve) clicks as. */
export const drillApprover = "U0DRILLOPS";
export const drillChannel = "idp-failover";
export const drillChannelId = "C0IDPFAIL";

/** The production defaults, with a game day's sustain and hold, and loopback probe budgets. */
export const drillPolicy = {
  cadenceSeconds: 10,
  // Loopback answers take milliseconds, but a busy laptop can stretch a TLS handshake past half a
  // second: budgets this loose keep a loaded machine from looking like a slow IdP.
  probeTimeoutMs: 2000,
  slowMs: 1200,
  confirm: { retries: 1, delayMs: 100 },
  failure: { consecutiveRounds: 2, windowRounds: 6, failedRoundsInWindow: 3 },
  recovery: { consecutiveRounds: 3, sustainSeconds: 120 },
  // Flaky answers keep a provider degraded (never down) this long; 15 min in production.
  degraded: { windowSeconds: 180 },
  quorum: 2,
  // A round that runs into every timeout takes 4.1 s real, 41 s on a 10x clock: still fresh.
  staleAfterSeconds: 90,
  failback: { steps: [10, 50, 100], holdSeconds: 60 },
} as const;

export const drillSecretRefs = {
  okta: "OKTA_PROBE_CLIENT_SECRET",
  entra: "ENTRA_PROBE_CLIENT_SECRET",
  oktaReadiness: "OKTA_READINESS_TOKEN",
  entraReadiness: "ENTRA_READINESS_CLIENT_SECRET",
  slackBot: "SLACK_BOT_TOKEN",
  slackSigning: "SLACK_SIGNING_SECRET",
  pagerDutyRoutingKey: "PAGERDUTY_ROUTING_KEY",
  teamsWorkflowUrl: "TEAMS_WORKFLOW_URL",
};

export interface DrillIdps {
  okta: { issuer: string; samlMetadataUrl: string; clientId: string };
  entra: { url: string; tenantId: string; clientId: string };
  /** The probe regions' own canaries (a local stand-in: the drill has no internet to check). */
  canaries?: Array<{ name: string; url: string }>;
  /** The site's continuity readiness: its apps and the Entra readiness app (docs/readiness.md). */
  continuity?: { apps: Array<{ name: string; okta: string; entra: string }>; entraClientId: string };
}

export type PolicyOverrides = Record<string, unknown>;

/** The drill's config document, as a config file would hold it. */
export function drillConfigInput(idps: DrillIdps, policy: PolicyOverrides = {}): Record<string, unknown> {
  const okta = idps.okta.issuer;
  const entraIssuer = `${idps.entra.url}/${idps.entra.tenantId}/v2.0`;
  const entraBase = `${idps.entra.url}/${idps.entra.tenantId}`;
  return {
    version: 1,
    regions: [...drillRegions],
    policy: mergeOver<Record<string, unknown>>(drillPolicy, policy),
    ...(idps.canaries ? { monitor: { canaries: idps.canaries } } : {}),
    alerting: {
      slack: {
        channel: `#${drillChannel}`,
        approvers: { users: [drillApprover] },
        botTokenRef: drillSecretRefs.slackBot,
        signingSecretRef: drillSecretRefs.slackSigning,
      },
      // The on-call pager and the team's channel (docs/setup-pagerduty.md, docs/setup-teams.md).
      pagerduty: { routingKeyRef: drillSecretRefs.pagerDutyRoutingKey },
      teams: { webhookUrlRef: drillSecretRefs.teamsWorkflowUrl },
    },
    sites: [
      {
        id: drillSiteId,
        hostname: drillHostname,
        hostedZoneId: drillZoneId,
        recordType: "CNAME",
        ttl: 60,
        providers: [
          {
            id: "okta",
            kind: "okta",
            issuer: okta,
            dnsTarget: "example.customdomains.okta.com",
            // Every URL explicit, so each region's copy can reach the IdP through its own network path.
            probes: [
              { kind: "oidc-discovery", url: `${okta}/.well-known/openid-configuration` },
              { kind: "jwks", url: `${okta}/v1/keys` },
              {
                kind: "token",
                tokenUrl: `${okta}/v1/token`,
                clientId: idps.okta.clientId,
                clientSecretRef: drillSecretRefs.okta,
                scope: "idp_failover.probe",
                audience: "api://default",
              },
              { kind: "saml-metadata", url: idps.okta.samlMetadataUrl },
            ],
          },
          {
            id: "entra",
            kind: "entra",
            tenantId: idps.entra.tenantId,
            issuer: entraIssuer,
            dnsTarget: "example-login.azurefd.net",
            probes: [
              { kind: "oidc-discovery", url: `${entraIssuer}/.well-known/openid-configuration` },
              { kind: "jwks", url: `${entraBase}/discovery/v2.0/keys` },
              {
                kind: "token",
                tokenUrl: `${entraBase}/oauth2/v2.0/token`,
                clientId: idps.entra.clientId,
                clientSecretRef: drillSecretRefs.entra,
                scope: "api://idp-failover-probe/.default",
                clientAuth: "client_secret_post",
              },
              {
                kind: "graph-health",
                tenantId: idps.entra.tenantId,
                clientId: idps.entra.clientId,
                clientSecretRef: drillSecretRefs.entra,
                loginUrl: idps.entra.url,
                graphUrl: idps.entra.url,
              },
            ],
          },
        ],
        // The org URL comes from Okta's issuer, Entra's endpoints from the graph-health probe.
        ...(idps.continuity
          ? {
              continuity: {
                apps: idps.continuity.apps,
                okta: { auth: { mode: "token", tokenRef: drillSecretRefs.oktaReadiness } },
                entra: {
                  clientId: idps.continuity.entraClientId,
                  clientSecretRef: drillSecretRefs.entraReadiness,
                },
              },
            }
          : {}),
      },
    ],
  };
}

export class DrillConfigError extends Error {
  override name = "DrillConfigError";
}

export function drillConfig(idps: DrillIdps, policy: PolicyOverrides = {}): Config {
  const parsed = parseConfig(drillConfigInput(idps, policy));
  if (!parsed.ok) {
    throw new DrillConfigError(
      `the drill's policy is not valid: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.config;
}

/** Probe fields that are only addresses. */
const urlFields = ["url", "tokenUrl", "orgUrl", "loginUrl"] as const;

/**
 * The config as one region probes with it: every probe URL on one of `routes`' origins is sent to
 * that region's path instead. Names stay as they are: issuers are what the documents must carry,
 * and a Graph URL is also the resource its token is asked for (its audience), not only an address.
 */
export function rerouteProbes(config: Config, routes: ReadonlyMap<string, string>): Config {
  const reroute = (url: string): string => {
    for (const [from, to] of routes)
      if (url === from || url.startsWith(`${from}/`)) return to + url.slice(from.length);
    return url;
  };
  return {
    ...config,
    sites: config.sites.map((site) => ({
      ...site,
      providers: site.providers.map((provider) => ({
        ...provider,
        probes: provider.probes.map((probe) => {
          const copy: Record<string, unknown> = { ...probe };
          for (const field of urlFields) {
            const value = copy[field];
            if (typeof value === "string") copy[field] = reroute(value);
          }
          return copy as typeof probe;
        }),
      })),
    })),
  };
}

/**
 * The fastest clock the policy allows: a round that runs into every timeout (all attempts, the
 * confirm delays) must still take less than half the staleness limit on the drill's clock, or a
 * slow outage would look like silent regions (stale) instead of a down provider.
 */
export function maxSpeed(config: Config): number {
  return Math.floor((drillSitePolicy(config).staleAfterSeconds * 1000) / (2 * timedOutRoundMs(config)));
}

/** Real ms of a round whose probes run into every timeout: each attempt, and the confirm delays between. */
export function timedOutRoundMs(config: Config): number {
  return worstRoundMs(drillSitePolicy(config));
}

/** The policy the drill's site runs under (its own, merged over the deployment's). */
export function drillSitePolicy(config: Config): Policy {
  return config.sites[0]?.policy ?? config.policy;
}
