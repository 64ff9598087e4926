import { formatReadinessPct } from "@idp-failover/core";
import type { GroupSummary, IncidentReport, ProviderReport, SiteReport, SlaReport } from "./report-schema.js";
import { creditText, failoverText, groupText, headline, periodTitle, slaText } from "./report-text.js";
import {
  dailyAvailabilityChart,
  escapeXml as esc,
  incidentTimelineChart,
  palette,
  regionHeatmapChart,
} from "./svg-charts.js";
import { approverText, minutesText, pctText, secondsText, timeText } from "./text-format.js";

/*
 * The report as one self-contained HTML page for an identity lead to forward: a headline per site
 * (login availability against the primary's, SLA met or missed, credit eligibility), then daily
 * availability, the incident timeline with each incident's stages, the region x provider heatmap,
 * the SLA table, and how the figures were computed. No script, no external asset (a CSP forbids
 * them), print-friendly (A4, no page breaks inside a block, colours kept).
 */

export function renderHtml(report: SlaReport): string {
  const title = `Identity availability report: ${periodTitle(report)}`;
  const body =
    report.sites.length === 0
      ? `<p class="muted">No sites.</p>`
      : report.sites.map((s) => siteSection(report, s)).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${styles}</style>
</head>
<body>
<header class="masthead">
  <div class="eyebrow">Identity availability report</div>
  <h1>${esc(periodTitle(report))}</h1>
  <div class="muted">${esc(report.period.from)} to ${esc(report.period.to)} &middot; ${report.period.days} UTC day(s) &middot; generated ${esc(timeText(report.generatedAt))}</div>
</header>
${report.group ? groupSection(report, report.group) : ""}
${body}
${methodSection(report)}
</body>
</html>
`;
}

function siteSection(report: SlaReport, site: SiteReport): string {
  return `<section class="site">
<h2>${esc(site.hostname)} <span class="muted small">site ${esc(site.site)}</span></h2>
<p class="lede">${esc(headline(site))}</p>
${headlineCards(site)}
${verdictStrip(site)}
<h3>Daily availability</h3>
<div class="chart">${dailyAvailabilityChart(site)}</div>
${legend([
  [palette.up, "no downtime"],
  [palette.down, "downtime (minutes above the bar)"],
  [palette.unknown, "unknown or no data (not counted)"],
])}
<h3>Incidents</h3>
<div class="chart">${incidentTimelineChart(site, report)}</div>
${site.incidents.map((i) => incidentCard(site, i)).join("")}
<h3>Availability by region</h3>
<p class="muted small">What each probe region saw. The provider figures above use the global verdict, which needs a quorum of regions to call a provider down.</p>
<div class="chart heatmap">${regionHeatmapChart(site)}</div>
<h3>SLA and service credits</h3>
${slaTable(site)}
</section>`;
}

function headlineCards(site: SiteReport): string {
  const primary = site.providers[0];
  const saved = site.failoverSavedMinutes;
  const incidents = site.incidents.length;
  const firstFailover = site.incidents.find((i) => i.insyncSeconds !== null);
  return `<div class="cards">
  <div class="card hero">
    <div class="card-label">Sign-in availability &middot; ${esc(site.hostname)}</div>
    <div class="big">${esc(pctText(site.loginAvailabilityPct))}</div>
    <div class="muted">down ${esc(minutesText(site.loginDowntimeMinutes))} in ${esc(minutesText(site.measuredMinutes))} measured</div>
  </div>
  <div class="card">
    <div class="card-label">${esc(primary?.id ?? "primary")} (primary) on its own</div>
    <div class="big">${esc(pctText(primary?.availabilityPct ?? null))}</div>
    <div class="muted">down ${esc(minutesText(primary?.downtimeMinutes ?? 0))} &middot; SLA ${esc(primary ? slaText(primary) : "-")}</div>
  </div>
  <div class="card">
    <div class="card-label">What failover bought</div>
    <div class="big">${saved !== null && saved > 0 ? esc(minutesText(saved)) : "&ndash;"}</div>
    <div class="muted">${
      saved !== null && saved > 0
        ? `of sign-in downtime avoided; ${incidents} incident(s)${firstFailover ? `, DNS in sync ${esc(secondsText(firstFailover.insyncSeconds))} after onset` : ""}`
        : `${incidents} incident(s); ${esc(failoverText(site))}`
    }</div>
  </div>
</div>`;
}

function verdictStrip(site: SiteReport): string {
  const items = site.providers.map((p) => {
    const state = p.sla.met === null ? "unknown" : p.sla.met ? "met" : "missed";
    const credit = p.sla.serviceCredit.qualifies
      ? ` &middot; qualifies for a service credit${p.sla.serviceCredit.indicativeCreditPct ? ` (indicative ${p.sla.serviceCredit.indicativeCreditPct}%)` : ""}`
      : "";
    const text =
      state === "unknown"
        ? `${esc(p.id)}: no data`
        : `${esc(p.id)} ${state} its ${p.sla.targetPct}% SLA${credit}`;
    return `<li class="pill ${state}">${text}</li>`;
  });
  return `<ul class="verdicts">${items.join("")}</ul>`;
}

/** One incident's stages as a strip of steps: what happened, how long each took. */
function incidentCard(site: SiteReport, i: IncidentReport): string {
  const steps: Array<[string, string]> = [
    ["Onset", timeText(i.start)],
    ["Detected", `+${secondsText(i.detectionSeconds)}`],
  ];
  if (i.dnsChangeSeconds !== null) steps.push(["DNS change", `+${secondsText(i.dnsChangeSeconds)}`]);
  if (i.insyncSeconds !== null) steps.push(["INSYNC", `+${secondsText(i.insyncSeconds)}`]);
  if (i.insyncSeconds !== null)
    steps.push(["Sign-in restored", `+${secondsText(i.insyncSeconds + site.ttlSeconds)} (INSYNC + TTL)`]);
  if (i.secondaryReadinessPct !== null)
    steps.push([`${i.failoverTo ?? "Secondary"} readiness`, formatReadinessPct(i.secondaryReadinessPct)]);
  if (i.timeOnSecondarySeconds !== null)
    steps.push([`On ${i.failoverTo ?? "secondary"}`, secondsText(i.timeOnSecondarySeconds)]);
  if (i.failbackApprovalWaitSeconds !== null)
    steps.push([
      "Failback approval",
      `${secondsText(i.failbackApprovalWaitSeconds)} wait, ${approverText(i.approvedBy)}`,
    ]);
  if (i.failbackSeconds !== null) steps.push(["Failback", secondsText(i.failbackSeconds)]);
  steps.push(["End", i.ongoing ? "ongoing" : timeText(i.end)]);
  const flags = [
    i.startedBeforePeriod ? "began before this period" : "",
    i.endsAfterPeriod ? "continues after this period" : "",
  ].filter(Boolean);
  return `<div class="incident">
  <div class="incident-head"><strong>${esc(i.provider)}${i.failoverTo ? ` &rarr; ${esc(i.failoverTo)}` : ""}</strong>
  <span class="muted">${esc(timeText(i.start))} &middot; login down ${esc(secondsText(i.loginDowntimeSeconds))}${flags.length ? ` &middot; ${esc(flags.join(", "))}` : ""}</span></div>
  <ol class="steps">${steps.map(([label, value]) => `<li><span class="step-label">${esc(label)}</span><span class="step-value">${esc(value)}</span></li>`).join("")}</ol>
</div>`;
}

function groupSection(report: SlaReport, group: GroupSummary): string {
  const text = groupText(report, group);
  const rows = text.rows.map(
    ([site, ...figures]) =>
      `<tr><td><strong>${esc(site ?? "")}</strong></td>${figures.map((f) => `<td class="num">${esc(f)}</td>`).join("")}</tr>`,
  );
  return `<section class="site">
<h2>${esc(text.title)}</h2>
<p class="lede">${esc(text.headline)}</p>
<table class="sla">
<thead><tr>${text.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead>
<tbody>${rows.join("")}</tbody>
</table>
</section>`;
}

function slaTable(site: SiteReport): string {
  const rows = site.providers.map(
    (p: ProviderReport) => `<tr>
<td><strong>${esc(p.id)}</strong> <span class="muted">${esc(p.role)}</span></td>
<td class="num">${esc(pctText(p.availabilityPct))}</td>
<td class="num">${p.sla.targetPct}%</td>
<td class="num">${esc(minutesText(p.sla.errorBudgetMinutes))}</td>
<td class="num">${esc(minutesText(p.sla.budgetUsedMinutes))}</td>
<td class="num">${esc(minutesText(p.sla.budgetLeftMinutes))}</td>
<td>${esc(slaText(p))}</td>
<td>${esc(creditText(p))}</td>
<td class="num">${esc(minutesText(p.degradedMinutes))}</td>
<td class="num">${esc(minutesText(p.unknownMinutes + p.noDataMinutes))}</td>
<td>${vendorCell(p)}</td>
</tr>`,
  );
  return `<table class="sla">
<thead><tr><th>Provider</th><th>Availability</th><th>Target</th><th>Error budget</th><th>Used</th><th>Left</th><th>SLA</th><th>Service credit</th><th>Degraded</th><th>Unknown / no data</th><th>Vendor-reported figure</th></tr></thead>
<tbody>${rows.join("")}</tbody>
</table>`;
}

function vendorCell(p: ProviderReport): string {
  const v = p.vendorReported;
  if (v.status === "reported" && v.scorePct !== null) {
    return `<strong>${v.scorePct}%</strong><br><span class="muted small">${esc(v.label)} (${esc(v.source)})</span>`;
  }
  if (v.status === "not-available") {
    return `not available<br><span class="muted small">${esc(v.reason ?? "")}</span>`;
  }
  return `<span class="muted small">n/a: ${esc(v.reason ?? "")}</span>`;
}

function methodSection(report: SlaReport): string {
  const vendors = new Map<string, ProviderReport["sla"]["serviceCredit"]>();
  for (const site of report.sites)
    for (const p of site.providers) vendors.set(p.sla.serviceCredit.vendor, p.sla.serviceCredit);
  const vendorItems = [...vendors.values()].map((c) => {
    const tiers = c.tiers.map((t) => `below ${t.belowPct}%: ${t.creditPct}%`).join("; ");
    return `<li><strong>${esc(c.vendor)}</strong>: downtime is ${esc(c.downtimeDefinition)}; monthly percentage = ${esc(c.formula)}.${tiers ? ` Indicative credits: ${esc(tiers)}.` : ""} <span class="muted">${esc(c.source)}.</span></li>`;
  });
  return `<section class="method">
<h3>How these figures are computed</h3>
<ul>${Object.values(report.method)
    .map((text) => `<li>${esc(text)}.</li>`)
    .join("")}</ul>
<h3>Vendor SLA terms</h3>
<ul>${vendorItems.join("")}</ul>
<p class="muted small">Vendor-reported figures are the vendor's own numbers, shown beside ours and never mixed into them.</p>
</section>`;
}

function legend(items: Array<[string, string]>): string {
  return `<div class="legend">${items
    .map(([color, text]) => `<span><i style="background:${color}"></i>${esc(text)}</span>`)
    .join("")}</div>`;
}

const styles = `
:root { --ink: #212529; --muted: #6c757d; --line: #dee2e6; --bg: #ffffff; --soft: #f8f9fa; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 980px; padding: 28px 28px 48px; color: var(--ink); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 28px; margin: 4px 0 2px; }
h2 { font-size: 22px; margin: 32px 0 6px; padding-top: 18px; border-top: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 26px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #343a40; }
.eyebrow { font-size: 12px; text-transform: uppercase; letter-spacing: .12em; color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 12px; font-weight: normal; }
.lede { font-size: 16px; margin: 6px 0 14px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; background: var(--soft); break-inside: avoid; }
.card.hero { background: #e9f5f2; border-color: #95d5b2; }
.card-label { font-size: 12px; color: #495057; text-transform: uppercase; letter-spacing: .05em; }
.big { font-size: 30px; font-weight: 700; margin: 4px 0; font-variant-numeric: tabular-nums; }
.verdicts { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 8px; }
.pill { padding: 4px 10px; border-radius: 999px; font-size: 13px; border: 1px solid var(--line); }
.pill.met { background: #d8f3dc; border-color: #95d5b2; }
.pill.missed { background: #fde2e4; border-color: #f4a3a8; }
.pill.unknown { background: #e9ecef; }
.chart { border: 1px solid var(--line); border-radius: 8px; padding: 10px; break-inside: avoid; }
.chart svg { display: block; }
.chart.heatmap svg { max-width: 560px; }
svg .label { font-size: 12px; fill: var(--ink); }
svg .strong { font-weight: 700; }
svg .muted { fill: var(--muted); }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .cell { font-size: 13px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: #495057; margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.incident { border-left: 4px solid ${palette.down}; padding: 6px 0 6px 12px; margin: 12px 0; break-inside: avoid; }
.incident-head { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.steps { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px; }
.steps li { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 3px 8px; display: flex; flex-direction: column; min-width: 88px; }
.step-label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.step-value { font-variant-numeric: tabular-nums; }
table.sla { width: 100%; border-collapse: collapse; font-size: 13px; break-inside: avoid; }
table.sla th, table.sla td { border-bottom: 1px solid var(--line); padding: 6px 6px; text-align: left; vertical-align: top; }
table.sla th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #495057; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.method { margin-top: 36px; border-top: 1px solid var(--line); font-size: 13px; }
.method li { margin: 4px 0; }
@media (max-width: 720px) { .cards { grid-template-columns: 1fr; } }
@media print {
  @page { size: A4; margin: 12mm; }
  body { padding: 0; max-width: none; font-size: 12px; }
  .site + .site { break-before: page; }
  h2, h3 { break-after: avoid; }
}
`;
