import { createAwsAdapters } from "@idp-failover/aws";
import { createSlackClient, deliverDueNotifications, webhookEndpoints } from "@idp-failover/slack";
import { deployment } from "../wiring/deployment.js";
import { createLogger } from "../wiring/observability.js";

/*
 * notify: delivers the notification outbox (Slack, signed webhooks) on a one-minute schedule and on
 * the bus's domain events, so an alert goes out right after the transition that raised it. Holds the
 * Slack bot token and the webhook signing keys; the evaluator holds neither.
 */

const logger = createLogger();
let wired: ReturnType<typeof wire> | undefined;

function wire() {
  const { config, home, secret } = deployment();
  const aws = createAwsAdapters(home);
  const token = config.alerting.slack ? secret(config.alerting.slack.botTokenRef) : undefined;
  const { endpoints, missing } = webhookEndpoints(config, secret);
  if (missing.length > 0) logger.warn("webhook secrets not linked; their deliveries wait", { missing });
  return { config, aws, slack: token ? createSlackClient(token) : undefined, endpoints };
}

export async function handler(): Promise<void> {
  wired ??= wire();
  const { config, aws, slack, endpoints } = wired;
  const report = await deliverDueNotifications({
    config,
    outbox: aws.outbox,
    refs: aws.messageRefs,
    clock: { now: Date.now },
    ...(slack ? { slack } : {}),
    webhooks: endpoints,
    log: (entry) => logger.info("delivery", entry),
  });
  for (const r of report.results) if (r.outcome !== "delivered") logger.warn("delivery not done", { ...r });
}
