import {
  type Clock,
  type Config,
  type DataPlaneItem,
  type DataPlaneStore,
  type DnsObservation,
  dataPlaneItem,
  dataPlaneWriteDue,
  type EvaluatorTrigger,
  findSite,
  mapConcurrent,
  nextObservation,
  nextTick,
  type ProbeResult,
  type ProbeRound,
  type ProbeShard,
  type ProbeTicks,
  parseProbeTick,
  probeShards,
  publicDnsDue,
  type RecordedRound,
  type RegionHealth,
  type RegionVerdictChange,
  recordRound,
  type ShardProber,
  type Site,
  type Store,
  siteHasDataPlane,
  slowestRoundMs,
  type TrackerMemory,
} from "@idp-failover/core";
import type { LatchReader } from "./latch-reader.js";

/*
 * One probe round of one region, as both runtimes run it. The region's sites are split into shards
 * (`probeShards`: one shard of every site until a round no longer fits the cadence); every shard
 * probes side by side (`ShardProber`: in this process, or the shard's worker function) while the
 * round checks the region's own health once (its canaries, given to every shard's round), and as each
 * one answers its round is written and folded into this region's trackers (`recordRound`, with the
 * shard's heartbeat), the data-plane items of its sites with a data plane are refreshed, and the
 * evaluator is woken when a region verdict changed. A shard that does not answer is silent: its sites
 * get no heartbeat this round, and only they go stale if it stays silent. The probe Lambda runs it as
 * a link of its SQS tick chain (`runProbeTick`); the local runtime runs it on its own schedule.
 */

/** This region's data plane: the items the verdict endpoint answers from, and the latch they carry. */
export interface RegionDataPlane {
  latches: LatchReader;
  items: DataPlaneStore;
  /** The items last written, by site (kept between rounds by the warm process). */
  written: Map<string, DataPlaneItem>;
}

/** What public DNS answers for the login hostnames from this region (see core's dns-observation.ts). */
export interface PublicDnsWatch {
  /** Resolves through public DNS (packages/probes `resolvePublicly`). */
  resolve(hostname: string, recordType: Site["recordType"]): Promise<{ answers: string[]; error?: string }>;
  /** The last observation written per site (kept between rounds by the warm process). */
  observed: Map<string, DnsObservation>;
}

export interface ProbeRoundDeps {
  /** The config the evaluator decides with (trackers fold under its policy). */
  config: Config;
  region: string;
  /** Probes one shard of the region's sites at round start `at`. */
  prober: ShardProber;
  /**
   * The region's own health (its canaries and clock), checked once a round beside the shards and
   * given to every shard's round: the region is impaired or not as a whole. None: never impaired.
   */
  regionHealth?: () => Promise<RegionHealth>;
  /** How the region's sites are split; `probeShards(config)` when absent. */
  shards?: readonly ProbeShard[];
  store: Store;
  dataPlane?: RegionDataPlane;
  /** The trackers last folded and written (kept between rounds by the warm process). */
  trackers?: TrackerMemory;
  publicDns?: PublicDnsWatch;
  evaluator: EvaluatorTrigger;
  clock: Clock;
}

/**
 * One shard's part of a round: recorded, or silent (no answer: its sites get no heartbeat).
 * `answeredMs`: from the round's start to the shard's answer (or to giving up on it).
 */
export type ShardOutcome =
  | {
      kind: "recorded";
      shard: ProbeShard;
      answeredMs: number;
      round: ProbeRound;
      recorded: RecordedRound;
      dataPlaneWrites: number;
      /** The evaluator could not be woken (its one-minute schedule still runs it). */
      wakeError?: string;
    }
  | { kind: "silent"; shard: ProbeShard; answeredMs: number; error: unknown };

export interface ProbeRoundReport {
  shards: ShardOutcome[];
  /** Every result of the round, from every shard that answered. */
  results: ProbeResult[];
  /** Region verdicts that moved, in every shard. */
  changes: RegionVerdictChange[];
  dataPlaneWrites: number;
}

/**
 * One round: every shard side by side, each recorded as soon as it answers. `signal` ends the wait
 * for shards that have not answered (they are silent this round); the others are recorded whatever
 * happens to one.
 */
