import { type Config, notificationTargets, type SlackAlerting } from "@idp-failover/core";
import type { Redactor } from "@idp-failover/core/redaction";
import {
  createSlackClient,
  type PagerDutyEndpoint,
  pagerDutyEndpoints,
  type TeamsEndpoint,
  teamsEndpoints,
  type WebhookEndpoint,
  webhookEndpoints,
} from "@idp-failover/slack";

/*
 * The channels notifications are delivered on, from the config and the secrets a runtime can read
 * (SST links in a Lambda, the environment for `idpctl run`): a Slack bot per app whose token is there
 * (the deployment's, and each site's own), and each webhook whose signing secret is there. What is
 * missing is said, never skipped: its deliveries wait in the outbox until the secret is set (a
 * webhook is never called unsigned).
 */

export type SlackClient = ReturnType<typeof createSlackClient>;

export interface DeliveryChannels {
  /** The deployment's bot (`alerting.slack`), when its token is set: the monthly report posts with it. */
  slack?: SlackClient;
  /** Every Slack bot whose token is set, by token reference: the deployment's and the sites' own apps. */
  slackBots: Map<string, SlackClient>;
  webhooks: WebhookEndpoint[];
  /** PagerDuty integrations whose routing key is set. */
  pagerduty: PagerDutyEndpoint[];
  /** Teams workflows whose URL is set. */
  teams: TeamsEndpoint[];
  /** Secret references not set (or, with `problem`, set to a value that cannot be used), each with what waits for it. */
  missing: Array<{ ref: string; waits: string; problem?: string }>;
}

export function deliveryChannels(
  config: Config,
  secret: (ref: string) => string | undefined,
  options: { slackApiUrl?: string; slackTimeoutMs?: number; redactor?: Redactor } = {},
): DeliveryChannels {
  const missing: DeliveryChannels["missing"] = [];
  const slackBots = new Map<string, SlackClient>();
  for (const [ref, channels] of slackApps(config, (s) => s.botTokenRef)) {
    const token = secret(ref);
    if (!token) {
      missing.push({ ref, waits: `Slack messages to ${listed(channels)}` });
      continue;
    }
    slackBots.set(
      ref,
      createSlackClient(token, {
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        ...(options.slackTimeoutMs ? { timeoutMs: options.slackTimeoutMs } : {}),
        ...(options.redactor ? { redactor: options.redactor } : {}),
      }),
    );
  }
  const hooks = webhookEndpoints(config, secret);
  for (const { channel, secretRef, problem } of hooks.missing) {
    missing.push({
      ref: secretRef,
      waits: `webhook ${channel.replace(/^webhook:/, "")}`,
      ...(problem ? { problem } : {}),
    });
  }
  const pagerduty = pagerDutyEndpoints(config, secret);
  for (const { channel, secretRef } of pagerduty.missing) {
    missing.push({ ref: secretRef, waits: `PagerDuty events on ${channel}` });
  }
  const teams = teamsEndpoints(config, secret);
  for (const { channel, secretRef, problem } of teams.missing) {
    missing.push({
      ref: secretRef,
      waits: `Teams cards on ${channel}${problem ? ` (its value ${problem})` : ""}`,
    });
  }
  const deploymentRef = config.alerting.slack?.botTokenRef;
  const slack = deploymentRef === undefined ? undefined : slackBots.get(deploymentRef);
  return {
    ...(slack ? { slack } : {}),
    slackBots,
    webhooks: hooks.endpoints,
    pagerduty: pagerduty.endpoints,
    teams: teams.endpoints,
    missing,
  };
}

/**
 * The signing secrets of the Slack apps the interactivity endpoint serves (one Request URL for every
 * app: the deployment's and the sites' own), by reference, and the references not set.
 */
export function slackSigningSecrets(
  config: Config,
  secret: (ref: string) => string | undefined,
): { secrets: Map<string, string>; missing: string[] } {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const ref of slackApps(config, (s) => s.signingSecretRef).keys()) {
    const value = secret(ref);
    if (value) secrets.set(ref, value);
    else missing.push(ref);
  }
  return { secrets, missing };
}

/** The Slack apps of a deployment by one of their secret references, with the channels each posts to. */
function slackApps(config: Config, refOf: (slack: SlackAlerting) => string): Map<string, string[]> {
  const apps = new Map<string, string[]>();
  for (const target of notificationTargets(config)) {
    if (target.kind !== "slack") continue;
    const ref = refOf(target.slack);
    apps.set(ref, [...(apps.get(ref) ?? []), target.slack.channel]);
  }
  return apps;
}

function listed(channels: readonly string[]): string {
  const unique = [...new Set(channels)];
  return unique.length <= 3
    ? unique.join(", ")
    : `${unique.slice(0, 3).join(", ")} and ${unique.length - 3} more`;
}
