import { type Config, dataPlaneSettings, healthChecksNeeded } from "./config.js";
import { assumptions as a, prices } from "./cost-prices.js";
import { healthCheckedPaths } from "./data-plane.js";
import { functionSizing } from "./deployment-sizing.js";

/*
 * The monthly cost of the deployment a config describes, line by line, from the price table and the
 * workload the config implies (regions, sites, probes, cadence, health-check options). Pure: the
 * stacks deploy from the same config and `functionSizing`, so this prices what is deployed.
 *
 * Shape: `workloadOf` derives the counts once; each line item is one function of the workload (its
 * quantity, price and a sentence saying how it is counted), so a change to how one thing is deployed
 * changes one function.
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
  /** How the quantity is counted, for people reading the estimate. */
  basis: string;
}

export interface CostEstimate {
  sites: number;
  regions: number;
  providers: number;
  probesPerRound: number;
  cadenceSeconds: number;
  healthCheckBilling: HealthCheckBilling;
  /** Route 53 health checks the deployment creates, and the account quota they count against. */
  healthChecks: { needed: number; quota: number };
  lineItems: LineItem[];
  totalUsdPerMonth: number;
  /** What the probe clock would cost as one Lambda per region sleeping between rounds. */
  sleepingProbeUsd: number;
}

/** The counts every line item is priced from, per month. */
export interface Workload {
  config: Config;
  billing: HealthCheckBilling;
  dnsQueriesPerSite: number;
  sites: number;
  regions: number;
  providers: number;
  probesPerRound: number;
  hostedZones: number;
  minutes: number;
  /** Probe rounds per region, and in all regions. */
  roundsPerRegion: number;
  rounds: number;
  /** Rounds between two heartbeats of a region (a third of the stale period). */
  heartbeatRounds: number;
  roundMs: number;
  httpsChecks: number;
  calculatedChecks: number;
  verdictRequests: number;
  sizing: ReturnType<typeof functionSizing>;
}

const perMillion = (count: number, usd: number) => (count / 1_000_000) * usd;
const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
  invocations * (ms / 1000) * (memoryMb / 1024);
const count = (n: number) => Math.round(n).toLocaleString("en-US");

export function workloadOf(config: Config, options: CostOptions = {}): Workload {
  const settings = dataPlaneSettings(config);
  const regions = config.regions.length;
  const minutes = (a.daysPerMonth * 86_400) / 60;
  const cadence = config.policy.cadenceSeconds;
  const roundsPerRegion = (minutes * 60) / cadence;
  // On average: a site with its own, longer cadence is probed on every k-th round.
  const probesPerRound = config.sites.reduce(
    (n, s) => n + (s.providers.reduce((m, p) => m + p.probes.length, 0) * cadence) / s.policy.cadenceSeconds,
    0,
  );
  const staleAfterSeconds = Math.min(
    config.policy.staleAfterSeconds,
    ...config.sites.map((s) => s.policy.staleAfterSeconds),
  );
  const heartbeatRounds = Math.max(1, Math.ceil(staleAfterSeconds / 3 / cadence));
  // A round calls the home table when its region's heartbeat is due or the round is noteworthy.
  const homeCallShare = Math.min(1, 1 / heartbeatRounds + a.noteworthyRoundShare);
  const { https, calculated } = healthChecksNeeded(config);
  const checkers = settings.checkerRegions.length * a.checkersPerRegion;
  return {
    config,
    billing: options.healthCheckBilling ?? "aws-endpoint",
    dnsQueriesPerSite: options.dnsQueriesPerSite ?? a.dnsQueriesPerSitePerMonth,
    sites: config.sites.length,
    regions,
    providers: config.sites.reduce((n, s) => n + s.providers.length, 0),
    probesPerRound,
    hostedZones: new Set(config.sites.map((s) => s.hostedZoneId)).size,
    minutes,
    roundsPerRegion,
    rounds: roundsPerRegion * regions,
    heartbeatRounds,
    roundMs: Math.round(
      a.probeRoundFixedMs + a.homeTableCallMs * homeCallShare + a.probeMsPerProbe * probesPerRound,
    ),
    httpsChecks: https,
    calculatedChecks: calculated,
    verdictRequests: https * checkers * (60 / settings.healthCheckIntervalSeconds) * minutes,
    sizing: functionSizing(config),
  };
}

