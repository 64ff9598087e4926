import * as z from "./zod-mini.js";

/*
 * The probe's schedule in a region, as a chain of ticks: each round's message carries the tick (epoch
 * ms, a multiple of the cadence) it is due at, and the round schedules the next tick before probing.
 * Ticks sit on a grid, so two chains (a lost link re-seeded while the old one was only late) produce
 * the same ticks, and the second copy of a tick is dropped: the chains merge by themselves.
 */

export const probeTickSchema = z.object({ tick: z.number().check(z.int(), z.nonnegative()) });
export type ProbeTick = z.infer<typeof probeTickSchema>;

/** Parses a message body into a tick; undefined for anything else (dropped, never retried). */
export function parseProbeTick(body: string): ProbeTick | undefined {
  try {
    const parsed = probeTickSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The first tick of the cadence grid strictly after `now`: a late round skips ahead, never piles up. */
export function nextTick(now: number, cadenceSeconds: number): number {
  const cadenceMs = cadenceSeconds * 1000;
  return (Math.floor(now / cadenceMs) + 1) * cadenceMs;
}

/**
 * Whether a site's probes run in the round that started at `at`: a site whose `policy.cadenceSeconds`
 * is k times the deployment's (`tickSeconds`) is probed on every k-th tick of the grid, the ticks
 * that are multiples of its cadence. A round that starts late still counts as its tick's.
 */
export function siteDueAt(
  site: { policy: { cadenceSeconds: number } },
  at: number,
  tickSeconds: number,
): boolean {
  const tickMs = tickSeconds * 1000;
  const tick = Math.floor(at / tickMs) * tickMs;
  return tick % (site.policy.cadenceSeconds * 1000) < tickMs;
}

/**
 * Which ticks a probe worker has run. One worker per region handles the chain (reserved concurrency
 * 1), so remembering the newest tick is enough to drop a duplicate link; after a cold start the
 * first tick seen is accepted, and the next duplicate is dropped.
 */
export class ProbeTicks {
  private newest = -1;

  /** True if this tick is new: run it and continue the chain. False: a duplicate link, drop it. */
  accept(tick: number): boolean {
    if (tick <= this.newest) return false;
    this.newest = tick;
    return true;
  }
}
