import type { Config } from "./config.js";
import { assumptions as a, prices } from "./cost-prices.js";
import { dataPlaneSettings, healthCheckedRecords } from "./data-plane.js";
import { functionSizing } from "./deployment-sizing.js";

/*
 * The monthly cost of the deployment a config describes, line by line, from the price table and the
 * workload the config implies (regions, sites, probes, cadence, health-check options). Pure: the
 * stacks deploy from the same config and `functionSizing`, so this prices what is deployed.
 *
 * The probe clock is a chain of delayed SQS messages rather than a Lambda that sleeps between rounds:
 * the sleeping Lambda is billed for every second of the month. `sleepingProbeUsd` prices that
 * alternative for comparison.
 */

export type HealthCheckBilling = "aws-endpoint" | "non-aws-endpoint";

export interface CostOptions {
  /** How Route 53 bills checks on Lambda Function URLs. Default aws-endpoint (see docs/deploy.md). */
  healthCheckBilling?: HealthCheckBilling;
  /** Queries per login hostname per month. */
  dnsQueriesPerSite?: number;
}

export interface LineItem {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usdPerMonth: number;
}

export interface CostEstimate {
  sites: number;
  regions: number;
  providers: number;
  probesPerRound: number;
  cadenceSeconds: number;
  healthCheckBilling: HealthCheckBilling;
  lineItems: LineItem[];
  totalUsdPerMonth: number;
  /** What the probe clock would cost as one Lambda per region sleeping between rounds. */
  sleepingProbeUsd: number;
}

const perMillion = (count: number, usd: number) => (count / 1_000_000) * usd;