type LineItemOf = (w: Workload) => LineItem;

const lambdaRequests: LineItemOf = (w) => {
  const requests = w.rounds + w.minutes * w.regions + w.verdictRequests + w.minutes * 2;
  return {
    service: "Lambda",
    item: "requests (probe rounds, watchdog, verdicts, evaluator, notify)",
    quantity: requests,
    unit: "requests",
    usdPerMonth: perMillion(requests, prices.lambdaRequests.usd),
    basis: `${count(w.rounds)} probe rounds, a watchdog run a minute per region, ${count(w.verdictRequests)} health-check requests, the evaluator and notify once a minute`,
  };
};

const probeDuration: LineItemOf = (w) => {
  const memory = w.sizing.probe.memoryMb;
  const gbs = gbSeconds(w.rounds, w.roundMs, memory) + gbSeconds(w.minutes * w.regions, 50, memory);
  return {
    service: "Lambda",
    item: `probe duration (${w.roundMs} ms a round, ${memory} MB arm64)`,
    quantity: gbs,
    unit: "GB-s",
    usdPerMonth: gbs * prices.lambdaArmGbSecond.usd,
    basis: `${a.probeRoundFixedMs} ms fixed + ${a.probeMsPerProbe} ms per probe x ${w.probesPerRound} + a home-table write in one round of ${w.heartbeatRounds} (heartbeat) and in noteworthy ones`,
  };
};

const verdictDuration: LineItemOf = (w) => {
  const gbs = gbSeconds(w.verdictRequests, a.verdictMs, w.sizing.verdict.memoryMb);
  return {
    service: "Lambda",
    item: `verdict duration (${Math.round(w.verdictRequests / w.minutes)} health-check requests a minute)`,
    quantity: gbs,
    unit: "GB-s",
    usdPerMonth: gbs * prices.lambdaArmGbSecond.usd,
    basis: `each HTTPS check polled by ~${a.checkersPerRegion} checkers in each checker region, ${a.verdictMs} ms a request`,
  };
};

const controlDuration: LineItemOf = (w) => {
  const gbs =
    gbSeconds(w.minutes, a.evaluatorBaseMs + a.evaluatorMsPerSite * w.sites, w.sizing.evaluate.memoryMb) +
    gbSeconds(w.minutes, a.notifyMs, w.sizing.notify.memoryMb);
  return {
    service: "Lambda",
    item: "evaluator and notify duration",
    quantity: gbs,
    unit: "GB-s",
    usdPerMonth: gbs * prices.lambdaArmGbSecond.usd,
    basis: "one evaluator and one notify run a minute",
  };
};

const probeClock: LineItemOf = (w) => {
  const requests = w.rounds * 3 + a.sqsIdleReceivesPerMinute * w.minutes * w.regions;
  return {
    service: "SQS",
    item: "probe tick chain (send, receive, delete; Lambda's idle long polls)",
    quantity: requests,
    unit: "requests",
    usdPerMonth: perMillion(requests, prices.sqsRequests.usd),
    basis: `a send, a receive and a delete per round, and ${a.sqsIdleReceivesPerMinute} idle long polls a minute per region`,
  };
};

const dynamoWrites: LineItemOf = (w) => {
  // A noteworthy provider round is one item of its results, billed per started KB.
  const resultUnits = w.config.sites.flatMap((s) =>
    s.providers.map((p) => Math.ceil(a.probeRoundBaseKb + a.probeResultKb * p.probes.length)),
  );
  const resultWrites =
    resultUnits.reduce((n, units) => n + units, 0) * w.roundsPerRegion * w.regions * a.noteworthyRoundShare;
  // A tracker is written when a round changes it, which only a noteworthy round does; data-plane
  // items only when a verdict or a latch moves (a handful a month, not counted).
  const trackerWrites = w.providers * w.rounds * a.noteworthyRoundShare;
  const heartbeatWrites = w.rounds / w.heartbeatRounds;
  const evaluatorWrites =
    w.minutes * w.sites * (a.stateWriteUnitsPerMinute + w.providers / Math.max(1, w.sites));
  const writes = resultWrites + trackerWrites + heartbeatWrites + evaluatorWrites;
  return {
    service: "DynamoDB",
    item: "writes (state and rollups, region heartbeats, trackers and results of noteworthy rounds)",
    quantity: writes,
    unit: "WRU",
    usdPerMonth: perMillion(writes, prices.dynamoWrite.usd),
    basis: `the state twice a minute (${a.stateWriteUnitsPerMinute} units) and the minute rollups (${count(evaluatorWrites)}), a heartbeat per region every ${w.heartbeatRounds} rounds (${count(heartbeatWrites)}), trackers and results of the ${a.noteworthyRoundShare * 100}% noteworthy rounds (${count(trackerWrites + resultWrites)}); data-plane items only when a verdict or latch moves`,
  };
};

