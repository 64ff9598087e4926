import {
  type Config,
  type Incident,
  isoTimeCompact,
  type JournalStore,
  type Policy,
  type Provider,
  type ReplayRun,
  type Site,
} from "@idp-failover/core";
import {
  type Availability,
  availabilityOf,
  episodeMarginMs,
  ProviderFold,
  type ProviderTotals,
} from "./availability.js";
import { incidentRow, type LoginTiming, loginOutages, totalSeconds } from "./incidents.js";
import { customPeriod, dayMs, daysOf, periodMinutes, type ReportPeriod } from "./period.js";
import {
  type GroupSummary,
  type ProviderReport,
  reportSchemaVersion,
  type SiteReport,
  type SlaReport,
  type VendorReported,
} from "./report-schema.js";
import {
  entraAttainmentSource,
  type VendorAttainment,
  type VendorAttainmentSource,
} from "./vendor-attainment.js";
import { indicativeCredit, vendorTerms } from "./vendor-terms.js";

/*
 * Builds the report model: reads each site's rollups and incidents through the JournalStore port (so
 * any store will do: in-memory, DynamoDB, a replay's), folds them, and adds the SLA arithmetic. The
 * model is what every renderer (JSON, Markdown, CSV, HTML) draws from.
 */

export const reportMethod = {
  availability:
    "availability = (measured minutes - downtime minutes) / measured minutes, from the provider's global " +
    "verdict (down only when a quorum of regions agrees); degraded counts as available",
  downtime:
    "downtime is counted in whole minutes, as the vendors' SLAs count it: each down episode (consecutive " +
    "minutes with down seconds) counts as its length rounded to the nearest minute, so the verdict's " +
    "detection delay (10-20 s) and recovery delay (20-35 s) do not add a minute; episodes under 30 s count as 0",
  unknown:
    "time with the monitor impaired (too few regions reporting) is unknown and time without rollups is no " +
    "data: neither counts as up or down, both are left out of the measured minutes",
  login:
    "the login hostname is down from an incident's onset (first failing probe round) until its DNS change " +
    "is INSYNC plus the record's TTL; without a failover, until the serving provider recovered",
};

export interface ReportOptions {
  /** Sites to include (default: all in the config). */
  sites?: readonly string[];
  /** The sites were chosen by these tags: the report adds their figures together (`group`). */
  tags?: readonly string[];
  /** The vendor's reported figure per site and provider, when one can be asked for. */
  vendorSource?: (site: Site, provider: Provider) => VendorAttainmentSource | undefined;
  /** Epoch ms: when the report is made (open incidents count until then). */
  now: number;
}

/** Reads what a report needs from the store and builds it. */
export async function reportFromStore(
  store: Pick<JournalStore, "listRollups" | "listIncidents">,
  config: Config,
  period: ReportPeriod,
  options: ReportOptions,
): Promise<SlaReport> {
  const sites = selectSites(config, options.sites);
  const reports: SiteReport[] = [];
  for (const site of sites) {
    const totals: Record<string, ProviderTotals> = {};
    for (const provider of site.providers) {
      // A little beyond the period, so the episodes crossing its edges are seen whole (availability.ts).
      const rollups = await store.listRollups(
        site.id,
        provider.id,
        period.from - episodeMarginMs,
        period.to + episodeMarginMs,
      );
      totals[provider.id] = new ProviderFold(period, config.regions).addAll(rollups).finish();
    }
    const incidents = await store.listIncidents(site.id, period.from, period.to);
    const vendor = await vendorFigures(site, period, options.vendorSource);
    reports.push(reportOfSite(config, site, period, { totals, incidents, vendor, now: options.now }));
  }
  const report = assembleReport(period, reports, options.now);
  return options.tags ? { ...report, group: groupSummary(options.tags, reports) } : report;
}

/** The figures of a group of sites taken together (see `groupSummarySchema`). */
export function groupSummary(tags: readonly string[], sites: readonly SiteReport[]): GroupSummary {
  const measured = sites.reduce((n, s) => n + s.measuredMinutes, 0);
  const down = sites.reduce((n, s) => n + (s.loginAvailabilityPct === null ? 0 : s.loginDowntimeMinutes), 0);
  let worst: GroupSummary["worstSite"] = null;
  for (const site of sites) {
    const pct = site.loginAvailabilityPct;
    if (pct !== null && (worst === null || pct < worst.loginAvailabilityPct)) {
      worst = { site: site.site, loginAvailabilityPct: pct };
    }
  }
  return {
    tags: [...tags],
    sites: sites.length,
    loginAvailabilityPct: round4(measured > 0 ? (100 * Math.max(0, measured - down)) / measured : null),
    loginDowntimeMinutes: round2(down),
    measuredMinutes: round2(measured),
    failoverSavedMinutes: round2(sites.reduce((n, s) => n + (s.failoverSavedMinutes ?? 0), 0)),
    incidents: sites.reduce((n, s) => n + s.incidents.length, 0),
    worstSite: worst,
    primaryBelowSla: sites.filter((s) => s.providers[0]?.sla.met === false).map((s) => s.site),
  };
}

