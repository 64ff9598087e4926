import {
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
  publicDnsDue,
  recordRound,
  type Site,
  type Store,
  type TrackerMemory,
} from "@idp-failover/core";
import type { LatchReader } from "./latch-reader.js";

/*
 * One link of a region's probe chain: schedule the next tick first (so nothing below can break the
 * chain), run the round, write its results and trackers to the home table, refresh this region's
 * data-plane items, and wake the evaluator if a region verdict changed. The handler is the wiring;
 * this is the order, testable without Lambda.
 */

export interface ProbeWorkerDeps {
  config: Config;
  region: string;
  ticks: ProbeTicks;
  queue: { schedule(tick: number, now: number): Promise<void>; isIdle(): Promise<boolean> };
  runRound(at: number): Promise<ProbeRound>;
  home: Store;
  latches: LatchReader;
  dataPlane: DataPlaneStore;
  evaluator: EvaluatorTrigger;
  now(): number;
  /** The data-plane items last written, by site (kept between rounds by the warm instance). */
  written: Map<string, DataPlaneItem>;
  /** The trackers last folded and written (kept between rounds by the warm instance). */
  trackers?: TrackerMemory;
  /** Resolves a login hostname through public DNS (packages/probes `resolvePublicly`); none: not observed. */
  resolvePublicly?(
    hostname: string,
    recordType: Site["recordType"],
  ): Promise<{ answers: string[]; error?: string }>;
  /** The last observation written per site (kept between rounds by the warm instance). */
  dnsObserved?: Map<string, DnsObservation>;
}

export type ProbeTickReport =
  | { kind: "duplicate"; tick: number }
  | {
      kind: "probed";
      tick: number;
      nextTick: number;
      round: ProbeRound;
      changes: number;
      dataPlaneWrites: number;
      wakeError?: string;
    };

export async function runProbeTick(deps: ProbeWorkerDeps, tick: number): Promise<ProbeTickReport> {
  if (!deps.ticks.accept(tick)) return { kind: "duplicate", tick };
  const start = deps.now();
  const next = nextTick(Math.max(start, tick), deps.config.policy.cadenceSeconds);
  await deps.queue.schedule(next, start);

  const round = await deps.runRound(start);
  const recorded = await recordRound(deps.home, deps.config, round, deps.now(), deps.trackers);
  const dataPlaneWrites = await refreshDataPlane(deps, recorded.trackers);
  await observePublicDns(deps, tick);

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
    kind: "probed",
    tick,
    nextTick: next,
    round,
    changes: recorded.changes.length,
    dataPlaneWrites,
    ...(wakeError ? { wakeError } : {}),
  };
}

async function refreshDataPlane(
  deps: ProbeWorkerDeps,
  trackers: Awaited<ReturnType<typeof recordRound>>["trackers"],
): Promise<number> {
  const bySite = new Map<string, typeof trackers>();
  for (const entry of trackers) bySite.set(entry.site, [...(bySite.get(entry.site) ?? []), entry]);
  let writes = 0;
  for (const [siteId, entries] of bySite) {
    const site = findSite(deps.config, siteId);
    if (!site) continue;
    const now = deps.now();
    const state = await deps.latches.state(siteId, now);
    const item = dataPlaneItem(
      site,
      deps.region,
      (provider) => entries.find((e) => e.provider === provider)?.tracker,
      state,
      now,
    );
    if (!dataPlaneWriteDue(deps.written.get(siteId), item, deps.config.policy)) continue;
    await deps.dataPlane.put(item);
    deps.written.set(siteId, item);
    writes++;
  }
  return writes;
}

/** The one-minute watchdog: re-seed the chain when no tick is waiting, delayed or in flight. */
export async function probeWatchdog(
  deps: Pick<ProbeWorkerDeps, "queue" | "config" | "now">,
): Promise<"running" | "seeded"> {
  if (!(await deps.queue.isIdle())) return "running";
  const now = deps.now();
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

/**
 * Once per `publicDns.everySeconds`, what public DNS answers for each login hostname from this region,
 * written to the home table only when it changed (the evaluator compares it with the state). Best
 * effort: a failed lookup is an observation, a failed write waits for the next one.
 */
async function observePublicDns(deps: ProbeWorkerDeps, tick: number): Promise<void> {
  const settings = deps.config.publicDns;
  const resolve = deps.resolvePublicly;
  if (!settings?.enabled || !resolve) return;
  if (!publicDnsDue(tick, settings.everySeconds, deps.config.policy.cadenceSeconds)) return;
  deps.dnsObserved ??= new Map();
  const observed = deps.dnsObserved;
  await Promise.all(
    deps.config.sites.map(async (site) => {
      const answer = await resolve(site.hostname, site.recordType);
      const previous = observed.get(site.id);
      const next = nextObservation(previous, deps.region, answer.answers, answer.error, deps.now());
      if (next === previous) return;
      await deps.home.saveDnsObservation(site.id, next).then(
        () => observed.set(site.id, next),
        () => undefined,
      );
    }),
  );
}