export async function probeRound(
  deps: ProbeRoundDeps,
  at: number,
  signal: AbortSignal = new AbortController().signal,
): Promise<ProbeRoundReport> {
  deps.shards ??= probeShards(deps.config);
  const shards = deps.shards.filter((shard) => shard.sites.length > 0);
  // Started first, beside the shards: a big round must not delay the canaries.
  const health = deps.regionHealth?.();
  const outcomes = await Promise.all(shards.map((shard) => roundOfShard(deps, shard, at, signal, health)));
  if (deps.publicDns) await observePublicDns(deps, deps.publicDns, at);
  const recorded = outcomes.flatMap((o) => (o.kind === "recorded" ? [o] : []));
  return {
    shards: outcomes,
    results: recorded.flatMap((o) => o.round.results),
    changes: recorded.flatMap((o) => o.recorded.changes),
    dataPlaneWrites: recorded.reduce((n, o) => n + o.dataPlaneWrites, 0),
  };
}

async function roundOfShard(
  deps: ProbeRoundDeps,
  shard: ProbeShard,
  at: number,
  signal: AbortSignal,
  health: Promise<RegionHealth> | undefined,
): Promise<ShardOutcome> {
  let round: ProbeRound;
  try {
    round = await deps.prober.probe(shard, at, signal);
  } catch (error) {
    return { kind: "silent", shard, answeredMs: deps.clock.now() - at, error };
  }
  const answeredMs = deps.clock.now() - at;
  if (health) round = { ...round, health: await health };
  // A shard speaks for its own sites only, whatever a worker with another config sent back.
  const inShard = new Set(shard.sites);
  if (round.results.some((r) => !inShard.has(r.site)))
    round = { ...round, results: round.results.filter((r) => inShard.has(r.site)) };
  const recorded = await recordRound(deps.store, deps.config, round, deps.clock.now(), deps.trackers, shard);
  const dataPlaneWrites = deps.dataPlane ? await refreshDataPlane(deps, deps.dataPlane, recorded) : 0;
  const changed = [...new Set(recorded.changes.map((c) => c.site))];
  let wakeError: string | undefined;
  if (changed.length > 0) {
    const reason = recorded.changes.map((c) => `${c.site}/${c.provider} ${c.from}->${c.to}`).join(", ");
    // A lost wake-up costs at most the evaluator's one-minute schedule: report it, do not fail the round.
    await deps.evaluator.wake(changed, `${deps.region}: ${reason}`).catch((error: unknown) => {
      wakeError = error instanceof Error ? error.message : String(error);
    });
  }
  return {
    kind: "recorded",
    shard,
    answeredMs,
    round,
    recorded,
    dataPlaneWrites,
    ...(wakeError ? { wakeError } : {}),
  };
}

/** Latches read at once from the home region while refreshing a shard's items. */
const latchReadConcurrency = 16;

/** Refreshes the data-plane items of the round's sites that have a data plane (the others have none). */
async function refreshDataPlane(
  deps: ProbeRoundDeps,
  dataPlane: RegionDataPlane,
  recorded: RecordedRound,
): Promise<number> {
  const bySite = new Map<string, RecordedRound["trackers"]>();
  for (const entry of recorded.trackers) bySite.set(entry.site, [...(bySite.get(entry.site) ?? []), entry]);
  const sites = [...bySite].flatMap(([siteId, entries]) => {
    const site = findSite(deps.config, siteId);
    return site && siteHasDataPlane(deps.config, site) ? [{ site, entries }] : [];
  });
  const written = await mapConcurrent(sites, latchReadConcurrency, async ({ site, entries }) => {
    const now = deps.clock.now();
    const state = await dataPlane.latches.state(site.id, now);
    const item = dataPlaneItem(
      site,
      deps.region,
      (provider) => entries.find((e) => e.provider === provider)?.tracker,
      state,
      now,
    );
    if (!dataPlaneWriteDue(dataPlane.written.get(site.id), item, site.policy)) return 0;
    await dataPlane.items.put(item);
    dataPlane.written.set(site.id, item);
    return 1;
  });
  return written.reduce<number>((n, w) => n + w, 0);
}

/**
 * Once per `publicDns.everySeconds`, what public DNS answers for each login hostname from this region,
 * written to the home table only when it changed (the evaluator compares it with the state). Best
 * effort: a failed lookup is an observation, a failed write waits for the next one.
 */
