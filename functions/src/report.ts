import { reportRun } from "@idp-failover/orchestration/monthly-report-run";
import { deployment } from "../wiring/deployment.js";
import { scheduledRun } from "../wiring/idempotency.js";
import { createLogger, lambdaHandler } from "../wiring/observability.js";

/*
 * report: the monthly SLA report (CronV2 on the 1st, `{ scheduledAt }`; or invoked by hand with
 * `{ month: "2026-10" }`). Idempotent on the schedule's firing or the month asked for: Lambda's
 * retries of a failed run do not post a month twice (the use case also remembers what it posted).
 */

const logger = createLogger();
const { config, home, secret, redactor } = deployment();
const { aws, idempotency } = scheduledRun({ ...home, redactor }, "report", "[month, scheduledAt]");

export const handler = lambdaHandler({ logger, use: [idempotency] }, async (event: unknown) => {
  const warn = (message: string, detail: Record<string, unknown>) => logger.warn(message, detail);
  const { summary, result } = await reportRun(
    { config, aws, secret, redactor, clock: { now: Date.now } },
    event,
    warn,
  );
  logger.info("monthly report", {
    period: result.report.period,
    delivery: result.delivery,
    events: result.events,
  });
  // An idempotent handler returns a value: Middy runs the handler again when the stored result is undefined.
  return summary;
});
