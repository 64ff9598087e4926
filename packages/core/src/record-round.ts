import type { Config, Policy } from "./config.js";
import { monitorSettings, regionImpairment } from "./monitor.js";
import type { RegionHeartbeat, Store, StoredTracker } from "./ports.js";
import type { ProbeResult, ProbeRound } from "./probe-result.js";
import { assignShards, heartbeatKey, type ProbeShard } from "./probe-shards.js";
import { siteDueAt } from "./probe-ticks.js";
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
 *   minute rollups the evaluator writes; its latencies are in the probe function's round log line.
 * - a tracker is written when it changes in a way a reader acts on (see `trackerWriteDue`). That the
 *   region is alive is one small item per region and shard (probe-shards.ts), its heartbeat, written
 *   three times per stale period after a round of every site of the shard: the evaluator reads a
 *   tracker as current up to its shard's heartbeat, so a live shard is never taken for a silent one,
 *   whatever the number of sites, and a silent shard makes only its own sites stale. (A round of only
 *   some of a shard's sites, which the deployed probe never runs, writes its trackers as a heartbeat
 *   instead.) Rounds fold onto the latest tracker kept in `memory` (the warm probe instance's), not
 *   onto the last one written; after a cold start, onto the stored one.
 */

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
  writes: { trackers: number; resultRounds: number; heartbeat: boolean };
  /** Why this region is impaired this round (its canaries or clock), if it is: it abstains. */
  impaired?: string;
}

/** The trackers one probe process folded last and wrote last, per site, provider and region. */
export interface TrackerMemory {
  entries: Map<string, { latest: RegionTracker; written: RegionTracker }>;
  /** The last heartbeat written, per region and shard (`heartbeatKey`). */
  heartbeats: Map<string, number>;
}

export function createTrackerMemory(): TrackerMemory {
  return { entries: new Map(), heartbeats: new Map() };
}

/**
 * Records one round of one shard of a region's sites (`shard`: the whole region when absent): its
 * results, its trackers, and the shard's heartbeat when the round covered every one of its sites.
 */
export async function recordRound(
  store: Store,
  config: Config,
  round: ProbeRound,
  now: number,
  memory: TrackerMemory = createTrackerMemory(),
  shard: ProbeShard = wholeRegion(config),
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

  const impaired = regionImpairment(round.health, monitorSettings(config));
  const sitesById = new Map(config.sites.map((site) => [site.id, site]));
  const policyOf = (site: string) => sitesById.get(site)?.policy ?? config.policy;
  const changes: RegionVerdictChange[] = [];
  const saved: StoredTracker[] = [];
  const sites = new Set<string>();
  const stored = new Map<string, Awaited<ReturnType<Store["loadTrackers"]>>>();
  const due: StoredTracker[] = [];
  const roundSites = new Set(round.results.map((r) => r.site));
  // Whole: every site of the shard due at this tick got results (a site on a longer cadence is due
  // on every k-th).
  const tickSeconds = config.policy.cadenceSeconds;
  const shardSites = new Set(shard.sites);
  const wholeRound = config.sites.every(
    (site) => !shardSites.has(site.id) || roundSites.has(site.id) || !siteDueAt(site, round.at, tickSeconds),
  );
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
    const policy = policyOf(site);
    const tracker = observeRound(previous, summarizeRound(round.at, results, impaired), policy);
    const entry = { site, provider, region: round.region, tracker };
    const write = trackerWriteDue(remembered?.written, tracker, policy, wholeRound);
    if (write) due.push(entry);
    memory.entries.set(memoryKey, {
      latest: tracker,
      written: write ? tracker : (remembered?.written ?? tracker),
    });
    saved.push(entry);
    const from = regionView(round.region, previous, now, policy).verdict;
    const to = regionView(round.region, tracker, now, policy).verdict;
    if (from !== to) changes.push({ site, provider, region: round.region, from, to });
  }
  const key = heartbeatKey({ region: round.region, shard: shard.index, shards: shard.count });
  const lastHeartbeat = memory.heartbeats.get(key);
  const heartbeat: RegionHeartbeat | undefined =
    wholeRound &&
    shard.sites.length > 0 &&
    (lastHeartbeat === undefined || heartbeatDue(lastHeartbeat, round.at, heartbeatPolicy(config)))
      ? {
          region: round.region,
          shard: shard.index,
          shards: shard.count,
          lastRoundAt: round.at,
          sites: sitesFingerprint(shard.sites),
        }
      : undefined;
  // Cross-region writes to the home table: side by side, not one after another.
  await Promise.all([
    ...due.map((entry) => store.saveTracker(entry)),
    ...(heartbeat ? [store.saveRegionHeartbeat(heartbeat)] : []),
  ]);
  if (heartbeat) memory.heartbeats.set(key, heartbeat.lastRoundAt);
  return {
    sites: [...sites],
    changes,
    trackers: saved,
    writes: { trackers: due.length, resultRounds: noteworthy.length, heartbeat: heartbeat !== undefined },
    ...(impaired ? { impaired } : {}),
  };
}

/** A result with nothing to look into later: passed at the first attempt. */
function isPlainHealthy(result: ProbeResult): boolean {
  return result.ok && (result.attempts ?? 1) === 1;
}

