import { formatReadinessPct } from "@idp-failover/core";
import type { ProviderReport, SiteReport, SlaReport } from "./report-schema.js";
import { creditText, groupText, headline, periodTitle, slaText, vendorText } from "./report-text.js";
import { approverText, minutesText, pctText, secondsText, timeText } from "./text-format.js";

/*
 * The report as Markdown: headline per site, provider table with SLA and credit, regions, incidents,
 * and how the numbers were computed. Tables only use characters GitHub and Slack both render.
 */

export function renderMarkdown(report: SlaReport): string {
  const lines: string[] = [];
  lines.push(`# Identity availability report: ${periodTitle(report)}`);
  lines.push("");
  lines.push(
    `Period ${report.period.from} to ${report.period.to} (${report.period.days} UTC day(s)). ` +
      `Generated ${timeText(report.generatedAt)}.`,
  );
  if (report.sites.length === 0) lines.push("", "No sites.");
  if (report.group) {
    const group = groupText(report, report.group);
    lines.push("", `## ${group.title}`, "", `**${group.headline}**`, "");
    lines.push(table(group.columns, group.rows));
  }
  for (const site of report.sites) lines.push("", ...siteSection(site));
  lines.push("", "## How these figures are computed", "");
  for (const text of Object.values(report.method)) lines.push(`- ${text}.`);
  lines.push(...vendorTermsSection(report));
  return `${lines.join("\n")}\n`;
}

function siteSection(site: SiteReport): string[] {
  const lines = [`## ${site.site}: ${site.hostname}`, "", `**${headline(site)}**`, ""];
  lines.push(
    table(
      [
        "Provider",
        "Role",
        "Availability",
        "Downtime",
        "Degraded",
        "Unknown / no data",
        "SLA",
        "Budget left",
        "Service credit",
        "Vendor-reported",
      ],
      site.providers.map((p) => [
        p.id,
        p.role,
        pctText(p.availabilityPct),
        minutesText(p.downtimeMinutes),
        minutesText(p.degradedMinutes),
        `${minutesText(p.unknownMinutes)} / ${minutesText(p.noDataMinutes)}`,
        slaText(p),
        minutesText(p.sla.budgetLeftMinutes),
        creditText(p),
        vendorText(p),
      ]),
    ),
  );
  lines.push("", "### By region", "");
  const regions = site.providers[0]?.regions.map((r) => r.region) ?? [];
  lines.push(
    table(
      ["Region", ...site.providers.map((p) => p.id)],
      regions.map((region) => [
        region,
        ...site.providers.map((p) => {
          const r = p.regions.find((x) => x.region === region);
          return r ? `${pctText(r.availabilityPct)} (${minutesText(r.downtimeMinutes)} down)` : "no data";
        }),
      ]),
    ),
  );
  lines.push("", "### Incidents", "");
  if (site.incidents.length === 0) lines.push("None.");
  else {
    lines.push(
      table(
        [
          "Start",
          "Provider",
          "Detected after",
          "DNS change after",
          "INSYNC after",
          "On secondary",
          "Failback approval wait",
          "Approved by",
          "End",
          "Login down",
        ],
        site.incidents.map((i) => [
          `${timeText(i.start)}${i.startedBeforePeriod ? " (before period)" : ""}`,
          i.failoverTo
            ? `${i.provider} -> ${i.failoverTo}${i.secondaryReadinessPct === null ? "" : ` (${formatReadinessPct(i.secondaryReadinessPct)} ready)`}`
            : i.provider,
          secondsText(i.detectionSeconds),
          secondsText(i.dnsChangeSeconds),
          secondsText(i.insyncSeconds),
          secondsText(i.timeOnSecondarySeconds),
          secondsText(i.failbackApprovalWaitSeconds),
          approverText(i.approvedBy),
          i.ongoing ? "ongoing" : `${timeText(i.end)}${i.endsAfterPeriod ? " (after period)" : ""}`,
          secondsText(i.loginDowntimeSeconds),
        ]),
      ),
    );
  }
  return lines;
}

function vendorTermsSection(report: SlaReport): string[] {
  const seen = new Map<string, ProviderReport["sla"]["serviceCredit"]>();
  for (const site of report.sites)
    for (const p of site.providers) seen.set(p.sla.serviceCredit.vendor, p.sla.serviceCredit);
  const lines: string[] = [];
  for (const [vendor, credit] of seen) {
    const tiers = credit.tiers.map((t) => `below ${t.belowPct}%: ${t.creditPct}%`).join("; ");
    lines.push(
      `- ${vendor}: downtime is ${credit.downtimeDefinition}; monthly percentage = ${credit.formula}.` +
        `${tiers ? ` Indicative credits: ${tiers}.` : ""} (${credit.source}.)`,
    );
  }
  return lines;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}