const dynamoReads: LineItemOf = (w) => {
  const latchReads = w.sites * w.regions * w.minutes * 2;
  const evaluatorReads = w.minutes * w.sites * 5;
  const verdictReads = w.verdictRequests * 0.5;
  const reads = latchReads + evaluatorReads + verdictReads;
  return {
    service: "DynamoDB",
    item: "reads (latch, evaluator, verdict endpoints)",
    quantity: reads,
    unit: "RRU",
    usdPerMonth: perMillion(reads, prices.dynamoRead.usd),
    basis:
      "the latch twice a minute per site and region, 5 units per site and evaluation (state, trackers, heartbeats), half a unit per health-check request; probes fold onto the trackers they keep",
  };
};

const dynamoStorage: LineItemOf = (w) => {
  const roundKb = w.config.sites.reduce(
    (n, s) => n + s.providers.reduce((m, p) => m + a.probeRoundBaseKb + a.probeResultKb * p.probes.length, 0),
    0,
  );
  const resultGb =
    ((w.roundsPerRegion * w.regions * roundKb * a.noteworthyRoundShare) / a.daysPerMonth) *
    (a.resultRetentionDays / 1_000_000);
  const rollupGb = (w.providers * w.minutes * a.rollupMonthsStored * a.rollupKb) / 1_000_000;
  const gb = resultGb + rollupGb;
  return {
    service: "DynamoDB",
    item: "storage (rollups kept, 35 days of noteworthy results) and point-in-time recovery",
    quantity: gb,
    unit: "GB",
    usdPerMonth: gb * (prices.dynamoStorage.usd + prices.dynamoPitr.usd),
    basis: `a ${a.rollupKb} KB rollup per provider and minute, kept (priced at ${a.rollupMonthsStored} months, the first year's average)`,
  };
};

const scheduler: LineItemOf = (w) => {
  const invocations = (w.regions + 2) * w.minutes + 1;
  return {
    service: "EventBridge",
    item: "Scheduler (probe watchdogs, evaluator, notify, monthly report)",
    quantity: invocations,
    unit: "invocations",
    usdPerMonth: perMillion(invocations, prices.schedulerInvocations.usd),
    basis: "one-minute schedules: a watchdog per region, the evaluator, notify; the report once a month",
  };
};

const customEvents: LineItemOf = () => ({
  service: "EventBridge",
  item: "custom events (transitions, verdict changes, reports)",
  quantity: 1_000,
  unit: "events",
  usdPerMonth: perMillion(1_000, prices.eventBridgeEvents.usd),
  basis: "a generous month of state changes and verdict changes",
});

const httpsHealthChecks: LineItemOf = (w) => {
  const settings = dataPlaneSettings(w.config);
  const fast = settings.healthCheckIntervalSeconds === 10;
  const [base, option] =
    w.billing === "aws-endpoint"
      ? [prices.healthCheckAws.usd, prices.healthCheckOptionAws.usd]
      : [prices.healthCheckNonAws.usd, prices.healthCheckOptionNonAws.usd];
  // Billed options: HTTPS always; string matching (HTTPS_STR_MATCH) and the fast interval if chosen.
  const features = [
    "HTTPS",
    ...(settings.matchString ? ["string match"] : []),
    ...(fast ? ["fast interval"] : []),
  ];
  const perCheck = base + features.length * option;
  return {
    service: "Route 53",
    item: `health checks on verdict URLs (${features.join(", ")}${fast ? "" : ", 30 s interval"}, inverted; $${perCheck.toFixed(2)} each)`,
    quantity: w.httpsChecks,
    unit: "checks",
    usdPerMonth: w.httpsChecks * perCheck,
    basis: `one per probe region for each of ${healthCheckedPaths(w.config).length} health-checked path(s) (sites sharing a primary path share them)`,
  };
};