/**
 * Whether a tracker must be written now: the first time, and whenever what a reader acts on moved
 * (down or not, the onset and down times, impaired or not, a vendor mode, an outcome other than ok,
 * the flaky counts, the evidence;
 * and, while the window holds flaky results, a new minute of probe counts).
 * A run of healthy rounds changes only counters that the next write carries. Without the region's
 * heartbeat (`heartbeatCovers` false), the tracker is its own heartbeat.
 */
export function trackerWriteDue(
  written: RegionTracker | undefined,
  next: RegionTracker,
  policy: Pick<Policy, "staleAfterSeconds">,
  heartbeatCovers = false,
): boolean {
  if (!written) return true;
  if (!heartbeatCovers && heartbeatDue(written.lastRoundAt, next.lastRoundAt, policy)) return true;
  if (next.down !== written.down || next.downSince !== written.downSince) return true;
  if (next.failingSince !== written.failingSince || next.evidenceAt !== written.evidenceAt) return true;
  if (next.impairedSince !== written.impairedSince || next.mode !== written.mode) return true;
  if (next.lastOutcome !== "ok" || written.lastOutcome !== "ok") return true;
  if (flakyCount(next) !== flakyCount(written)) return true;
  // While flaky results are in the window, the probe counts beside them must stay current (the
  // evaluator's flaky rate is their ratio): one write a minute keeps them within a minute.
  return flakyCount(next) > 0 && next.flakyByMinute.at(-1)?.[0] !== written.flakyByMinute.at(-1)?.[0];
}

/** The region's heartbeat speaks for every site: it comes often enough for the site that goes stale soonest. */
function heartbeatPolicy(config: Pick<Config, "sites" | "policy">): Pick<Policy, "staleAfterSeconds"> {
  return {
    staleAfterSeconds: Math.min(
      config.policy.staleAfterSeconds,
      ...config.sites.map((site) => site.policy.staleAfterSeconds),
    ),
  };
}

/** Three heartbeats per stale period: a live region never looks silent, even with a round late. */
function heartbeatDue(lastAt: number, at: number, policy: Pick<Policy, "staleAfterSeconds">): boolean {
  return at - lastAt >= (policy.staleAfterSeconds * 1000) / 3;
}

function flakyCount(tracker: RegionTracker): number {
  return tracker.flakyByMinute.reduce((n, [, , flaky]) => n + flaky, 0);
}

/** Every site of the config as one shard: a region that is not split. */
function wholeRegion(config: Pick<Config, "sites">): ProbeShard {
  return { index: 0, count: 1, sites: config.sites.map((s) => s.id) };
}

/**
 * Which sites a heartbeat speaks for: a short fingerprint of their ids, so a probe still running an
 * older config (mid-deploy) never vouches for a site it does not probe.
 */
export function sitesFingerprint(siteIds: readonly string[]): string {
  const ids = [...siteIds].sort();
  // FNV-1a, 32 bits: a fingerprint, not a secret.
  let hash = 0x811c9dc5;
  for (const char of ids.join("\n")) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${ids.length}:${hash.toString(16).padStart(8, "0")}`;
}

/**
 * The heartbeat that vouches for a site in a region, if any: its shard's, under the evaluator's own
 * layout of the config, when the heartbeat speaks for exactly that shard's sites. Built once per
 * evaluation pass from the heartbeats read once (`heartbeatsBySite`).
 */
export type HeartbeatLookup = (site: string, region: string) => RegionHeartbeat | undefined;

/**
 * Indexes the heartbeats read for a pass by site: each site's shard under `shards` (the layout the
 * evaluator's config gives, `probeShards`), and only heartbeats whose fingerprint matches that shard's
 * sites (a probe mid-deploy on another config or layout vouches for nothing).
 */
export function heartbeatsBySite(
  heartbeats: readonly RegionHeartbeat[],
  shards: readonly ProbeShard[],
): HeartbeatLookup {
  const layout = shards.length > 0 ? shards : assignShards([], 1);
  const count = layout[0]?.count ?? 1;
  const shardOfSite = new Map<string, number>();
  const fingerprints = layout.map((shard) => {
    for (const site of shard.sites) shardOfSite.set(site, shard.index);
    return sitesFingerprint(shard.sites);
  });
  const vouching = new Map<string, RegionHeartbeat>();
  for (const heartbeat of heartbeats) {
    if (heartbeat.shards !== count || heartbeat.sites !== fingerprints[heartbeat.shard]) continue;
    const key = heartbeatKey(heartbeat);
    const known = vouching.get(key);
    if (!known || known.lastRoundAt < heartbeat.lastRoundAt) vouching.set(key, heartbeat);
  }
  return (site, region) => {
    const shard = shardOfSite.get(site);
    return shard === undefined ? undefined : vouching.get(heartbeatKey({ region, shard, shards: count }));
  };
}

/**
 * The trackers as the evaluator reads them: each one current up to the heartbeat that vouches for
 * its site (the tracker was written at its last change, and nothing moved since), as stored otherwise.
 */
export function currentTracker(
  tracker: RegionTracker | undefined,
  heartbeat: RegionHeartbeat | undefined,
): RegionTracker | undefined {
  if (!tracker || !heartbeat) return tracker;
  return heartbeat.lastRoundAt > tracker.lastRoundAt
    ? { ...tracker, lastRoundAt: heartbeat.lastRoundAt }
    : tracker;
}
