import type { ProviderReport, SiteReport, SlaReport } from "./report-schema.js";
import { minutesText, pctText, secondsText } from "./text-format.js";

/*
 * The report's charts as inline SVG strings: no script, no fonts or images to fetch, sized in a
 * viewBox so they scale to the page and print sharp. Every text is escaped.
 */

export const palette = {
  up: "#2a9d8f",
  down: "#c1121f",
  degraded: "#e9c46a",
  unknown: "#adb5bd",
  secondary: "#457b9d",
  grid: "#dee2e6",
  ink: "#212529",
  muted: "#6c757d",
};

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const floors = [99.9, 99.5, 99, 98, 95, 90, 75, 50, 0];

/** The lowest axis value that keeps every bar above it, from a short list of readable ones. */
export function axisFloor(values: readonly (number | null)[]): number {
  const lowest = Math.min(100, ...values.filter((v): v is number => v !== null));
  return floors.find((f) => f < lowest) ?? 0;
}

/** Daily availability bars, one row per provider, sharing one axis. */
export function dailyAvailabilityChart(site: SiteReport): string {
  const providers = site.providers;
  const days = providers[0]?.daily.length ?? 0;
  const floor = axisFloor(providers.flatMap((p) => p.daily.map((d) => d.availabilityPct)));
  const width = 920;
  const left = 110;
  const right = 10;
  const rowHeight = 96;
  const top = 14;
  const plotWidth = width - left - right;
  const step = days > 0 ? plotWidth / days : plotWidth;
  const barWidth = Math.max(1, step * 0.72);
  const height = top + providers.length * rowHeight + 26;
  const parts: string[] = [];
  providers.forEach((provider, row) => {
    const y0 = top + row * rowHeight;
    const plotHeight = rowHeight - 30;
    const yOf = (pct: number) => y0 + plotHeight - ((pct - floor) / (100 - floor)) * plotHeight;
    parts.push(
      `<text x="0" y="${y0 + 14}" class="label strong">${escapeXml(provider.id)}</text>`,
      `<text x="0" y="${y0 + 30}" class="label muted">${escapeXml(provider.role)}</text>`,
      `<text x="0" y="${y0 + 46}" class="label muted">${escapeXml(pctText(provider.availabilityPct))}</text>`,
    );
    for (const tick of [floor, (floor + 100) / 2, 100]) {
      const y = yOf(tick);
      parts.push(
        `<line x1="${left}" x2="${width - right}" y1="${f(y)}" y2="${f(y)}" stroke="${palette.grid}" stroke-width="1"/>`,
        `<text x="${left - 6}" y="${f(y + 3)}" class="tick" text-anchor="end">${trimPct(tick)}</text>`,
      );
    }
    const target = provider.sla.targetPct;
    if (target > floor) {
      const y = yOf(target);
      parts.push(
        `<line x1="${left}" x2="${width - right}" y1="${f(y)}" y2="${f(y)}" stroke="${palette.ink}" stroke-width="1" stroke-dasharray="4 3"><title>SLA target ${target}%</title></line>`,
      );
    }
    provider.daily.forEach((day, i) => {
      const x = left + i * step + (step - barWidth) / 2;
      const title = `${day.date}: ${dayTitle(day)}`;
      if (day.availabilityPct === null) {
        parts.push(
          `<rect x="${f(x)}" y="${y0}" width="${f(barWidth)}" height="${plotHeight}" fill="none" stroke="${palette.unknown}" stroke-dasharray="2 2"><title>${escapeXml(title)}</title></rect>`,
        );
        return;
      }
      const y = yOf(Math.max(floor, day.availabilityPct));
      const color = day.downtimeMinutes === 0 ? palette.up : palette.down;
      parts.push(
        `<rect x="${f(x)}" y="${f(y)}" width="${f(barWidth)}" height="${f(y0 + plotHeight - y)}" fill="${color}"><title>${escapeXml(title)}</title></rect>`,
      );
      if (day.unknownMinutes + day.noDataMinutes >= 1) {
        parts.push(
          `<rect x="${f(x)}" y="${y0 + plotHeight + 2}" width="${f(barWidth)}" height="3" fill="${palette.unknown}"><title>${escapeXml(`${day.date}: ${minutesText(day.unknownMinutes + day.noDataMinutes)} unknown or no data`)}</title></rect>`,
        );
      }
      if (day.downtimeMinutes > 0 && step >= 14) {
        parts.push(
          `<text x="${f(x + barWidth / 2)}" y="${f(Math.max(y0 + 9, y - 3))}" class="tick" text-anchor="middle">${day.downtimeMinutes}m</text>`,
        );
      }
    });
    const labelEvery = days <= 31 ? (step >= 24 ? 1 : 2) : Math.ceil(days / 12);
    provider.daily.forEach((day, i) => {
      if (i % labelEvery !== 0 || row !== providers.length - 1) return;
      const x = left + i * step + step / 2;
      parts.push(
        `<text x="${f(x)}" y="${y0 + plotHeight + 18}" class="tick" text-anchor="middle">${escapeXml(days <= 31 ? day.date.slice(8) : day.date.slice(5))}</text>`,
      );
    });
  });
  return svg("daily-availability", width, height, "Daily availability per provider", parts);
}

