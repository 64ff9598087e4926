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
  nextObservation,
  nextTick,
  type ProbeRound,
  type ProbeTicks,
  parseProbeTick,
  publicDnsDue,
  type RecordedRound,
  recordRound,
  type Site,
  type Store,
  type TrackerMemory,
} from "@idp-failover/core";
import type { LatchReader } from "./latch-reader.js";

/*
 * One probe round of one region, as both runtimes run it: probe, write the results and fold them
 * into this region's trackers (`recordRound`), refresh this region's data-plane items (deployments
 * with a data plane), and wake the evaluator when a region verdict changed. The probe Lambda runs it
 * as a link of its SQS tick chain (`runProbeTick`); the local runtime runs it on its own schedule.
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
  /** Probes every site of the config once, at round start `at`. */
  runRound(at: number): Promise<ProbeRound>;
  store: Store;
  dataPlane?: RegionDataPlane;
  /** The trackers last folded and written (kept between rounds by the warm process). */
  trackers?: TrackerMemory;
  publicDns?: PublicDnsWatch;
  evaluator: EvaluatorTrigger;
  clock: Clock;
}

export interface ProbeRoundReport {
  round: ProbeRound;
  recorded: RecordedRound;
  dataPlaneWrites: number;
  /** The evaluator could not be woken (its one-minute schedule still runs it). */
  wakeError?: string;
}

export async function probeRound(deps: ProbeRoundDeps, at: number): Promise<ProbeRoundReport> {
  const round = await deps.runRound(at);
  const recorded = await recordRound(deps.store, deps.config, round, deps.clock.now(), deps.trackers);
  const dataPlaneWrites = deps.dataPlane ? await refreshDataPlane(deps, deps.dataPlane, recorded) : 0;
  if (deps.publicDns) await observePublicDns(deps, deps.publicDns, at);
  const changed = [...new Set(recorded.changes.map((c) => c.site))];
  let wakeError: string | undefined;
  if (changed.length > 0) {
    const reason = recorded.changes.map((c) => `${c.site}/${c.provider} ${c.from}->${c.to}`).join(", ");
    // A lost wake-up costs at most the evaluator's one-minute schedule: report it, do not fail the round.
    await deps.evaluator.wake(changed, `${deps.region}: ${reason}`).catch((error: unknown) => {
      wakeError = error instanceof Error ? error.message : String(error);
    });
  }
  return { round, recorded, dataPlaneWrites, ...(wakeError ? { wakeError } : {}) };
}

async function refreshDataPlane(
  deps: ProbeRoundDeps,
  dataPlane: RegionDataPlane,
  recorded: RecordedRound,
): Promise<number> {
  const bySite = new Map<string, RecordedRound["trackers"]>();
  for (const entry of recorded.trackers) bySite.set(entry.site, [...(bySite.get(entry.site) ?? []), entry]);
  let writes = 0;
  for (const [siteId, entries] of bySite) {
    const site = findSite(deps.config, siteId);
    if (!site) continue;
    const now = deps.clock.now();
    const state = await dataPlane.latches.state(siteId, now);
    const item = dataPlaneItem(
      site,
      deps.region,
      (provider) => entries.find((e) => e.provider === provider)?.tracker,
      state,
      now,
    );
    if (!dataPlaneWriteDue(dataPlane.written.get(siteId), item, site.policy)) continue;
    await dataPlane.items.put(item);
    dataPlane.written.set(siteId, item);
    writes++;
  }
  return writes;
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
  await Promise.all(
    deps.config.sites.map(async (site) => {
      const answer = await watch.resolve(site.hostname, site.recordType);
      const previous = watch.observed.get(site.id);
      const next = nextObservation(previous, deps.region, answer.answers, answer.error, deps.clock.now());
      if (next === previous) return;
      await deps.store.saveDnsObservation(site.id, next).then(
        () => watch.observed.set(site.id, next),
        () => undefined,
      );
    }),
  );
}

/** The probe Lambda's tick chain: a delayed SQS message per round on the cadence grid. */
export interface ProbeTickDeps extends ProbeRoundDeps {
  ticks: ProbeTicks;
  queue: { schedule(tick: number, now: number): Promise<void>; isIdle(): Promise<boolean> };
}

export type ProbeTickReport =
  | { kind: "duplicate"; tick: number }
  | ({ kind: "probed"; tick: number; nextTick: number } & ProbeRoundReport);

/** One link of the chain: schedule the next tick first (so nothing below can break the chain), then probe. */
export async function runProbeTick(deps: ProbeTickDeps, tick: number): Promise<ProbeTickReport> {
  if (!deps.ticks.accept(tick)) return { kind: "duplicate", tick };
  const start = deps.clock.now();
  const next = nextTick(Math.max(start, tick), deps.config.policy.cadenceSeconds);
  await deps.queue.schedule(next, start);
  return { kind: "probed", tick, nextTick: next, ...(await probeRound(deps, start)) };
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

/**
 * One SQS message of the chain. Failures come back as values, never thrown: a retried message would
 * start a second chain. The round gives up `budgetMs` after it starts (before Lambda's timeout).
 */
export async function runProbeMessage(
  deps: ProbeTickDeps,
  body: string,
  budgetMs: number,
): Promise<ProbeMessageOutcome> {
  const parsed = parseProbeTick(body);
  if (!parsed) return { kind: "malformed", body: body.slice(0, 200) };
  const { tick } = parsed;
  return withDeadline(runProbeTick(deps, tick), budgetMs, "probe round").catch(
    (error: unknown): ProbeMessageOutcome => ({ kind: "failed", tick, error }),
  );
}
