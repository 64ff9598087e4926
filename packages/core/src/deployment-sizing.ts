import { type Config, dataPlaneSettings, healthChecksNeeded, worstRoundMs } from "./config.js";
import { assignShards, type ProbeShard } from "./probe-shards.js";

/*
 * How big each function is, decided once from the config so the stacks deploy exactly what
 * `idpctl cost` prices. The probe gets 256 MB only when a probe kind loads a vendor SDK (Okta's
 * management SDK, Microsoft Graph); discovery, JWKS and token probes run in 128 MB. Lambda bills
 * memory x duration, so the probe (every 10 s in every region) is sized down first.
 */

/*
 * The Lambda runtime every function runs on, and the esbuild target that matches it. Checked
 * 2026-12-04 against the Lambda developer guide's "Lambda runtimes" table: Node.js 24 (`nodejs24.x`,
 * Amazon Linux 2023, arm64 and x86_64) is supported and deprecates 2028-04-30; Node.js 22 deprecates
 * 2027-04-30 and Node.js 20 was deprecated 2026-04-30 (new functions blocked from 2027-02-01). SST
 * bundles with esbuild's `esnext` target whatever the runtime (no syntax lowering), which Node 24 runs
 * as is; our own bundles (tests, benchmarks) name `node24` so they fail if code needs something newer.
 * Update the three together, with package.json's `engines` and docs/deploy.md.
 */
export const lambdaRuntime = {
  runtime: "nodejs24.x",
  architecture: "arm64",
  esbuildTarget: "node24",
  checkedOn: "2026-12-04",
} as const;

export interface FunctionSize {
  memoryMb: number;
  timeoutSeconds: number;
  /** Concurrency reserved for (and capping) the function; none when absent. */
  reservedConcurrency?: number;
}

/*
 * How long a region's probe round takes, and so how many shards its sites need to keep the cadence
 * (probe-shards.ts). Measured 2026-12-04 by `npm run bench -- fanout --sites 1000`: one region's round
 * of 1,000 sites, each an Okta and an Entra provider with discovery, key set and token probes (6,000
 * probes), against the stand-ins answering 150 ms late over HTTPS, through the real round, worker and
 * Lambda client code. Its largest shard alone (68 sites, 408 probes, on one core of the bench machine)
 * took 3.5 s and 0.9-1.0 s of CPU; the coordinator's part of the whole round was 0.21 s of CPU. Run
 * again on the layout these numbers give (16 shards), the largest (74 sites, 444 probes) took 3.8 s,
 * the model's figure for it. Every
 * probe opens its own connection (DNS, TCP and TLS are part of the check), so the TLS handshake is
 * most of a probe's CPU. Re-measure and update these together, with the date.
 *
 *   a shard of P probes at M MB takes  fixedMs + max(ceil(P / concurrency) x slotMs,  P x cpuMs x 1769 / M)
 *                                                     (waiting on answers)           (its CPU at M's share)
 *
 * Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB (Lambda developer
 * guide, "Configure Lambda function memory", checked 2026-12-04). Below that, a round of many probes is
 * CPU-bound and costs the same GB-seconds at any memory; above the point where the CPU keeps up with
 * the answers, memory buys nothing. So a shard runs at the memory where its CPU is `shardCpuShare`
 * busy while it waits on answers, and holds as many probes as fit `cadenceShare` of the cadence:
 * the rest of the cadence is for slow answers, retries and the coordinator's writes. The bench's CPU
 * is an x86 core shared with other work, Lambda's an arm64 (Graviton) share: the margins cover that.
 */
export const probeRoundModel = {
  measuredOn: "2026-12-04",
  /** CPU of one probe with a whole vCPU: TLS handshake, parsing, signature checks (the largest shard alone: CPU / probes). */
  cpuMsPerProbe: 2.4,
  /** How long a probe holds one of the round's concurrency slots, answers 150 ms away (the largest shard alone). */
  slotMsPerProbe: 250,
  /** Probes in flight at once in one shard (`runRegionRound`'s default). */
  concurrency: 32,
  /** A shard's round beyond its probes: set-up, the canaries' slowest answer, the reply. */
  shardFixedMs: 300,
  /** The coordinator's CPU per result with a whole vCPU: the invoke, parsing a shard's answer, folding it (bench). */
  coordinatorCpuMsPerResult: 0.035,
  /** Lambda: one vCPU at 1,769 MB, CPU in proportion below. */
  memoryMbPerVcpu: 1769,
  /** A healthy round may take this share of the cadence. */
  cadenceShare: 0.5,
  /** How busy a shard's CPU may be while it waits on answers (busier, and its probes' latencies queue). */
  shardCpuShare: 0.8,
} as const;

