import { type ReservedConcurrency, reservedConcurrency, siteTiers } from "./account-limits.js";
import { type Config, dataPlaneSettings, dataPlaneSites, healthChecksNeeded, type Site } from "./config.js";
import { assumptions as a, prices } from "./cost-prices.js";
import { healthCheckedPaths } from "./data-plane.js";
import {
  functionSizing,
  type ProbeFanout,
  probeFanout,
  probeShards,
  shardRoundMs,
} from "./deployment-sizing.js";

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
  /** Sites health-checked by Route 53 (data plane), and sites failed over by the control plane alone. */
  tiers: { dataPlane: number; controlPlaneOnly: number };
  regions: number;
  providers: number;
  probesPerRound: number;
  cadenceSeconds: number;
  healthCheckBilling: HealthCheckBilling;
  /** Route 53 health checks the deployment creates, and the account quota they count against. */
  healthChecks: { needed: number; quota: number };
  /** Lambda concurrency the deployment reserves in each region, against the account's quota. */
  lambdaConcurrency: ReservedConcurrency[];
  /** How each region's probe round is run (probe-round model, deployment-sizing.ts). */
  probeRound: { shards: number; roundMs: number; budgetMs: number };
  lineItems: LineItem[];
  totalUsdPerMonth: number;
  perSiteUsdPerMonth: number;
  /** What the probe clock would cost as one Lambda per region sleeping between rounds. */
  sleepingProbeUsd: number;
}

/** The counts every line item is priced from, per month. */
export interface Workload {
  config: Config;
  billing: HealthCheckBilling;
  dnsQueriesPerSite: number;
  sites: number;
  /** Sites with a data plane (health checks, verdict items, latch reads). */
  dataPlaneSites: number;
  /** Sites with a continuity section: one readiness run a day each. */
  readinessSites: number;
  regions: number;
  providers: number;
  probesPerRound: number;
  hostedZones: number;
  minutes: number;
  /** Probe rounds per region, and in all regions. */
  roundsPerRegion: number;
  rounds: number;
  /** Rounds between two heartbeats of a region's shard (a third of the stale period). */
  heartbeatRounds: number;
  /** Share of rounds that call the home table (a heartbeat due, or something noteworthy). */
  homeCallShare: number;
  fanout: ProbeFanout;
  /** Probes per round in each shard of a region (one entry when the probe function probes alone). */
  shardProbes: number[];
  httpsChecks: number;
  calculatedChecks: number;
  verdictRequests: number;
  sizing: ReturnType<typeof functionSizing>;
}

const perMillion = (count: number, usd: number) => (count / 1_000_000) * usd;
const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
  invocations * (ms / 1000) * (memoryMb / 1024);
const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** A site's probes in an average round: a site with its own, longer cadence is probed every k-th round. */
function probesOf(site: Site, cadenceSeconds: number): number {
  const probes = site.providers.reduce((m, p) => m + p.probes.length, 0);
  return (probes * cadenceSeconds) / site.policy.cadenceSeconds;
}