const calculatedHealthChecks: LineItemOf = (w) => ({
  service: "Route 53",
  item: "calculated (quorum) health checks",
  quantity: w.calculatedChecks,
  unit: "checks",
  usdPerMonth: w.calculatedChecks * prices.healthCheckCalculated.usd,
  basis: "one per health-checked path, on its primaries' records",
});

const hostedZones: LineItemOf = (w) => ({
  service: "Route 53",
  item: "hosted zone(s) of the login hostnames (usually one you already pay for)",
  quantity: w.hostedZones,
  unit: "zones",
  usdPerMonth: w.hostedZones * prices.route53HostedZone.usd,
  basis: "the zones the sites name; the deployment creates none, but failover needs the name in Route 53",
});

const dnsQueries: LineItemOf = (w) => {
  const queries = w.sites * w.dnsQueriesPerSite;
  return {
    service: "Route 53",
    item: "queries for the login hostnames (assumed volume)",
    quantity: queries,
    unit: "queries",
    usdPerMonth: perMillion(queries, prices.route53Queries.usd),
    basis: "your users' lookups (--dns-queries sets the volume); the deployment adds none",
  };
};

const metrics: LineItemOf = () => ({
  service: "CloudWatch",
  item: "custom metrics (ProbeResultAgeSeconds)",
  quantity: 1,
  unit: "metrics",
  usdPerMonth: prices.cloudwatchMetric.usd,
  basis:
    "the age of the newest result in the home region, which an alarm watches; probe latency is a log line per round (Logs Insights percentiles), the rest are published only when something happens",
});

const alarms: LineItemOf = () => ({
  service: "CloudWatch",
  item: "alarms (no probe results, evaluator errors)",
  quantity: 2,
  unit: "alarms",
  usdPerMonth: 2 * prices.cloudwatchAlarm.usd,
  basis: "two standard alarms in the home region",
});

const logs: LineItemOf = (w) => {
  const gb =
    (w.rounds * a.probeLogKbPerRound + w.minutes * a.evaluatorLogKbPerRun * Math.max(1, w.sites / 10)) /
    1_000_000;
  return {
    service: "CloudWatch",
    item: "logs (EMF and JSON; Lambda platform lines dropped)",
    quantity: gb,
    unit: "GB",
    usdPerMonth: gb * (prices.cloudwatchLogIngest.usd + prices.cloudwatchLogStorage.usd),
    basis: `${a.probeLogKbPerRound} KB per probe round, ${a.evaluatorLogKbPerRun} KB per evaluation`,
  };
};

/** Every line item, in print order. */
export const lineItemsOf: readonly LineItemOf[] = [
  lambdaRequests,
  probeDuration,
  verdictDuration,
  controlDuration,
  probeClock,
  dynamoWrites,
  dynamoReads,
  dynamoStorage,
  scheduler,
  customEvents,
  httpsHealthChecks,
  calculatedHealthChecks,
  hostedZones,
  dnsQueries,
  metrics,
  alarms,
  logs,
];

export function estimateCost(config: Config, options: CostOptions = {}): CostEstimate {
  const w = workloadOf(config, options);
  const items = lineItemsOf.map((item) => item(w));
  const total = items.reduce((sum, i) => sum + i.usdPerMonth, 0);
  const sleepingGbs = w.minutes * 60 * w.regions * (w.sizing.probe.memoryMb / 1024);
  return {
    sites: w.sites,
    regions: w.regions,
    providers: w.providers,
    probesPerRound: w.probesPerRound,
    cadenceSeconds: config.policy.cadenceSeconds,
    healthCheckBilling: w.billing,
    healthChecks: {
      needed: w.httpsChecks + w.calculatedChecks,
      quota: dataPlaneSettings(config).healthCheckQuota,
    },
    lineItems: items.map((i) => ({
      ...i,
      quantity: Math.round(i.quantity * 100) / 100,
      usdPerMonth: round2(i.usdPerMonth),
    })),
    totalUsdPerMonth: round2(total),
    sleepingProbeUsd: round2(
      sleepingGbs * prices.lambdaArmGbSecond.usd +
        perMillion(w.minutes * w.regions, prices.lambdaRequests.usd),
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
    // Each copy is its own customer: its own paths (sharing is priced where configs share them).
    providers: template.providers.map((p) => ({ ...p, dnsTarget: `s${i + 1}.${p.dnsTarget}` })),
  }));
  return { ...config, sites };
}