export interface ProbeFanout {
  /** Shards each region's sites are split into; 1: the probe function probes them all itself. */
  shards: number;
  /** Probes in one region's round, and in its largest shard. */
  probesPerRound: number;
  largestShardProbes: number;
  /** Memory of the function that probes: the probe function itself (1 shard), or each shard worker. */
  proberMemoryMb: number;
  /** The largest shard's round, ms (model above). */
  shardRoundMs: number;
  /** The coordinator's part of a fanned-out round (parsing and folding every shard's answer), ms. */
  coordinatorMs: number;
  /** A healthy round, start to finish: the largest shard's and the coordinator's, ms. */
  roundMs: number;
  /** What a healthy round may take: `cadenceShare` of the cadence, ms. */
  budgetMs: number;
}

/** The probe function's memory when it probes itself: 256 MB only when a probe kind loads a vendor SDK. */
function baseProbeMemoryMb(config: Config): number {
  const heavy = config.sites.some((site) =>
    site.providers.some((p) =>
      p.probes.some((probe) => probe.kind === "okta-api" || probe.kind === "graph-health"),
    ),
  );
  return heavy ? 256 : 128;
}

const roundUp64 = (mb: number) => Math.ceil(mb / 64) * 64;

/** A shard of `probes` at `memoryMb`, per the model. */
export function shardRoundMs(probes: number, memoryMb: number): number {
  const m = probeRoundModel;
  if (probes === 0) return 0;
  const waiting = Math.ceil(probes / m.concurrency) * m.slotMsPerProbe;
  const computing = (probes * m.cpuMsPerProbe * m.memoryMbPerVcpu) / Math.min(memoryMb, m.memoryMbPerVcpu);
  return Math.round(m.shardFixedMs + Math.max(waiting, computing));
}

/** The memory at which a shard's CPU is `shardCpuShare` busy while it waits on answers. */
export function shardMemoryMb(): number {
  const m = probeRoundModel;
  const keepsUp =
    (m.cpuMsPerProbe * m.memoryMbPerVcpu * m.concurrency) / (m.slotMsPerProbe * m.shardCpuShare);
  return Math.min(m.memoryMbPerVcpu, Math.max(256, roundUp64(keepsUp)));
}

function probesOf(config: Config, siteIds?: ReadonlySet<string>): number {
  return config.sites.reduce(
    (n, s) => (siteIds && !siteIds.has(s.id) ? n : n + s.providers.reduce((m, p) => m + p.probes.length, 0)),
    0,
  );
}

/**
 * How a region's round is run for this config: by the probe function alone while a round fits the
 * budget at a memory no larger than a shard's, else by as many shards (each at `shardMemoryMb`) as
 * keep the largest one within the budget. Deterministic: the stacks, `idpctl cost` and the evaluator
 * (which reads each shard's heartbeat) all derive the same layout from the same config.
 */
export function probeFanout(config: Config): ProbeFanout {
  const m = probeRoundModel;
  const budgetMs = config.policy.cadenceSeconds * 1000 * m.cadenceShare;
  const probes = probesOf(config);
  const shardMemory = shardMemoryMb();
  const fits = (n: number, memoryMb: number) => shardRoundMs(n, memoryMb) <= budgetMs;
  if (fits(probes, shardMemory)) {
    // One function probes it all, at the least memory that keeps the round within the budget.
    let memory = baseProbeMemoryMb(config);
    while (!fits(probes, memory) && memory < shardMemory) memory = Math.min(shardMemory, memory + 64);
    const roundMs = shardRoundMs(probes, memory);
    return {
      shards: 1,
      probesPerRound: probes,
      largestShardProbes: probes,
      proberMemoryMb: memory,
      shardRoundMs: roundMs,
      coordinatorMs: 0,
      roundMs,
      budgetMs,
    };
  }
  // The coordinator folds every answer after the shards have run: the shards get what it leaves.
  const coordinatorMs = Math.round(
    (probes * m.coordinatorCpuMsPerResult * m.memoryMbPerVcpu) /
      coordinatorMemoryMb(probes, config.policy.cadenceSeconds),
  );
  const shardBudgetMs = budgetMs - coordinatorMs;
  const perSite = Math.max(1, probes / Math.max(1, config.sites.length));
  let count = Math.max(2, Math.ceil(probes / capacityOf(shardBudgetMs, shardMemory, perSite)));
  let largest = largestShard(config, count);
  // Hashing does not split evenly: add shards until the largest one fits (one or two more at most).
  while (shardRoundMs(largest, shardMemory) > shardBudgetMs && count < config.sites.length) {
    count++;
    largest = largestShard(config, count);
  }
  const shardMs = shardRoundMs(largest, shardMemory);
  return {
    shards: count,
    probesPerRound: probes,
    largestShardProbes: largest,
    proberMemoryMb: shardMemory,
    shardRoundMs: shardMs,
    coordinatorMs,
    roundMs: shardMs + coordinatorMs,
    budgetMs,
  };
}