export function workloadOf(config: Config, options: CostOptions = {}): Workload {
  const settings = dataPlaneSettings(config);
  const regions = config.regions.length;
  const minutes = (a.daysPerMonth * 86_400) / 60;
  const cadence = config.policy.cadenceSeconds;
  const roundsPerRegion = (minutes * 60) / cadence;
  const probesPerRound = config.sites.reduce((n, s) => n + probesOf(s, cadence), 0);
  const staleAfterSeconds = Math.min(
    config.policy.staleAfterSeconds,
    ...config.sites.map((s) => s.policy.staleAfterSeconds),
  );
  const heartbeatRounds = Math.max(1, Math.ceil(staleAfterSeconds / 3 / cadence));
  const { https, calculated } = healthChecksNeeded(config);
  const checkers = settings.checkerRegions.length * a.checkersPerRegion;
  const byId = new Map(config.sites.map((s) => [s.id, s]));
  const shardProbes = probeShards(config).map((shard) =>
    shard.sites.reduce((n, id) => {
      const site = byId.get(id);
      return n + (site ? probesOf(site, cadence) : 0);
    }, 0),
  );
  return {
    config,
    billing: options.healthCheckBilling ?? "aws-endpoint",
    dnsQueriesPerSite: options.dnsQueriesPerSite ?? a.dnsQueriesPerSitePerMonth,
    sites: config.sites.length,
    dataPlaneSites: dataPlaneSites(config).length,
    readinessSites: config.sites.filter((s) => s.continuity).length,
    regions,
    providers: config.sites.reduce((n, s) => n + s.providers.length, 0),
    probesPerRound,
    hostedZones: new Set(config.sites.map((s) => s.hostedZoneId)).size,
    minutes,
    roundsPerRegion,
    rounds: roundsPerRegion * regions,
    heartbeatRounds,
    // A round calls the home table when one of its heartbeats is due or the round is noteworthy.
    homeCallShare: Math.min(1, 1 / heartbeatRounds + a.noteworthyRoundShare),
    fanout: probeFanout(config),
    shardProbes,
    httpsChecks: https,
    calculatedChecks: calculated,
    verdictRequests: https * checkers * (60 / settings.healthCheckIntervalSeconds) * minutes,
    sizing: functionSizing(config),
  };
}

type LineItemOf = (w: Workload) => LineItem;

const lambdaRequests: LineItemOf = (w) => {
  const shardInvocations = w.fanout.shards > 1 ? w.rounds * w.fanout.shards : 0;
  const requests = w.rounds + shardInvocations + w.minutes * w.regions + w.verdictRequests + w.minutes * 2;
  return {
    service: "Lambda",
    item: "requests (probe rounds and shards, watchdog, verdicts, evaluator, notify)",
    quantity: requests,
    unit: "requests",
    usdPerMonth: perMillion(requests, prices.lambdaRequests.usd),
    basis: `${count(w.rounds)} probe rounds${w.fanout.shards > 1 ? ` and ${count(shardInvocations)} shard invocations (${w.fanout.shards} a round)` : ""}, a watchdog run a minute per region, ${count(w.verdictRequests)} health-check requests, the evaluator and notify once a minute`,
  };
};

/** One region's round, billed: the probe function's (or coordinator's) part and the shards'. */
function probeRoundBilling(w: Workload): { proberMs: number; shardsGbs: number; shardsMs: number[] } {
  const homeMs = a.homeTableCallMs * w.homeCallShare;
  if (w.fanout.shards === 1) {
    return {
      proberMs: shardRoundMs(w.probesPerRound, w.sizing.probe.memoryMb) + homeMs,
      shardsGbs: 0,
      shardsMs: [],
    };
  }
  const memory = w.sizing.probeShard?.memoryMb ?? w.fanout.proberMemoryMb;
  const shardsMs = w.shardProbes.map((probes) => shardRoundMs(probes, memory));
  const shardsGbs = shardsMs.reduce((n, ms) => n + gbSeconds(1, ms, memory), 0);
  // The coordinator waits for its slowest shard, folds every answer, then writes.
  return { proberMs: w.fanout.roundMs + homeMs, shardsGbs, shardsMs };
}

