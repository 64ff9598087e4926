import type { Config } from "@idp-failover/core";
import { createSlackClient, type WebhookEndpoint, webhookEndpoints } from "@idp-failover/slack";

/*
 * The channels notifications are delivered on, from the config and the secrets a runtime can read
 * (SST links in a Lambda, the environment for `idpctl run`): the Slack bot's client when its token
 * is there, and each webhook whose signing secret is there. What is missing is said, never skipped:
 * its deliveries wait in the outbox until the secret is set (a webhook is never called unsigned).
 */

export type SlackClient = ReturnType<typeof createSlackClient>;

export interface DeliveryChannels {
  slack?: SlackClient;
  webhooks: WebhookEndpoint[];
  /** Secret references not set, each with what waits for it. */
  missing: Array<{ ref: string; waits: string }>;
}

export function deliveryChannels(
  config: Config,
  secret: (ref: string) => string | undefined,
  options: { slackApiUrl?: string; slackTimeoutMs?: number } = {},
): DeliveryChannels {
  const missing: DeliveryChannels["missing"] = [];
  const slackConfig = config.alerting.slack;
  const token = slackConfig ? secret(slackConfig.botTokenRef) : undefined;
  if (slackConfig && !token) missing.push({ ref: slackConfig.botTokenRef, waits: "Slack messages" });
  const hooks = webhookEndpoints(config, secret);
  for (const name of hooks.missing) {
    const ref = config.alerting.webhooks.find((w) => w.name === name)?.secretRef ?? name;
    missing.push({ ref, waits: `webhook ${name}` });
  }
  const slack = token
    ? createSlackClient(token, {
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        ...(options.slackTimeoutMs ? { timeoutMs: options.slackTimeoutMs } : {}),
      })
    : undefined;
  return { ...(slack ? { slack } : {}), webhooks: hooks.endpoints, missing };
}