/** Probes a shard at `memoryMb` can run within `budgetMs`, in whole sites of `perSite` probes. */
function capacityOf(budgetMs: number, memoryMb: number, perSite: number): number {
  let sites = 1;
  while (shardRoundMs(Math.ceil((sites + 1) * perSite), memoryMb) <= budgetMs) sites++;
  return Math.max(1, Math.floor(sites * perSite));
}

function largestShard(config: Config, count: number): number {
  const ids = config.sites.map((s) => s.id);
  return Math.max(...assignShards(ids, count).map((shard) => probesOf(config, new Set(shard.sites))));
}

/**
 * The coordinator's memory: enough CPU to parse and fold a whole region's answers in a tenth of the
 * cadence, and never below 256 MB (it holds every shard's answer at once). It mostly waits for its
 * shards, billed all the while, so it gets no more than that.
 */
function coordinatorMemoryMb(probes: number, cadenceSeconds: number): number {
  const m = probeRoundModel;
  const cpuMs = probes * m.coordinatorCpuMsPerResult;
  const needed = (cpuMs * m.memoryMbPerVcpu) / (cadenceSeconds * 100);
  return Math.min(m.memoryMbPerVcpu, Math.max(256, roundUp64(needed)));
}

/** How a region's sites are split for this config (one shard of every site below the fan-out). */
export function probeShards(config: Config): ProbeShard[] {
  return assignShards(
    config.sites.map((s) => s.id),
    probeFanout(config).shards,
  );
}

export interface FunctionSizing {
  /** The probe function: the region's tick chain; it probes itself, or coordinates the shards. */
  probe: FunctionSize;
  /** The shard worker, when the region's sites are split into more than one shard. */
  probeShard?: FunctionSize;
  verdict: FunctionSize;
  evaluate: FunctionSize;
  notify: FunctionSize;
  slackInteractions: FunctionSize;
  report: FunctionSize;
  /** A site's daily continuity readiness run: Lambda's longest timeout, CPU for the comparison. */
  readiness: FunctionSize;
}

/**
 * The verdict function's reserved concurrency, per region. Reserved, it cannot take the account's
 * concurrency from the probe and the evaluator however hard it is flooded, and it always has this
 * much; a flood beyond it is throttled (429), which the inverted checks read as "keep". Route 53's
 * checks need little: every check's checkers poll each endpoint once per interval, and an answer
 * takes milliseconds, so ten times the steady need (at least 5) leaves room for their bursts.
 */
export function verdictConcurrency(config: Config): number {
  const settings = dataPlaneSettings(config);
  const checks = healthChecksNeeded(config).calculated;
  const checkers = settings.checkerRegions.length * 2;
  const perSecond = (checks * checkers) / settings.healthCheckIntervalSeconds;
  return Math.min(100, Math.max(5, Math.ceil(perSecond * 0.05 * 10)));
}

/**
 * A round's slowest possible run, ms: every attempt of its slowest site's probes running into the
 * timeout (a round waits for its slowest site: the longest policy among them).
 */
export function slowestRoundMs(config: Pick<Config, "policy" | "sites">): number {
  return Math.max(worstRoundMs(config.policy), ...config.sites.map((site) => worstRoundMs(site.policy)));
}

export function functionSizing(config: Config): FunctionSizing {
  const fanout = probeFanout(config);
  // The slowest round, then the writes and the next tick.
  const roundSeconds = Math.ceil(slowestRoundMs(config) / 1000) + 15;
  const probe: FunctionSize =
    fanout.shards === 1
      ? { memoryMb: fanout.proberMemoryMb, timeoutSeconds: roundSeconds, reservedConcurrency: 1 }
      : {
          memoryMb: coordinatorMemoryMb(fanout.probesPerRound, config.policy.cadenceSeconds),
          // It waits for its shards, then folds and writes what they found.
          timeoutSeconds: roundSeconds + 15,
          reservedConcurrency: 1,
        };
  return {
    probe,
    ...(fanout.shards > 1
      ? {
          probeShard: {
            memoryMb: fanout.proberMemoryMb,
            timeoutSeconds: roundSeconds,
            // Twice the shards: a shard still running when its coordinator gave up on it never
            // throttles the next round's.
            reservedConcurrency: fanout.shards * 2,
          },
        }
      : {}),
    verdict: { memoryMb: 128, timeoutSeconds: 5, reservedConcurrency: verdictConcurrency(config) },
    evaluate: { memoryMb: 256, timeoutSeconds: 60 },
    // One delivery at a time, however many events arrive at once.
    notify: { memoryMb: 256, timeoutSeconds: 60, reservedConcurrency: 1 },
    slackInteractions: { memoryMb: 256, timeoutSeconds: 10 },
    report: { memoryMb: 512, timeoutSeconds: 300 },
    readiness: { memoryMb: 1024, timeoutSeconds: 900 },
  };
}