const probeDuration: LineItemOf = (w) => {
  const memory = w.sizing.probe.memoryMb;
  const round = probeRoundBilling(w);
  const proberMs = Math.round(round.proberMs);
  const gbs =
    gbSeconds(w.rounds, round.proberMs, memory) +
    w.rounds * round.shardsGbs +
    gbSeconds(w.minutes * w.regions, 50, memory);
  const shardMemory = w.sizing.probeShard?.memoryMb;
  const shardText =
    w.fanout.shards > 1
      ? `, ${w.fanout.shards} shards of ${Math.min(...w.shardProbes)}-${Math.max(...w.shardProbes)} probes at ${shardMemory} MB taking ${Math.min(...round.shardsMs)}-${Math.max(...round.shardsMs)} ms`
      : "";
  return {
    service: "Lambda",
    item: `probe duration (${w.fanout.shards > 1 ? "coordinator" : "probe"} ${proberMs} ms a round at ${memory} MB${shardText}; arm64)`,
    quantity: gbs,
    unit: "GB-s",
    usdPerMonth: gbs * prices.lambdaArmGbSecond.usd,
    basis:
      `the probe round model (deployment-sizing.ts, measured by the fanout bench): ${w.probesPerRound} probes a round in each region` +
      `${w.fanout.shards > 1 ? ", the coordinator billed while it waits for its slowest shard" : ""}, a home-table call in ${Math.round(w.homeCallShare * 100)}% of rounds (heartbeats, noteworthy rounds), and the watchdog`,
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

const readiness: LineItemOf = (w) => {
  const runs = w.readinessSites * a.daysPerMonth;
  const memory = w.sizing.readiness.memoryMb;
  const gbs = gbSeconds(runs, a.readinessRunSeconds * 1000, memory);
  const writes = runs * a.readinessWriteUnitsPerRun;
  const usd =
    gbs * prices.lambdaArmGbSecond.usd +
    perMillion(runs, prices.lambdaRequests.usd + prices.schedulerInvocations.usd) +
    perMillion(writes, prices.dynamoWrite.usd) +
    (w.readinessSites * a.readinessStoredMb * (prices.dynamoStorage.usd + prices.dynamoPitr.usd)) / 1000;
  return {
    service: "Lambda",
    item: `continuity readiness runs (${w.readinessSites} site(s) with continuity, daily)`,
    quantity: runs,
    unit: "runs",
    usdPerMonth: usd,
    basis: `assumed: a run of ${a.readinessRunSeconds} s at ${memory} MB (a 100,000-user directory; the bench's 45 s against the stand-ins, the vendors slower), ${count(a.readinessWriteUnitsPerRun)} write units a run (the Entra state's chunks and the result), ${a.readinessStoredMb} MB kept a site; its schedule's invocation`,
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
  const heartbeatWrites = (w.rounds * w.fanout.shards) / w.heartbeatRounds;
  const evaluatorWrites =
    w.minutes * w.sites * (a.stateWriteUnitsPerMinute + w.providers / Math.max(1, w.sites));
  const writes = resultWrites + trackerWrites + heartbeatWrites + evaluatorWrites;
  return {
    service: "DynamoDB",
    item: "writes (state and rollups, region heartbeats, trackers and results of noteworthy rounds)",
    quantity: writes,
    unit: "WRU",
    usdPerMonth: perMillion(writes, prices.dynamoWrite.usd),
    basis: `the state twice a minute (${a.stateWriteUnitsPerMinute} units) and the minute rollups (${count(evaluatorWrites)}), a heartbeat per region and shard every ${w.heartbeatRounds} rounds (${count(heartbeatWrites)}), trackers and results of the ${a.noteworthyRoundShare * 100}% noteworthy rounds (${count(trackerWrites + resultWrites)}); data-plane items only when a verdict or latch moves`,
  };
};

const dynamoReads: LineItemOf = (w) => {
  // Only a site with a data plane has a latch to read: its verdict items carry it.
  const latchReads = w.dataPlaneSites * w.regions * w.minutes * a.latchReadsPerMinute;
  const evaluatorReads = w.minutes * w.sites * a.evaluatorReadUnitsPerSite;
  // The heartbeats once a pass: one small item per region and shard, read together (4 KB a unit).
  const heartbeatReads = w.minutes * Math.ceil((w.regions * w.fanout.shards * a.heartbeatKb) / 4);
  const verdictReads = w.verdictRequests * 0.5;
  const reads = latchReads + evaluatorReads + heartbeatReads + verdictReads;
  return {
    service: "DynamoDB",
    item: "reads (evaluator, heartbeats, latch, verdict endpoints)",
    quantity: reads,
    unit: "RRU",
    usdPerMonth: perMillion(reads, prices.dynamoRead.usd),
    basis:
      `${a.evaluatorReadUnitsPerSite} units per site and evaluation (state, trackers, public DNS observations), the heartbeats once a pass (${count(heartbeatReads)}), ` +
      `the latch ${a.latchReadsPerMinute} times a minute per region for the ${w.dataPlaneSites} site(s) with a data plane, half a unit per health-check request; probes fold onto the trackers they keep`,
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
  item: "alarms (no probe results, evaluator errors, notifications abandoned)",
  quantity: 3,
  unit: "alarms",
  usdPerMonth: 3 * prices.cloudwatchAlarm.usd,
  basis: "three standard alarms in the home region",
});

const logs: LineItemOf = (w) => {
  const shardInvocations = w.fanout.shards > 1 ? w.rounds * w.fanout.shards : 0;
  const gb =
    (w.rounds * a.probeLogKbPerRound +
      shardInvocations * a.shardLogKbPerRound +
      w.minutes * a.evaluatorLogKbPerRun * Math.max(1, w.sites / 10)) /
    1_000_000;
  return {
    service: "CloudWatch",
    item: "logs (EMF and JSON; Lambda platform lines dropped)",
    quantity: gb,
    unit: "GB",
    usdPerMonth: gb * (prices.cloudwatchLogIngest.usd + prices.cloudwatchLogStorage.usd),
    basis: `${a.probeLogKbPerRound} KB per probe round${w.fanout.shards > 1 ? ` and ${a.shardLogKbPerRound} KB per shard invocation` : ""}, ${a.evaluatorLogKbPerRun} KB per evaluation (a tenth of the sites')`,
  };
};

/** Every line item, in print order. */
export const lineItemsOf: readonly LineItemOf[] = [
  lambdaRequests,
  probeDuration,
  verdictDuration,
  controlDuration,
  readiness,
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
    tiers: siteTiers(config),
    regions: w.regions,
    providers: w.providers,
    probesPerRound: w.probesPerRound,
    cadenceSeconds: config.policy.cadenceSeconds,
    healthCheckBilling: w.billing,
    healthChecks: {
      needed: w.httpsChecks + w.calculatedChecks,
      quota: dataPlaneSettings(config).healthCheckQuota,
    },
    lambdaConcurrency: reservedConcurrency(config),
    probeRound: { shards: w.fanout.shards, roundMs: w.fanout.roundMs, budgetMs: w.fanout.budgetMs },
    lineItems: items.map((i) => ({
      ...i,
      quantity: Math.round(i.quantity * 100) / 100,
      usdPerMonth: round2(i.usdPerMonth),
    })),
    totalUsdPerMonth: round2(total),
    perSiteUsdPerMonth: round2(total / Math.max(1, w.sites)),
    sleepingProbeUsd: round2(
      sleepingGbs * prices.lambdaArmGbSecond.usd +
        perMillion(w.minutes * w.regions, prices.lambdaRequests.usd),
    ),
  };
}

function round2(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/**
 * The same config with `count` sites, each a copy of the first (for "how does it grow" and
 * `idpctl cost --sites`); `tier` puts every copy in that tier (default: the first site's).
 */
export function withSites(config: Config, count: number, tier?: { dataPlane: boolean }): Config {
  const template = config.sites[0];
  if (!template) return config;
  const dataPlane = dataPlaneSettings(config).enabled && (tier?.dataPlane ?? template.dataPlane !== false);
  const sites = Array.from({ length: count }, (_, i) => ({
    ...template,
    id: `${template.id}-${i + 1}`,
    hostname: `s${i + 1}.${template.hostname}`,
    // Each copy is its own customer: its own paths (sharing is priced where configs share them).
    providers: template.providers.map((p) => ({ ...p, dnsTarget: `s${i + 1}.${p.dnsTarget}` })),
    dataPlane,
  }));
  return { ...config, sites };
}