function dayTitle(day: ProviderReport["daily"][number]): string {
  if (day.availabilityPct === null) return "no data";
  const extras = [
    day.downtimeMinutes ? `${minutesText(day.downtimeMinutes)} down` : "",
    day.degradedMinutes ? `${minutesText(day.degradedMinutes)} degraded` : "",
    day.unknownMinutes ? `${minutesText(day.unknownMinutes)} unknown` : "",
  ].filter(Boolean);
  return `${pctText(day.availabilityPct)}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

/**
 * The period at a glance: for each incident, when the failing provider was down, when the login
 * hostname was served by the other provider, and when the login hostname itself was down. An incident
 * still open is drawn until the report was made, not to the period's end.
 */
export function incidentTimelineChart(
  site: SiteReport,
  report: Pick<SlaReport, "period" | "generatedAt">,
): string {
  const from = Date.parse(report.period.from);
  const to = Date.parse(report.period.to);
  const width = 920;
  const left = 150;
  const right = 10;
  const lanes = [
    ...site.providers.map((p) => ({ key: `down:${p.id}`, label: `${p.id} down` })),
    ...site.providers.slice(1).map((p) => ({ key: `serving:${p.id}`, label: `login on ${p.id}` })),
    { key: "login", label: `${site.hostname} down` },
  ];
  const laneHeight = 24;
  const top = 8;
  const height = top + lanes.length * laneHeight + 28;
  const plotWidth = width - left - right;
  const xOf = (ms: number) => left + ((Math.min(Math.max(ms, from), to) - from) / (to - from)) * plotWidth;
  const laneY = (key: string) => top + lanes.findIndex((l) => l.key === key) * laneHeight;
  const parts: string[] = [];
  lanes.forEach((lane, i) => {
    const y = top + i * laneHeight;
    parts.push(
      `<rect x="${left}" y="${y + 4}" width="${plotWidth}" height="${laneHeight - 8}" fill="#f8f9fa"/>`,
      `<text x="0" y="${y + laneHeight / 2 + 4}" class="label">${escapeXml(lane.label)}</text>`,
    );
  });
  const bar = (key: string, a: number, b: number, color: string, title: string) => {
    const y = laneY(key);
    if (y < top) return;
    const x1 = xOf(a);
    const w = Math.max(3, xOf(b) - x1);
    parts.push(
      `<rect x="${f(x1)}" y="${y + 4}" width="${f(w)}" height="${laneHeight - 8}" fill="${color}" rx="1"><title>${escapeXml(title)}</title></rect>`,
    );
  };
  const now = Math.min(to, Date.parse(report.generatedAt));
  for (const incident of site.incidents) {
    const start = Date.parse(incident.start);
    const recovered = Date.parse(incident.recoveredAt ?? incident.end ?? new Date(now).toISOString());
    bar(
      `down:${incident.provider}`,
      start,
      recovered,
      palette.down,
      `${incident.provider} down from ${incident.start} for ${secondsText((recovered - start) / 1000)}`,
    );
    if (incident.failoverTo && incident.insyncAt) {
      const insync = Date.parse(incident.insyncAt);
      const back = Date.parse(incident.end ?? new Date(now).toISOString());
      bar(
        `serving:${incident.failoverTo}`,
        insync,
        back,
        palette.secondary,
        `login served by ${incident.failoverTo} from ${incident.insyncAt} (${secondsText((back - insync) / 1000)}, failback included)`,
      );
    }
  }
  for (const outage of site.loginOutages) {
    bar(
      "login",
      Date.parse(outage.from),
      Date.parse(outage.to),
      palette.down,
      `${site.hostname} down ${secondsText(outage.seconds)} from ${outage.from}`,
    );
  }
  const axisY = top + lanes.length * laneHeight + 4;
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${axisY}" y2="${axisY}" stroke="${palette.grid}"/>`,
  );
  const days = Math.round((to - from) / 86_400_000);
  const everyDays = days <= 31 ? (days <= 10 ? 1 : 5) : 30;
  const firstDay = Math.ceil(from / 86_400_000) * 86_400_000;
  if (days >= 2) {
    for (let day = firstDay, n = 0; day <= to; day += 86_400_000, n++) {
      if (n % everyDays !== 0) continue;
      const x = xOf(day);
      const anchor = x > width - right - 20 ? "end" : "middle";
      parts.push(
        `<line x1="${f(x)}" x2="${f(x)}" y1="${axisY}" y2="${axisY + 4}" stroke="${palette.muted}"/>`,
        `<text x="${f(x)}" y="${axisY + 16}" class="tick" text-anchor="${anchor}">${new Date(day).toISOString().slice(5, 10)}</text>`,
      );
    }
  } else {
    for (let i = 0; i <= 4; i++) {
      const t = from + ((to - from) * i) / 4;
      parts.push(
        `<text x="${f(xOf(t))}" y="${axisY + 16}" class="tick" text-anchor="middle">${new Date(t).toISOString().slice(11, 16)}</text>`,
      );
    }
  }
  if (site.incidents.length === 0) {
    parts.push(
      `<text x="${left + plotWidth / 2}" y="${top + (lanes.length * laneHeight) / 2 + 4}" class="label muted" text-anchor="middle">No incidents in this period</text>`,
    );
  }
  return svg("incident-timeline", width, height, "Incident timeline", parts);
}

