import { deliverDueNotifications } from "@idp-failover/slack";
import { deployment } from "../wiring/deployment.js";
import { notificationPorts } from "../wiring/home-ports.js";
import { createLogger, lambdaHandler } from "../wiring/observability.js";

/*
 * notify: delivers the notification outbox (Slack, signed webhooks, PagerDuty, Teams) every minute
 * and on the bus's domain events, so an alert goes out right after the transition that raised it.
 * Holds the Slack bot token, the webhook signing keys, the PagerDuty routing keys and the Teams
 * workflow URLs; the evaluator holds none of them. Not idempotent by middleware: the outbox records
 * each delivery, so a retried run sends only what is still due.
 */

const logger = createLogger();
let ports: ReturnType<typeof notificationPorts> | undefined;

export const handler = lambdaHandler({ logger }, async () => {
  ports ??= notificationPorts(deployment(), logger);
  const report = await deliverDueNotifications(ports);
  for (const r of report.results) if (r.outcome !== "delivered") logger.warn("delivery not done", { ...r });
});