/** The report of a replay: its site over the scenario's period (or `period`). */
export function reportFromReplay(
  run: ReplayRun,
  options: { now?: number; period?: ReportPeriod } = {},
): SlaReport {
  const { config, rollups, result } = run;
  const period =
    options.period ?? customPeriod(Date.parse(result.summary.start), Date.parse(result.summary.end));
  const now = options.now ?? period.to;
  const reports = selectSites(config).map((site) => {
    const totals: Record<string, ProviderTotals> = {};
    for (const provider of site.providers) {
      totals[provider.id] = new ProviderFold(period, config.regions)
        .addAll(rollups.filter((r) => r.site === site.id && r.provider === provider.id))
        .finish();
    }
    const incidents = result.incidents.filter((i) => i.site === site.id);
    const vendor = Object.fromEntries(
      site.providers.map((p) => [p.id, notApplicable(p, "a replay has no vendor figures")]),
    );
    return reportOfSite(config, site, period, { totals, incidents, vendor, now });
  });
  return assembleReport(period, reports, now);
}

/** One site's report under `config` (its regions, the site's own policy) from its figures. */
function reportOfSite(
  config: Config,
  site: Site,
  period: ReportPeriod,
  figures: Pick<SiteReportInput, "totals" | "incidents" | "vendor" | "now">,
): SiteReport {
  return siteReport({ site, regions: config.regions, policy: site.policy, period, ...figures });
}

function selectSites(config: Config, wanted?: readonly string[]): Site[] {
  if (!wanted || wanted.length === 0) return config.sites;
  return wanted.map((id) => {
    const site = config.sites.find((s) => s.id === id);
    if (!site)
      throw new UnknownSiteError(
        id,
        config.sites.map((s) => s.id),
      );
    return site;
  });
}

export class UnknownSiteError extends Error {
  override name = "UnknownSiteError";
  constructor(
    readonly site: string,
    readonly known: string[],
  ) {
    super(`no site ${JSON.stringify(site)} in the config (sites: ${known.join(", ")})`);
  }
}

export function assembleReport(period: ReportPeriod, sites: SiteReport[], now: number): SlaReport {
  return {
    schema: "idp-failover/sla-report",
    schemaVersion: reportSchemaVersion,
    generatedAt: new Date(now).toISOString(),
    period: {
      from: isoTimeCompact(period.from),
      to: isoTimeCompact(period.to),
      label: period.label,
      month: period.month ?? null,
      days: daysOf(period).length,
      minutes: periodMinutes(period),
    },
    method: reportMethod,
    sites,
  };
}

export interface SiteReportInput {
  site: Site;
  regions: readonly string[];
  policy: Policy;
  period: ReportPeriod;
  totals: Record<string, ProviderTotals>;
  incidents: readonly Incident[];
  vendor: Record<string, VendorReported>;
  now: number;
}

export function siteReport(input: SiteReportInput): SiteReport {
  const { site, period, totals, now } = input;
  const spanSeconds = (period.to - period.from) / 1000;
  const providers = site.providers.map((provider) =>
    providerReport(provider, totals[provider.id], input, spanSeconds),
  );
  const primary = providers[0];
  const primaryTotals = primary ? totals[primary.id]?.global.seconds : undefined;
  const measuredSeconds = primaryTotals ? primaryTotals.up + primaryTotals.degraded + primaryTotals.down : 0;
  const timing: LoginTiming = {
    ttlSeconds: site.ttl,
    recoveryLagMs: input.policy.recovery.consecutiveRounds * input.policy.cadenceSeconds * 1000,
    now,
  };
  const outages = loginOutages(input.incidents, timing, period);
  const loginDown = totalSeconds(outages);
  const loginPct =
    measuredSeconds > 0 ? (100 * Math.max(0, measuredSeconds - loginDown)) / measuredSeconds : null;
  return {
    site: site.id,
    hostname: site.hostname,
    ttlSeconds: site.ttl,
    primary: primary?.id ?? "",
    loginAvailabilityPct: round4(loginPct),
    loginDowntimeSeconds: round3(loginDown),
    loginDowntimeMinutes: round2(loginDown / 60),
    primaryAvailabilityPct: primary?.availabilityPct ?? null,
    failoverSavedMinutes:
      primary && primary.availabilityPct !== null
        ? round2(Math.max(0, primary.downtimeMinutes - loginDown / 60))
        : null,
    measuredMinutes: round2(measuredSeconds / 60),
    loginOutages: outages.map((o) => ({
      from: isoTimeCompact(o.from),
      to: isoTimeCompact(o.to),
      seconds: round3((o.to - o.from) / 1000),
    })),
    providers,
    incidents: input.incidents.map((i) => incidentRow(i, timing, period)),
  };
}