/** Availability per region (rows) and provider (columns), coloured against the SLA target. */
export function regionHeatmapChart(site: SiteReport): string {
  const providers = site.providers;
  const regions = providers[0]?.regions.map((r) => r.region) ?? [];
  const cellWidth = 170;
  const cellHeight = 40;
  const left = 120;
  const top = 26;
  const width = left + providers.length * cellWidth + 10;
  const height = top + regions.length * cellHeight + 8;
  const parts: string[] = [];
  providers.forEach((p, c) => {
    parts.push(
      `<text x="${left + c * cellWidth + cellWidth / 2}" y="16" class="label strong" text-anchor="middle">${escapeXml(p.id)}</text>`,
    );
  });
  regions.forEach((region, r) => {
    const y = top + r * cellHeight;
    parts.push(`<text x="0" y="${y + cellHeight / 2 + 4}" class="label">${escapeXml(region)}</text>`);
    providers.forEach((p, c) => {
      const cell = p.regions.find((x) => x.region === region);
      const pct = cell?.availabilityPct ?? null;
      const x = left + c * cellWidth;
      const fill = heatColor(pct, p.sla.targetPct);
      const title = `${p.id} seen from ${region}: ${pctText(pct)}${cell ? `, ${minutesText(cell.downtimeMinutes)} down, ${minutesText(cell.unknownMinutes)} unknown` : ""}`;
      parts.push(
        `<rect x="${x + 2}" y="${y + 2}" width="${cellWidth - 4}" height="${cellHeight - 4}" fill="${fill}" rx="3"><title>${escapeXml(title)}</title></rect>`,
        `<text x="${x + cellWidth / 2}" y="${y + cellHeight / 2 + 4}" class="cell" text-anchor="middle" fill="${pct !== null && pct < 99 ? "#fff" : palette.ink}">${escapeXml(pctText(pct))}</text>`,
      );
    });
  });
  return svg("region-heatmap", width, height, "Availability by region and provider", parts);
}

/** Green at 100%, pale green down to the target, then yellow to red one percentage point below it; grey for no data. */
export function heatColor(pct: number | null, target: number): string {
  if (pct === null) return "#e9ecef";
  if (pct >= 100) return "#95d5b2";
  if (pct >= target) return "#d8f3dc";
  const below = Math.min(1, target - pct);
  const from = [255, 230, 160];
  const to = [193, 18, 31];
  const mix = from.map((v, i) => Math.round(v + ((to[i] ?? v) - v) * below));
  return `rgb(${mix.join(",")})`;
}

function svg(name: string, width: number, height: number, title: string, parts: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" data-chart="${name}" viewBox="0 0 ${width} ${height}" ` +
    `width="100%" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>${parts.join("")}</svg>`
  );
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function trimPct(value: number): string {
  return `${Number(value.toFixed(3))}%`;
}
