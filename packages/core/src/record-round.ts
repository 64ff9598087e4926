import type { Config, Policy } from "./config.js";
import type { Store, StoredTracker } from "./ports.js";
import type { ProbeResult } from "./probe-result.js";
import {
  observeRound,
  type RegionTracker,
  type RegionVerdict,
  regionView,
  summarizeRound,
} from "./verdict.js";

/*
 * The probe side of the pipeline: one region's round folds into each provider's tracker in that
 * region, and returns which region verdicts changed, so the caller can wake the evaluator only for
 * the sites that need it.
 *
 * What is written, and why (the probe's DynamoDB writes were most of the deployment's bill):
 * - a provider's round results go to the store in full only when something in it was not plain
 *   healthy (a failure, a slow or upstream answer, a retried attempt). A healthy round leaves its
 *   aggregate in the tracker (per-minute probe and flaky counts, the recent outcomes) and in the
 *   minute rollups the evaluator writes; its latencies are in the ProbeLatency metric.
 * - a tracker is written when it changes in a way a reader acts on (see `trackerWriteDue`) and
 *   otherwise as a heartbeat, three times per stale period, so the evaluator never takes a live region
 *   for a silent one. Rounds fold onto the latest tracker kept in `memory` (the warm probe instance's),
 *   not onto the last one written; after a cold start, onto the stored one.
 */

export interface ProbeRound {
  region: string;
  /** Round start, epoch ms (every result's `at`). */
  at: number;
  results: readonly ProbeResult[];
}

export interface RegionVerdictChange {
  site: string;
  provider: string;
  region: string;
  from: RegionVerdict;
  to: RegionVerdict;
}

export interface RecordedRound {
  /** Sites that got results in this round. */
  sites: string[];
  changes: RegionVerdictChange[];
  /** The trackers this round produced (this region's), written or not: the data plane is built from them. */
  trackers: StoredTracker[];
  /** Trackers written to the store, and provider rounds whose results were stored in full. */
  writes: { trackers: number; resultRounds: number };
}

/** The trackers one probe process folded last and wrote last, per site, provider and region. */
export interface TrackerMemory {
  entries: Map<string, { latest: RegionTracker; written: RegionTracker }>;
}

export function createTrackerMemory(): TrackerMemory {
  return { entries: new Map() };
}

export async function recordRound(
  store: Store,
  config: Config,
  round: ProbeRound,
  now: number,
  memory: TrackerMemory = createTrackerMemory(),
): Promise<RecordedRound> {
  const byProvider = new Map<string, ProbeResult[]>();
  for (const result of round.results) {
    const key = `${result.site}\u0000${result.provider}`;
    const list = byProvider.get(key);
    if (list) list.push(result);
    else byProvider.set(key, [result]);
  }
  const noteworthy = [...byProvider.values()].filter((results) => !results.every(isPlainHealthy));
  if (noteworthy.length > 0) await store.putResults(noteworthy.flat());

  const changes: RegionVerdictChange[] = [];
  const saved: StoredTracker[] = [];
  const sites = new Set<string>();
  const stored = new Map<string, Awaited<ReturnType<Store["loadTrackers"]>>>();
  const due: StoredTracker[] = [];
  for (const [key, results] of byProvider) {
    const [site = "", provider = ""] = key.split("\u0000");
    sites.add(site);
    const memoryKey = `${site}\u0000${provider}\u0000${round.region}`;
    const remembered = memory.entries.get(memoryKey);
    let previous = remembered?.latest;
    if (!previous) {
      let trackers = stored.get(site);
      if (!trackers) {
        trackers = await store.loadTrackers(site);
        stored.set(site, trackers);
      }
      previous = trackers.find((t) => t.provider === provider && t.region === round.region)?.tracker;
    }
    const tracker = observeRound(previous, summarizeRound(round.at, results), config.policy);
    const entry = { site, provider, region: round.region, tracker };
    const write = trackerWriteDue(remembered?.written, tracker, config.policy);
    if (write) due.push(entry);
    memory.entries.set(memoryKey, {
      latest: tracker,
      written: write ? tracker : (remembered?.written ?? tracker),
    });
    saved.push(entry);
    const from = regionView(round.region, previous, now, config.policy).verdict;
    const to = regionView(round.region, tracker, now, config.policy).verdict;
    if (from !== to) changes.push({ site, provider, region: round.region, from, to });
  }
  // Cross-region writes to the home table: side by side, not one after another.
  await Promise.all(due.map((entry) => store.saveTracker(entry)));
  return {
    sites: [...sites],
    changes,
    trackers: saved,
    writes: { trackers: due.length, resultRounds: noteworthy.length },
  };
}

/** A result with nothing to look into later: passed at the first attempt. */
function isPlainHealthy(result: ProbeResult): boolean {
  return result.ok && (result.attempts ?? 1) === 1;
}

/**
 * Whether a tracker must be written now: the first time; whenever what a reader acts on moved (down
 * or not, the onset and down times, an outcome other than ok, the flaky counts, the evidence); and
 * otherwise when the last write is a third of the stale period old, so a live region never looks
 * silent. A run of healthy rounds in between changes only counters that the next write carries.
 */
export function trackerWriteDue(
  written: RegionTracker | undefined,
  next: RegionTracker,
  policy: Pick<Policy, "staleAfterSeconds">,
): boolean {
  if (!written) return true;
  if (next.lastRoundAt - written.lastRoundAt >= (policy.staleAfterSeconds * 1000) / 3) return true;
  if (next.down !== written.down || next.downSince !== written.downSince) return true;
  if (next.failingSince !== written.failingSince || next.evidenceAt !== written.evidenceAt) return true;
  if (next.lastOutcome !== "ok" || written.lastOutcome !== "ok") return true;
  return flakyCount(next) !== flakyCount(written);
}

function flakyCount(tracker: RegionTracker): number {
  return tracker.flakyByMinute.reduce((n, [, , flaky]) => n + flaky, 0);
}
