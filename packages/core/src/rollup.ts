import type { GlobalVerdict, RegionVerdict } from "./verdict.js";
import * as z from "./zod-mini.js";

/*
 * Minute rollups: how many seconds of each minute every provider spent up, degraded, down or unknown,
 * globally and per region. They are what SLA reports read. Verdicts change rarely, so the state
 * machine keeps a short log of changes since the last closed minute and closes whole minutes when the
 * clock passes them; a quiet hour costs one write per minute, not one per evaluation.
 */

export type RollupVerdict = "up" | "degraded" | "down" | "unknown";
export type VerdictSeconds = Partial<Record<RollupVerdict, number>>;

const rollupVerdict = z.enum(["up", "degraded", "down", "unknown"]);
const verdictSeconds = z.partialRecord(rollupVerdict, z.number().check(z.nonnegative()));

export const minuteRollupSchema = z.object({
  site: z.string(),
  provider: z.string(),
  /** Start of the minute, ISO-8601 UTC. */
  minute: z.iso.datetime(),
  global: verdictSeconds,
  regions: z.record(z.string(), verdictSeconds),
});
export type MinuteRollup = z.infer<typeof minuteRollupSchema>;

/** The open part of the rollup: values at `upTo`, and what changed since. Epoch ms. */
export const rollupStateSchema = z.object({
  upTo: z.number(),
  /** Keyed `provider` (global verdict) or `provider@region`. */
  base: z.record(z.string(), rollupVerdict),
  changes: z.array(z.tuple([z.number(), z.string(), rollupVerdict])),
});
export type RollupState = z.infer<typeof rollupStateSchema>;

export function rollupKey(provider: string, region?: string): string {
  return region === undefined ? provider : `${provider}@${region}`;
}

export function toRollupVerdict(verdict: GlobalVerdict | RegionVerdict): RollupVerdict {
  return verdict === "impaired" || verdict === "stale" ? "unknown" : verdict;
}

/** The value of `key` now: its last change, or its value at `upTo`. */
export function currentValue(state: RollupState, key: string): RollupVerdict | undefined {
  for (let i = state.changes.length - 1; i >= 0; i--) {
    const change = state.changes[i];
    if (change && change[1] === key) return change[2];
  }
  return state.base[key];
}

/** Logs a change of one key at `at` (which must not be before `upTo`). */
export function recordChange(
  state: RollupState,
  at: number,
  key: string,
  verdict: RollupVerdict,
): RollupState {
  if (currentValue(state, key) === verdict) return state;
  return { ...state, changes: [...state.changes, [at, key, verdict]] };
}

const minuteMs = 60_000;

/**
 * Closes every whole minute before `now`: returns their rollups, and the state for what remains.
 * A key with no known value in part of a minute counts as unknown there.
 */
export function closeMinutes(
  state: RollupState,
  now: number,
  site: string,
  providers: readonly string[],
  regions: readonly string[],
  maxMinutes = Number.POSITIVE_INFINITY,
): { state: RollupState; closed: MinuteRollup[] } {
  const end = Math.min(
    Math.floor(now / minuteMs) * minuteMs,
    Math.floor(state.upTo / minuteMs) * minuteMs + maxMinutes * minuteMs,
  );
  if (end <= state.upTo) return { state, closed: [] };

  const keys = providers.flatMap((p) => [rollupKey(p), ...regions.map((r) => rollupKey(p, r))]);
  const timelines = new Map<string, Array<[number, RollupVerdict]>>();
  for (const key of keys) timelines.set(key, []);
  for (const [at, key, verdict] of state.changes) timelines.get(key)?.push([at, verdict]);

  const closed: MinuteRollup[] = [];
  for (let minute = Math.floor(state.upTo / minuteMs) * minuteMs; minute < end; minute += minuteMs) {
    const from = Math.max(minute, state.upTo);
    const to = minute + minuteMs;
    for (const provider of providers) {
      const global = secondsIn(
        state.base[rollupKey(provider)],
        timelines.get(rollupKey(provider)) ?? [],
        from,
        to,
      );
      const perRegion: Record<string, VerdictSeconds> = {};
      for (const region of regions) {
        const key = rollupKey(provider, region);
        perRegion[region] = secondsIn(state.base[key], timelines.get(key) ?? [], from, to);
      }
      closed.push({ site, provider, minute: new Date(minute).toISOString(), global, regions: perRegion });
    }
  }

  const base: Record<string, RollupVerdict> = { ...state.base };
  for (const [at, key, verdict] of state.changes) if (at < end) base[key] = verdict;
  const changes = state.changes.filter(([at]) => at >= end);
  return { state: { upTo: end, base, changes }, closed };
}

/** Seconds per verdict in [from, to) for one key, from its value at the start and its changes. */
function secondsIn(
  initial: RollupVerdict | undefined,
  changes: ReadonlyArray<[number, RollupVerdict]>,
  from: number,
  to: number,
): VerdictSeconds {
  const out: VerdictSeconds = {};
  let value: RollupVerdict = initial ?? "unknown";
  let cursor = from;
  for (const [at, verdict] of changes) {
    if (at <= from) {
      value = verdict;
      continue;
    }
    if (at >= to) break;
    add(out, value, at - cursor);
    cursor = at;
    value = verdict;
  }
  add(out, value, to - cursor);
  return out;
}

function add(out: VerdictSeconds, verdict: RollupVerdict, ms: number): void {
  if (ms <= 0) return;
  out[verdict] = Math.round(((out[verdict] ?? 0) + ms / 1000) * 1000) / 1000;
}
