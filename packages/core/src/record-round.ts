import type { Config } from "./config.js";
import { monitorSettings, type RegionHealth, regionImpairment } from "./monitor.js";
import type { Store, StoredTracker } from "./ports.js";
import type { ProbeResult } from "./probe-result.js";
import { observeRound, type RegionVerdict, regionView, summarizeRound } from "./verdict.js";

/*
 * The probe side of the pipeline: one region's round of results goes into the store, and each
 * provider's tracker in that region folds the round in. Returns which region verdicts changed, so
 * the caller can wake the evaluator only for the sites that need it.
 */

export interface ProbeRound {
  region: string;
  /** Round start, epoch ms (every result's `at`). */
  at: number;
  results: readonly ProbeResult[];
  /** The region's canaries and clock in this round (absent: not checked, taken as healthy). */
  health?: RegionHealth;
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
  /** The trackers this round produced (this region's), as saved: the data plane is built from them. */
  trackers: StoredTracker[];
  /** Why this region is impaired this round (its canaries or clock), if it is: it abstains. */
  impaired?: string;
}

export async function recordRound(
  store: Store,
  config: Config,
  round: ProbeRound,
  now: number,
): Promise<RecordedRound> {
  const byProvider = new Map<string, ProbeResult[]>();
  for (const result of round.results) {
    const key = `${result.site}\u0000${result.provider}`;
    const list = byProvider.get(key);
    if (list) list.push(result);
    else byProvider.set(key, [result]);
  }
  await store.putResults(round.results);

  const impaired = regionImpairment(round.health, monitorSettings(config));
  const changes: RegionVerdictChange[] = [];
  const saved: StoredTracker[] = [];
  const sites = new Set<string>();
  const trackersBySite = new Map<string, Awaited<ReturnType<Store["loadTrackers"]>>>();
  for (const [key, results] of byProvider) {
    const [site = "", provider = ""] = key.split("\u0000");
    sites.add(site);
    let trackers = trackersBySite.get(site);
    if (!trackers) {
      trackers = await store.loadTrackers(site);
      trackersBySite.set(site, trackers);
    }
    const previous = trackers.find((t) => t.provider === provider && t.region === round.region)?.tracker;
    const tracker = observeRound(previous, summarizeRound(round.at, results, impaired), config.policy);
    const entry = { site, provider, region: round.region, tracker };
    await store.saveTracker(entry);
    saved.push(entry);
    const from = regionView(round.region, previous, now, config.policy).verdict;
    const to = regionView(round.region, tracker, now, config.policy).verdict;
    if (from !== to) changes.push({ site, provider, region: round.region, from, to });
  }
  return { sites: [...sites], changes, trackers: saved, ...(impaired ? { impaired } : {}) };
}
