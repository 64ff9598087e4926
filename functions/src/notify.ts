import { deliverDueNotifications } from "@idp-failover/slack";
import { deployment } from "../wiring/deployment.js";
import { notificationPorts } from "../wiring/home-ports.js";
import { createLogger, createMetrics, lambdaHandler } from "../wiring/observability.js";
import { recordDeliveries } from "../wiring/telemetry.js";

/*
 * notify: delivers the notification outbox (Slack, signed webhooks, PagerDuty, Teams) every minute
 * and on the bus's domain events, so an alert goes out right after the transition that raised it.
 * Holds the Slack bot token, the webhook signing keys, the PagerDuty routing keys and the Teams
 * workflow URLs; the evaluator holds none of them. Not idempotent by middleware: the outbox records
 * each delivery, so a retried run sends only what is still due.
 */

const logger = createLogger();
const metrics = createMetrics(logger);
let ports: ReturnType<typeof notificationPorts> | undefined;

export const handler = lambdaHandler({ logger, metrics }, async () => {
  ports ??= notificationPorts(deployment(), logger);
  recordDeliveries(await deliverDueNotifications(ports), logger, metrics);
});