async function observePublicDns(deps: ProbeRoundDeps, watch: PublicDnsWatch, at: number): Promise<void> {
  const settings = deps.config.publicDns;
  if (!settings?.enabled) return;
  const cadenceMs = deps.config.policy.cadenceSeconds * 1000;
  // Due on the first tick of each period: a round that started late still counts as its tick's.
  const tick = Math.floor(at / cadenceMs) * cadenceMs;
  if (!publicDnsDue(tick, settings.everySeconds, deps.config.policy.cadenceSeconds)) return;
  // A few lookups at a time: a thousand at once would be a burst against the region's resolver.
  await mapConcurrent(deps.config.sites, publicDnsConcurrency, async (site) => {
    const answer = await watch.resolve(site.hostname, site.recordType);
    const previous = watch.observed.get(site.id);
    const next = nextObservation(previous, deps.region, answer.answers, answer.error, deps.clock.now());
    if (next === previous) return;
    await deps.store.saveDnsObservation(site.id, next).then(
      () => watch.observed.set(site.id, next),
      () => undefined,
    );
  });
}

const publicDnsConcurrency = 32;

/** The probe Lambda's tick chain: a delayed SQS message per round on the cadence grid. */
export interface ProbeTickDeps extends ProbeRoundDeps {
  ticks: ProbeTicks;
  queue: { schedule(tick: number, now: number): Promise<void>; isIdle(): Promise<boolean> };
}

export type ProbeTickReport =
  | { kind: "duplicate"; tick: number }
  | ({ kind: "probed"; tick: number; nextTick: number } & ProbeRoundReport);

/**
 * One link of the chain: schedule the next tick first (so nothing below can break the chain), then
 * probe. `signal` ends the wait for shards that have not answered.
 */
export async function runProbeTick(
  deps: ProbeTickDeps,
  tick: number,
  signal?: AbortSignal,
): Promise<ProbeTickReport> {
  if (!deps.ticks.accept(tick)) return { kind: "duplicate", tick };
  const start = deps.clock.now();
  const next = nextTick(Math.max(start, tick), deps.config.policy.cadenceSeconds);
  await deps.queue.schedule(next, start);
  return { kind: "probed", tick, nextTick: next, ...(await probeRound(deps, start, signal)) };
}

/** The one-minute watchdog: re-seed the chain when no tick is waiting, delayed or in flight. */
export async function probeWatchdog(
  deps: Pick<ProbeTickDeps, "queue" | "config" | "clock">,
): Promise<"running" | "seeded"> {
  if (!(await deps.queue.isIdle())) return "running";
  const now = deps.clock.now();
  await deps.queue.schedule(nextTick(now, deps.config.policy.cadenceSeconds), now);
  return "seeded";
}

export class RoundDeadlineError extends Error {
  override name = "RoundDeadlineError";
}

/** Runs `work`, or gives up when `ms` pass: the function stops cleanly before Lambda's timeout. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RoundDeadlineError(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export type ProbeMessageOutcome =
  | ProbeTickReport
  | { kind: "malformed"; body: string }
  | { kind: "failed"; tick: number; error: unknown };

/** What the round keeps of its budget for writing what its last shards found, after it stops waiting. */
const recordReserveMs = 5_000;

/**
 * How long past its slowest possible round (every attempt timing out) a shard's worker may take to
 * answer: its start and the reply. A worker silent beyond that is stuck, and waiting longer would only
 * hold up the region's next round for every other shard.
 */
const shardAnswerMarginMs = 5_000;

/** How long a round waits for its shards: a stuck worker must not delay the next round of the others. */
export function shardWaitMs(config: Pick<Config, "policy" | "sites">, budgetMs: number): number {
  return Math.max(1, Math.min(budgetMs - recordReserveMs, slowestRoundMs(config) + shardAnswerMarginMs));
}

/**
 * One SQS message of the chain. Failures come back as values, never thrown: a retried message would
 * start a second chain. The round stops waiting for shards once a worker could no longer be busy
 * probing (`shardWaitMs`), and a little before `budgetMs` in any case (so what the others found is
 * still written); it gives up at `budgetMs` (before Lambda's timeout).
 */
export async function runProbeMessage(
  deps: ProbeTickDeps,
  body: string,
  budgetMs: number,
): Promise<ProbeMessageOutcome> {
  const parsed = parseProbeTick(body);
  if (!parsed) return { kind: "malformed", body: body.slice(0, 200) };
  const { tick } = parsed;
  const waitForShards = AbortSignal.timeout(shardWaitMs(deps.config, budgetMs));
  return withDeadline(runProbeTick(deps, tick, waitForShards), budgetMs, "probe round").catch(
    (error: unknown): ProbeMessageOutcome => ({ kind: "failed", tick, error }),
  );
}
