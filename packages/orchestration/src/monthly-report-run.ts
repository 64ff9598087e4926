import type { AwsAdapters } from "@idp-failover/aws";
import type { Clock, Config, Provider } from "@idp-failover/core";
import type { Redactor } from "@idp-failover/core/redaction";
import * as z from "@idp-failover/core/zod-mini";
import {
  entraAttainmentSourceFor,
  type MonthlyReportResult,
  previousMonth,
  SlackReportDelivery,
  sendMonthlyReport,
  type VendorAttainmentSource,
} from "@idp-failover/report";
import { deliveryChannels } from "./delivery-channels.js";

/*
 * The monthly SLA report run (the report function, on the 1st): last month's report per site,
 * posted to Slack with the HTML attached, one `report-published` event per site on the bus, and
 * Microsoft's own attainment figure for Entra providers through the graph-health probe's app.
 * Delivery and events fail independently and come back as values; a retried run re-posts nothing
 * already delivered, and events carry ids consumers deduplicate on.
 */

export interface MonthlyReportRunDeps {
  config: Config;
  aws: Pick<AwsAdapters, "store" | "messageRefs" | "events">;
  secret: (ref: string) => string | undefined;
  clock: Clock;
  /** Removes the runtime's secrets from what is posted to Slack (the report's summary and file). */
  redactor?: Redactor;
}

export class ReportDeliveryError extends Error {
  override name = "ReportDeliveryError";
}

/** `month`: `YYYY-MM` (default the last whole month before `now`). */
export async function runMonthlyReport(
  deps: MonthlyReportRunDeps,
  month?: string,
): Promise<MonthlyReportResult> {
  const { config, aws, secret } = deps;
  // The HTML upload is a few hundred KB: give it longer than an alert's 5 s.
  const { slack } = deliveryChannels(config, secret, {
    slackTimeoutMs: 30_000,
    ...(deps.redactor ? { redactor: deps.redactor } : {}),
  });
  const channel = config.alerting.slack?.channel;
  const vendors = new Map<string, VendorAttainmentSource>();
  return sendMonthlyReport({
    store: aws.store,
    config,
    now: deps.clock.now(),
    ...(month ? { month } : {}),
    ...(slack && channel
      ? { delivery: new SlackReportDelivery({ client: slack, channel }), deliveries: aws.messageRefs }
      : {}),
    events: aws.events,
    vendorSource: (_site, provider: Provider) =>
      entraAttainmentSourceFor(provider, secret, { cache: vendors, clock: deps.clock }),
  });
}

/** Throws when the summary or the events did not all go out, so Lambda retries the run. */
export function requireDelivered(result: MonthlyReportResult): void {
  if (result.delivery?.kind === "failed" || result.events?.kind === "failed")
    throw new ReportDeliveryError("the monthly report was not fully delivered");
}

/**
 * What starts a report run: the schedule (`scheduledAt`, EventBridge Scheduler's
 * `<aws.scheduler.scheduled-time>`) or an operator's invocation naming a `month` (`YYYY-MM`).
 */
export const reportRunEventSchema = z.object({
  month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "a month like 2026-10" }))),
  scheduledAt: z.optional(z.iso.datetime()),
});

/** The month a report run asks for: the one given, else the month before the schedule fired (else undefined: the last whole month). */
export function reportMonth(event: z.infer<typeof reportRunEventSchema>): string | undefined {
  if (event.month) return event.month;
  if (!event.scheduledAt) return undefined;
  return previousMonth(Date.parse(event.scheduledAt));
}

/** What a report run did, small and serialisable (the idempotency record stores it). */
export interface ReportRunSummary {
  /** The report's period: `YYYY-MM`. */
  period: string;
  delivery: "delivered" | "failed" | "off";
  events: "published" | "failed" | "off";
}

/**
 * The report function's use case: the month its event asks for (an event it does not understand
 * reports the last whole month, and says so), the run, and a throw when delivery was partial.
 */
export async function reportRun(
  deps: MonthlyReportRunDeps,
  event: unknown,
  warn: (message: string, detail: Record<string, unknown>) => void,
): Promise<{ summary: ReportRunSummary; result: MonthlyReportResult }> {
  const asked = reportRunEventSchema.safeParse(event ?? {});
  if (!asked.success) warn("report event not understood: reporting the last whole month", { event });
  const result = await runMonthlyReport(deps, asked.success ? reportMonth(asked.data) : undefined);
  requireDelivered(result);
  const summary: ReportRunSummary = {
    period: result.report.period.label,
    delivery: result.delivery?.kind ?? "off",
    events: result.events?.kind ?? "off",
  };
  return { summary, result };
}
