import type { GroupSummary, ProviderReport, SiteReport, SlaReport } from "./report-schema.js";
import { minutesText, pctText } from "./text-format.js";

/* The sentences every human format shares: the title, the headline, SLA and credit in words. */

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export function periodTitle(report: SlaReport): string {
  const month = report.period.month;
  if (!month) return report.period.label;
  const [year, m] = month.split("-");
  return `${monthNames[Number(m) - 1] ?? m} ${year} (UTC)`;
}

/** A group of sites in words, for each renderer: its title, its headline, and a table of its sites. */
export function groupText(
  report: SlaReport,
  group: GroupSummary,
): { title: string; headline: string; columns: readonly string[]; rows: string[][] } {
  return {
    title: groupTitle(group),
    headline: groupHeadline(group),
    columns: groupColumns,
    rows: groupRows(report),
  };
}

/** The title of a group of sites chosen by tag. */
function groupTitle(group: GroupSummary): string {
  return `Sites tagged ${group.tags.join(" and ")}: ${group.sites}`;
}

/** One sentence for a group of sites: their login hostnames together, the worst one, what failover saved. */
function groupHeadline(group: GroupSummary): string {
  if (group.loginAvailabilityPct === null)
    return `No measurements for these ${group.sites} site(s) in this period.`;
  const worst = group.worstSite
    ? ` The worst: ${group.worstSite.site} at ${pctText(group.worstSite.loginAvailabilityPct)}.`
    : "";
  const below =
    group.primaryBelowSla.length > 0 ? ` Primary below its SLA at: ${group.primaryBelowSla.join(", ")}.` : "";
  return (
    `Sign-in was available ${pctText(group.loginAvailabilityPct)} over the ${group.sites} site(s) ` +
    `(down ${minutesText(group.loginDowntimeMinutes)} in ${minutesText(group.measuredMinutes)} measured), ` +
    `${group.incidents} incident(s); failover kept sign-in up for ${minutesText(group.failoverSavedMinutes)}.${worst}${below}`
  );
}

/** One row a site of a group: site, login availability, primary availability, login downtime, saved, incidents. */
function groupRows(report: SlaReport): string[][] {
  return report.sites.map((site) => [
    site.site,
    pctText(site.loginAvailabilityPct),
    pctText(site.primaryAvailabilityPct),
    minutesText(site.loginDowntimeMinutes),
    minutesText(site.failoverSavedMinutes ?? 0),
    String(site.incidents.length),
  ]);
}

const groupColumns = [
  "Site",
  "Sign-in availability",
  "Primary availability",
  "Sign-in downtime",
  "Failover saved",
  "Incidents",
];

/** One sentence: login availability against the primary's, and what failover saved. */
export function headline(site: SiteReport): string {
  const primary = site.providers[0];
  if (!primary || site.loginAvailabilityPct === null) {
    return `No measurements for ${site.hostname} in this period.`;
  }
  return (
    `${site.hostname} was available ${pctText(site.loginAvailabilityPct)} ` +
    `(down ${minutesText(site.loginDowntimeMinutes)}); ${primary.id} (primary) was available ` +
    `${pctText(primary.availabilityPct)} (down ${minutesText(primary.downtimeMinutes)}): ${failoverText(site)}.`
  );
}

/** What failover did about the primary's downtime, in words. */
export function failoverText(site: SiteReport): string {
  const saved = site.failoverSavedMinutes ?? 0;
  if (saved > 0) return `failover kept sign-in up for ${minutesText(saved)} of it`;
  if ((site.providers[0]?.downtimeMinutes ?? 0) > 0) return "failover could not avoid any of it";
  return "failover had nothing to save";
}

export function slaText(provider: ProviderReport): string {
  const { sla } = provider;
  if (sla.met === null) return "no data";
  return sla.met ? `met (${sla.targetPct}%)` : `missed (${sla.targetPct}%)`;
}

export function creditText(provider: ProviderReport): string {
  const credit = provider.sla.serviceCredit;
  if (credit.qualifies === null) return "no data";
  if (!credit.qualifies) return "no";
  return credit.indicativeCreditPct ? `yes (indicative ${credit.indicativeCreditPct}%)` : "yes";
}

export function vendorText(provider: ProviderReport): string {
  const v = provider.vendorReported;
  if (v.status === "reported" && v.scorePct !== null) return `${v.scorePct}% (${v.vendor}-reported)`;
  if (v.status === "not-available") return `not available: ${v.reason ?? ""}`;
  return "n/a";
}
