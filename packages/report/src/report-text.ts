import type { ProviderReport, SiteReport, SlaReport } from "./report-schema.js";
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