function providerReport(
  provider: Provider,
  totals: ProviderTotals | undefined,
  input: SiteReportInput,
  spanSeconds: number,
): ProviderReport {
  const fold = totals ?? new ProviderFold(input.period, input.regions).finish();
  const overall = availabilityOf(fold.global, spanSeconds);
  const days = daysOf(input.period);
  return {
    id: provider.id,
    kind: provider.kind,
    role: provider.role,
    ...figures(overall),
    downEpisodes: fold.global.downEpisodes,
    sla: slaOf(provider, overall),
    regions: input.regions.map((region) => {
      const series = fold.regions[region];
      const figure = series ? availabilityOf(series, spanSeconds) : emptyAvailability(spanSeconds);
      return { region, ...figures(figure) };
    }),
    daily: days.map((day, i) => {
      const span = (Math.min(day + dayMs, input.period.to) - Math.max(day, input.period.from)) / 1000;
      const series = fold.daily[i];
      const figure = series ? availabilityOf(series, span) : emptyAvailability(span);
      return { date: isoTimeCompact(day).slice(0, 10), ...figures(figure) };
    }),
    vendorReported: input.vendor[provider.id] ?? notApplicable(provider, "no vendor figure asked for"),
  };
}

function emptyAvailability(spanSeconds: number): Availability {
  return {
    availabilityPct: null,
    measuredSeconds: 0,
    downtimeMinutes: 0,
    degradedMinutes: 0,
    downSeconds: 0,
    degradedSeconds: 0,
    unknownSeconds: 0,
    noDataSeconds: spanSeconds,
  };
}

function figures(a: Availability) {
  return {
    availabilityPct: round4(a.availabilityPct),
    downtimeMinutes: a.downtimeMinutes,
    degradedMinutes: a.degradedMinutes,
    downSeconds: round3(a.downSeconds),
    measuredMinutes: round2(a.measuredSeconds / 60),
    unknownMinutes: round2(a.unknownSeconds / 60),
    noDataMinutes: round2(a.noDataSeconds / 60),
  };
}

function slaOf(provider: Provider, a: Availability): ProviderReport["sla"] {
  const target = provider.slaTargetPct;
  const terms = vendorTerms(provider.kind);
  const measuredMinutes = a.measuredSeconds / 60;
  const budget = ((100 - target) / 100) * measuredMinutes;
  const measured = a.availabilityPct !== null;
  const met = measured ? (a.availabilityPct as number) >= target : null;
  return {
    targetPct: target,
    met,
    errorBudgetMinutes: round2(budget),
    budgetUsedMinutes: a.downtimeMinutes,
    budgetLeftMinutes: round2(budget - a.downtimeMinutes),
    budgetUsedPct: budget > 0 ? round2((100 * a.downtimeMinutes) / budget) : null,
    serviceCredit: {
      qualifies: met === null ? null : !met,
      indicativeCreditPct:
        measured && terms.creditTiers.length > 0
          ? indicativeCredit(terms, a.availabilityPct as number)
          : null,
      vendor: terms.vendor,
      downtimeDefinition: terms.downtime,
      formula: terms.formula,
      tiers: terms.creditTiers,
      source: terms.source,
    },
  };
}

async function vendorFigures(
  site: Site,
  period: ReportPeriod,
  sourceOf: ReportOptions["vendorSource"],
): Promise<Record<string, VendorReported>> {
  const out: Record<string, VendorReported> = {};
  for (const provider of site.providers)
    out[provider.id] = await vendorFigure(site, provider, period, sourceOf);
  return out;
}

async function vendorFigure(
  site: Site,
  provider: Provider,
  period: ReportPeriod,
  sourceOf: ReportOptions["vendorSource"],
): Promise<VendorReported> {
  if (provider.kind === "okta") {
    return notApplicable(provider, "Okta publishes no per-tenant SLA attainment API");
  }
  if (provider.kind !== "entra")
    return notApplicable(provider, "no vendor SLA attainment API for this provider");
  if (!period.month) return notApplicable(provider, "Microsoft reports attainment per calendar month only");
  const month = period.month;
  const base = {
    label: "Microsoft-reported SLA attainment",
    vendor: "Microsoft",
    source: entraAttainmentSource,
    month,
  };
  const unavailable = (reason: string): VendorReported => ({
    ...base,
    status: "not-available",
    scorePct: null,
    reason,
  });
  if (!sourceOf) return unavailable("not asked for");
  const source = sourceOf(site, provider);
  if (!source) {
    return unavailable(
      "no Graph credentials configured for this tenant (a graph-health probe's app with Reports.Read.All)",
    );
  }
  // A vendor figure never fails the report, whatever the source does.
  const figure = await source.monthlyAttainment(month).catch(
    (error: unknown): VendorAttainment => ({
      kind: "not-available",
      reason: `asking failed: ${error instanceof Error ? error.message : String(error)}`,
    }),
  );
  return figure.kind === "reported"
    ? { ...base, status: "reported", scorePct: figure.scorePct, reason: null }
    : unavailable(figure.reason);
}

function notApplicable(provider: Provider, reason: string): VendorReported {
  return {
    status: "not-applicable",
    label: "vendor-reported SLA attainment",
    vendor: vendorTerms(provider.kind).vendor,
    source: "none",
    month: null,
    scorePct: null,
    reason,
  };
}

export function round4(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
