import type { AvailabilityFigures, SlaReport } from "./report-schema.js";

/*
 * The report as one rectangular CSV (RFC 4180: comma, CRLF, quotes doubled) for spreadsheets. Each row
 * is one record, named in the first column: `group` (the sites of a tag together, `site` names the
 * tags as `tag:gold`), `login` (the site's login hostname), `provider` (the period), `region`, `day`,
 * `incident`. Columns a record does not use are empty.
 */

export const csvColumns = [
  "record",
  "site",
  "provider",
  "region",
  "date",
  "period_from",
  "period_to",
  "availability_pct",
  "downtime_minutes",
  "degraded_minutes",
  "down_seconds",
  "measured_minutes",
  "unknown_minutes",
  "no_data_minutes",
  "sla_target_pct",
  "sla_met",
  "error_budget_minutes",
  "budget_left_minutes",
  "credit_qualifies",
  "indicative_credit_pct",
  "vendor_reported_pct",
  "incident_id",
  "failover_to",
  "start",
  "end",
  "detection_seconds",
  "dns_change_seconds",
  "insync_seconds",
  "time_on_secondary_seconds",
  "failback_approval_wait_seconds",
  "approved_by",
  "login_downtime_seconds",
  "secondary_readiness_pct",
] as const;

type Column = (typeof csvColumns)[number];
type Row = Partial<Record<Column, string | number | boolean | null>>;

export function renderCsv(report: SlaReport): string {
  const rows: Row[] = [];
  const period = { period_from: report.period.from, period_to: report.period.to };
  if (report.group) {
    rows.push({
      record: "group",
      site: report.group.tags.map((tag) => `tag:${tag}`).join(" "),
      ...period,
      availability_pct: report.group.loginAvailabilityPct,
      measured_minutes: report.group.measuredMinutes,
      login_downtime_seconds: Math.round(report.group.loginDowntimeMinutes * 60 * 1000) / 1000,
    });
  }
  for (const site of report.sites) {
    rows.push({
      record: "login",
      site: site.site,
      ...period,
      availability_pct: site.loginAvailabilityPct,
      measured_minutes: site.measuredMinutes,
      login_downtime_seconds: site.loginDowntimeSeconds,
    });
    for (const p of site.providers) {
      const figures = (f: AvailabilityFigures) => ({
        availability_pct: f.availabilityPct,
        downtime_minutes: f.downtimeMinutes,
        degraded_minutes: f.degradedMinutes,
        down_seconds: f.downSeconds,
        measured_minutes: f.measuredMinutes,
        unknown_minutes: f.unknownMinutes,
        no_data_minutes: f.noDataMinutes,
      });
      rows.push({
        record: "provider",
        site: site.site,
        provider: p.id,
        ...period,
        ...figures(p),
        sla_target_pct: p.sla.targetPct,
        sla_met: p.sla.met,
        error_budget_minutes: p.sla.errorBudgetMinutes,
        budget_left_minutes: p.sla.budgetLeftMinutes,
        credit_qualifies: p.sla.serviceCredit.qualifies,
        indicative_credit_pct: p.sla.serviceCredit.indicativeCreditPct,
        vendor_reported_pct: p.vendorReported.scorePct,
      });
      for (const r of p.regions) {
        rows.push({
          record: "region",
          site: site.site,
          provider: p.id,
          region: r.region,
          ...period,
          ...figures(r),
        });
      }
      for (const d of p.daily) {
        rows.push({ record: "day", site: site.site, provider: p.id, date: d.date, ...figures(d) });
      }
    }
    for (const i of site.incidents) {
      rows.push({
        record: "incident",
        site: site.site,
        provider: i.provider,
        incident_id: i.id,
        failover_to: i.failoverTo,
        start: i.start,
        end: i.end,
        detection_seconds: i.detectionSeconds,
        dns_change_seconds: i.dnsChangeSeconds,
        insync_seconds: i.insyncSeconds,
        time_on_secondary_seconds: i.timeOnSecondarySeconds,
        failback_approval_wait_seconds: i.failbackApprovalWaitSeconds,
        approved_by: i.approvedBy,
        login_downtime_seconds: i.loginDowntimeSeconds,
        secondary_readiness_pct: i.secondaryReadinessPct,
      });
    }
  }
  const lines = [
    csvColumns.join(","),
    ...rows.map((row) => csvColumns.map((c) => csvCell(row[c])).join(",")),
  ];
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  // A leading = + - @ would be read as a formula by spreadsheets: quote it with a leading apostrophe.
  const safe = /^[=+\-@]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
