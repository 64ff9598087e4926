import type {
  Config,
  DomainEvent,
  EventPublisher,
  JournalStore,
  MessageRefs,
  Provider,
  Site,
} from "@idp-failover/core";
import { reportFromStore } from "./build-report.js";
import { monthPeriod, previousMonth } from "./period.js";
import { renderHtml } from "./render-html.js";
import type { SlaReport } from "./report-schema.js";
import type { VendorAttainmentSource } from "./vendor-attainment.js";

/*
 * The scheduled monthly report (the report Lambda calls this): build last month's report for every
 * site, post a summary with the headline numbers and the HTML attached, and publish one
 * `report-published` event per site. Delivery and events are independent: a Slack outage does not
 * stop the events, and each outcome is returned as a value for the handler to log and map.
 */

export interface ReportAttachment {
  filename: string;
  title: string;
  content: string;
  mediaType: string;
}

export type DeliveryOutcome =
  | { kind: "delivered"; ref: Record<string, string> }
  /** `stage` says how far it got: a failed attachment leaves the summary posted (its ref says where). */
  | { kind: "failed"; stage: "summary" | "attachment"; message: string; ref?: Record<string, string> };

/** Where the monthly summary goes, with the full report attached (Slack in production). */
export interface ReportDelivery {
  deliver(report: SlaReport, attachment: ReportAttachment): Promise<DeliveryOutcome>;
}

export type EventsOutcome = { kind: "published"; count: number } | { kind: "failed"; message: string };

export interface MonthlyReportDeps {
  store: Pick<JournalStore, "listRollups" | "listIncidents">;
  config: Config;
  /** Epoch ms now (the handler's clock). */
  now: number;
  /** `YYYY-MM`; default the last whole month before `now`. */
  month?: string;
  delivery?: ReportDelivery;
  /**
   * Remembers a month's report once delivered, so a retried run (Lambda retries a failed
   * invocation) does not post the same summary twice.
   */
  deliveries?: MessageRefs;
  events?: EventPublisher;
  vendorSource?: (site: Site, provider: Provider) => VendorAttainmentSource | undefined;
}

export interface MonthlyReportResult {
  report: SlaReport;
  html: string;
  delivery?: DeliveryOutcome;
  events?: EventsOutcome;
}

/** Monthly reports cover every site: their delivery refs live under this deployment-wide key. */
export const reportsRefSite = "*reports*";

export async function sendMonthlyReport(deps: MonthlyReportDeps): Promise<MonthlyReportResult> {
  const month = deps.month ?? previousMonth(deps.now);
  const report = await reportFromStore(deps.store, deps.config, monthPeriod(month), {
    now: deps.now,
    ...(deps.vendorSource ? { vendorSource: deps.vendorSource } : {}),
  });
  const html = renderHtml(report);
  const result: MonthlyReportResult = { report, html };
  if (deps.delivery) {
    const key = `report:${month}`;
    const earlier = await deps.deliveries?.recall(reportsRefSite, key);
    if (earlier) {
      result.delivery = { kind: "delivered", ref: earlier };
    } else {
      result.delivery = await deliverSafely(deps.delivery, report, {
        filename: `idp-sla-report-${month}.html`,
        title: `Identity availability report ${month}`,
        content: html,
        mediaType: "text/html",
      });
      if (result.delivery.kind === "delivered")
        await deps.deliveries?.remember(reportsRefSite, key, result.delivery.ref);
    }
  }
  if (deps.events) {
    const events = reportEvents(report);
    try {
      await deps.events.publish(events);
      result.events = { kind: "published", count: events.length };
    } catch (error) {
      result.events = { kind: "failed", message: error instanceof Error ? error.message : String(error) };
    }
  }
  return result;
}

async function deliverSafely(
  delivery: ReportDelivery,
  report: SlaReport,
  attachment: ReportAttachment,
): Promise<DeliveryOutcome> {
  try {
    return await delivery.deliver(report, attachment);
  } catch (error) {
    return {
      kind: "failed",
      stage: "summary",
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** One `report-published` event per site, with the headline numbers; idempotent on site and period. */
export function reportEvents(report: SlaReport): DomainEvent[] {
  return report.sites.map((site) => ({
    type: "report-published",
    id: `report:${site.site}:${report.period.from}:${report.period.to}`,
    site: site.site,
    at: report.generatedAt,
    period: { from: report.period.from, to: report.period.to, label: report.period.label },
    loginAvailabilityPct: site.loginAvailabilityPct,
    providers: site.providers.map((p) => ({
      id: p.id,
      availabilityPct: p.availabilityPct,
      downtimeMinutes: p.downtimeMinutes,
      slaTargetPct: p.sla.targetPct,
      slaMet: p.sla.met,
      creditQualifies: p.sla.serviceCredit.qualifies,
    })),
    incidents: site.incidents.length,
  }));
}