export function estimateCost(config: Config, options: CostOptions = {}): CostEstimate {
  const billing = options.healthCheckBilling ?? "aws-endpoint";
  const settings = dataPlaneSettings(config);
  const sizing = functionSizing(config);
  const regions = config.regions.length;
  const sites = config.sites.length;
  const providers = config.sites.reduce((n, s) => n + s.providers.length, 0);
  const probesPerRound = config.sites.reduce(
    (n, s) => n + s.providers.reduce((m, p) => m + p.probes.length, 0),
    0,
  );
  const seconds = a.daysPerMonth * 86_400;
  const minutes = seconds / 60;
  const cadence = config.policy.cadenceSeconds;
  const rounds = (seconds / cadence) * regions;

  const items: LineItem[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, usd: number) =>
    items.push({ service, item, quantity: Math.round(quantity * 100) / 100, unit, usdPerMonth: usd });
  const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
    invocations * (ms / 1000) * (memoryMb / 1024);

  // ---- Lambda ---------------------------------------------------------------------------------
  const roundMs = a.probeRoundBaseMs + a.probeMsPerProbe * probesPerRound;
  const watchdogRuns = minutes * regions;
  const checks = healthCheckedRecords(config);
  const httpsChecks = checks.reduce((n, c) => n + c.regions.length, 0);
  const checkers = settings.checkerRegions.length * a.checkersPerRegion;
  const verdictRequests = httpsChecks * checkers * (60 / settings.healthCheckIntervalSeconds) * minutes;
  const evaluatorRuns = minutes;
  const evaluatorMs = a.evaluatorBaseMs + a.evaluatorMsPerSite * sites;
  const notifyRuns = minutes;
  const lambdaRequests = rounds + watchdogRuns + verdictRequests + evaluatorRuns + notifyRuns;
  add(
    "Lambda",
    "requests (probe rounds, watchdog, verdicts, evaluator, notify)",
    lambdaRequests,
    "requests",
    perMillion(lambdaRequests, prices.lambdaRequests.usd),
  );
  const probeGbs =
    gbSeconds(rounds, roundMs, sizing.probe.memoryMb) + gbSeconds(watchdogRuns, 50, sizing.probe.memoryMb);
  add(
    "Lambda",
    `probe duration (${roundMs} ms a round, ${sizing.probe.memoryMb} MB arm64)`,
    probeGbs,
    "GB-s",
    probeGbs * prices.lambdaArmGbSecond.usd,
  );
  const verdictGbs = gbSeconds(verdictRequests, a.verdictMs, sizing.verdict.memoryMb);
  add(
    "Lambda",
    `verdict duration (${Math.round(verdictRequests / minutes)} health-check requests a minute)`,
    verdictGbs,
    "GB-s",
    verdictGbs * prices.lambdaArmGbSecond.usd,
  );
  const controlGbs =
    gbSeconds(evaluatorRuns, evaluatorMs, sizing.evaluate.memoryMb) +
    gbSeconds(notifyRuns, a.notifyMs, sizing.notify.memoryMb);
  add(
    "Lambda",
    "evaluator and notify duration",
    controlGbs,
    "GB-s",
    controlGbs * prices.lambdaArmGbSecond.usd,
  );

  // ---- SQS: the probe clock -----------------------------------------------------------------------
  const sqsRequests = rounds * 3 + a.sqsIdleReceivesPerMinute * minutes * regions;
  add(
    "SQS",
    "probe tick chain (send, receive, delete; Lambda's idle long polls)",
    sqsRequests,
    "requests",
    perMillion(sqsRequests, prices.sqsRequests.usd),
  );

  // ---- DynamoDB -----------------------------------------------------------------------------------
  const roundsPerRegion = seconds / cadence;
  // One item per provider and region round (DynamoStore.putResults), billed per started KB.
  const roundItemsKb = config.sites.flatMap((s) =>
    s.providers.map((p) => a.probeRoundBaseKb + a.probeResultKb * p.probes.length),
  );
  const writeUnitsPerRound = roundItemsKb.reduce((n, kb) => n + Math.ceil(kb), 0);
  const resultWrites = writeUnitsPerRound * roundsPerRegion * regions;
  const trackerWrites = providers * roundsPerRegion * regions;
  // The probe rewrites a site's data-plane item every `staleAfterSeconds / 3` (see dataPlaneWriteDue).
  const dataPlaneEvery = Math.max(1, Math.ceil(config.policy.staleAfterSeconds / 3 / cadence));
  const dataPlaneWrites = (sites * roundsPerRegion * regions) / dataPlaneEvery;
  const evaluatorWrites = minutes * sites * (a.stateWriteUnits * 2 + providers / Math.max(1, sites));
  const writes = resultWrites + trackerWrites + dataPlaneWrites + evaluatorWrites;
  add(
    "DynamoDB",
    "writes (results, trackers, data-plane items, state and rollups)",
    writes,
    "WRU",
    perMillion(writes, prices.dynamoWrite.usd),
  );
  const trackerReads =
    sites * roundsPerRegion * regions * Math.ceil(((providers / Math.max(1, sites)) * regions * 0.7) / 4);
  const latchReads = sites * regions * minutes * 2;
  const evaluatorReads = minutes * sites * 4;
  const verdictReads = verdictRequests * 0.5;
  const reads = trackerReads + latchReads + evaluatorReads + verdictReads;
  add(
    "DynamoDB",
    "reads (trackers, latch, evaluator, verdict endpoints)",
    reads,
    "RRU",
    perMillion(reads, prices.dynamoRead.usd),
  );
  const roundKb = roundItemsKb.reduce((n, kb) => n + kb, 0);
  const resultGb =
    ((roundsPerRegion * regions * roundKb) / a.daysPerMonth) * (a.resultRetentionDays / 1_000_000);
  const rollupGb = (providers * minutes * a.rollupMonthsStored * a.rollupKb) / 1_000_000;
  const storedGb = resultGb + rollupGb;
  add(
    "DynamoDB",
    "storage (35 days of results, rollups kept) and point-in-time recovery",
    storedGb,
    "GB",
    storedGb * (prices.dynamoStorage.usd + prices.dynamoPitr.usd),
  );

  // ---- EventBridge ----------------------------------------------------------------------------------
  const schedules = (regions + 2) * minutes + 1;
  add(
    "EventBridge",
    "Scheduler (probe watchdogs, evaluator, notify, monthly report)",
    schedules,
    "invocations",
    perMillion(schedules, prices.schedulerInvocations.usd),
  );
  add(
    "EventBridge",
    "custom events (transitions, verdict changes, reports)",
    1_000,
    "events",
    perMillion(1_000, prices.eventBridgeEvents.usd),
  );

  // ---- Route 53 -------------------------------------------------------------------------------------
  const [base, option] =
    billing === "aws-endpoint"
      ? [prices.healthCheckAws.usd, prices.healthCheckOptionAws.usd]
      : [prices.healthCheckNonAws.usd, prices.healthCheckOptionNonAws.usd];
  // Billed options: HTTPS always; string matching (HTTPS_STR_MATCH) and the fast interval if chosen.
  const features = [
    "HTTPS",
    ...(settings.matchString ? ["string match"] : []),
    ...(settings.healthCheckIntervalSeconds === 10 ? ["fast interval"] : []),
  ];
  const perCheck = base + features.length * option;
  const optionText = `${features.join(", ")}${settings.healthCheckIntervalSeconds === 10 ? "" : ", 30 s interval"}, inverted`;
  add(
    "Route 53",
    `health checks on verdict URLs (${optionText}; $${perCheck.toFixed(2)} each)`,
    httpsChecks,
    "checks",
    httpsChecks * perCheck,
  );
  add(
    "Route 53",
    "calculated (quorum) health checks",
    checks.length,
    "checks",
    checks.length * prices.healthCheckCalculated.usd,
  );
  const queries = sites * (options.dnsQueriesPerSite ?? a.dnsQueriesPerSitePerMonth);
  add(
    "Route 53",
    "queries for the login hostnames (assumed volume)",
    queries,
    "queries",
    perMillion(queries, prices.route53Queries.usd),
  );

  // ---- CloudWatch -----------------------------------------------------------------------------------
  const metrics = regions + 1;
  add(
    "CloudWatch",
    "custom metrics (ProbeLatency per region, ProbeResultAgeSeconds)",
    metrics,
    "metrics",
    metrics * prices.cloudwatchMetric.usd,
  );
  add(
    "CloudWatch",
    "alarms (no probe results, evaluator errors)",
    2,
    "alarms",
    2 * prices.cloudwatchAlarm.usd,
  );
  const logGb =
    (rounds * a.probeLogKbPerRound + evaluatorRuns * a.evaluatorLogKbPerRun * Math.max(1, sites / 10)) /
    1_000_000;
  add(
    "CloudWatch",
    "logs (EMF and JSON; Lambda platform lines dropped)",
    logGb,
    "GB",
    logGb * (prices.cloudwatchLogIngest.usd + prices.cloudwatchLogStorage.usd),
  );

  const total = items.reduce((sum, i) => sum + i.usdPerMonth, 0);
  const sleepingGbs = seconds * regions * (sizing.probe.memoryMb / 1024);
  return {
    sites,
    regions,
    providers,
    probesPerRound,
    cadenceSeconds: cadence,
    healthCheckBilling: billing,
    lineItems: items.map((i) => ({ ...i, usdPerMonth: round2(i.usdPerMonth) })),
    totalUsdPerMonth: round2(total),
    sleepingProbeUsd: round2(
      sleepingGbs * prices.lambdaArmGbSecond.usd + perMillion(minutes * regions, prices.lambdaRequests.usd),
    ),
  };
}

function round2(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/** The same config with `count` sites, each a copy of the first (for "how does it grow"). */
export function withSites(config: Config, count: number): Config {
  const template = config.sites[0];
  if (!template) return config;
  const sites = Array.from({ length: count }, (_, i) => ({
    ...template,
    id: `${template.id}-${i + 1}`,
    hostname: `s${i + 1}.${template.hostname}`,
  }));
  return { ...config, sites };
}
