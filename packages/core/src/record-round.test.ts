import { describe, expect, it } from "vitest";
import { loadVerdicts } from "./evaluate.js";
import { InMemoryStore } from "./in-memory.js";
import type { ProbeResult, ProbeRound } from "./probe-result.js";
import { assignShards } from "./probe-shards.js";
import { createTrackerMemory, heartbeatsBySite, recordRound, sitesFingerprint } from "./record-round.js";
import { testConfig, testSite } from "./testing.js";

/*
 * What a round writes: results in full only for providers with something to look into, trackers on a
 * change that a reader acts on or as a heartbeat (three per stale period), folded exactly as if every
 * round had been written.
 */

const config = testConfig();
const site = testSite(config);
const t0 = Date.parse("2026-12-04T10:00:00Z");
const region = "eu-west-1";

function result(provider: string, at: number, ok = true, attempts = 1): ProbeResult {
  return {
    site: "acme",
    provider,
    region,
    probe: "oidc-discovery",
    kind: "oidc-discovery",
    criticality: "critical",
    at: new Date(at).toISOString(),
    ok,
    latencyMs: 80,
    attempts,
    ...(ok ? {} : { error: { class: "http-5xx" as const, message: "HTTP 503" } }),
  };
}

function round(at: number, okta = true, oktaAttempts = 1): ProbeRound {
  return { region, at, results: [result("okta", at, okta, oktaAttempts), result("entra", at)] };
}

class CountingStore extends InMemoryStore {
  trackerWrites = 0;
  resultRounds: string[] = [];
  override async saveTracker(entry: Parameters<InMemoryStore["saveTracker"]>[0]): Promise<void> {
    this.trackerWrites++;
    return super.saveTracker(entry);
  }
  override async putResults(results: readonly ProbeResult[]): Promise<void> {
    this.resultRounds.push(...new Set(results.map((r) => `${r.provider}@${r.at}`)));
    return super.putResults(results);
  }
}

describe("recordRound", () => {
  it("writes nothing but the region's heartbeat for healthy rounds, three heartbeats per stale period", async () => {
    // Prepare: cadence 10 s, stale after 45 s, so a heartbeat every 15 s: every other round.
    const store = new CountingStore();
    const memory = createTrackerMemory();
    const writes: Array<[number, boolean]> = [];
    // Act
    for (let i = 0; i < 7; i++) {
      const at = t0 + i * 10_000;
      const before = store.trackerWrites;
      const recorded = await recordRound(store, config, round(at), at + 500, memory);
      writes.push([store.trackerWrites - before, recorded.writes.heartbeat]);
      // Assess: what the evaluator reads is never older than the heartbeat, and never stale.
      const verdicts = await loadVerdicts(store, config, site, at + 500);
      for (const provider of ["okta", "entra"]) {
        const view = verdicts[provider]?.regions.find((r) => r.region === region);
        expect(view?.verdict).toBe("up");
        expect(at - (view?.lastRoundAt ?? 0)).toBeLessThan(15_000);
      }
    }
    expect(writes).toEqual([
      [2, true],
      [0, false],
      [0, true],
      [0, false],
      [0, true],
      [0, false],
      [0, true],
    ]);
    expect(store.resultRounds).toEqual([]);
  });

  it("writes trackers as their own heartbeat when a round covers only some sites", async () => {
    const store = new CountingStore();
    const memory = createTrackerMemory();
    const twoSites = { ...config, sites: [...config.sites, { ...site, id: "other" }] };
    const perRound: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = store.trackerWrites;
      const recorded = await recordRound(store, twoSites, round(t0 + i * 10_000), t0 + i * 10_000, memory);
      expect(recorded.writes.heartbeat).toBe(false);
      perRound.push(store.trackerWrites - before);
    }
    expect(perRound).toEqual([2, 0, 2, 0]);
  });

  it("lets a heartbeat vouch only for the sites it was written for", () => {
    const heartbeat = {
      region,
      shard: 0,
      shards: 1,
      lastRoundAt: t0 + 30_000,
      sites: sitesFingerprint(["acme"]),
    };
    expect(heartbeatsBySite([heartbeat], assignShards(["acme"], 1))("acme", region)).toEqual(heartbeat);
    // A probe still on the old config (no "new-site") vouches for nothing under the new one.
    expect(heartbeatsBySite([heartbeat], assignShards(["acme", "new-site"], 1))("acme", region)).toBe(
      undefined,
    );
    // Nor under another split of the same sites.
    expect(heartbeatsBySite([heartbeat], assignShards(["acme"], 2))("acme", region)).toBe(undefined);
  });

  it("writes one heartbeat per shard, and a silent shard makes only its own sites stale", async () => {
    // Prepare: four sites in two shards; shard 1 answers its rounds, shard 0 falls silent after the first.
    const ids = ["north", "south", "east", "west"];
    const many = testConfig({ sites: ids });
    const shards = assignShards(ids, 2);
    const store = new InMemoryStore();
    const memory = createTrackerMemory();
    const roundOf = (shard: (typeof shards)[number], at: number): ProbeRound => ({
      region,
      at,
      results: shard.sites.flatMap((id) => [
        { ...result("okta", at), site: id },
        { ...result("entra", at), site: id },
      ]),
    });
    const [silent, alive] = shards as [(typeof shards)[number], (typeof shards)[number]];
    expect(silent.sites.length * alive.sites.length).toBeGreaterThan(0);
    // Act: both shards at t0, then only `alive` for two minutes.
    for (const shard of shards) await recordRound(store, many, roundOf(shard, t0), t0, memory, shard);
    for (let at = t0 + 10_000; at <= t0 + 120_000; at += 10_000)
      await recordRound(store, many, roundOf(alive, at), at, memory, alive);
    // Assess: two heartbeat items; the live shard's sites are up, the silent one's stale.
    expect((await store.loadRegionHeartbeats()).map((h) => `${h.shard}/${h.shards}`).sort()).toEqual([
      "0/2",
      "1/2",
    ]);
    const heartbeats = heartbeatsBySite(await store.loadRegionHeartbeats(), shards);
    const now = t0 + 120_500;
    const verdictIn = async (id: string) => {
      const verdicts = await loadVerdicts(store, many, { ...site, id }, now, heartbeats);
      return verdicts.okta?.regions.find((r) => r.region === region)?.verdict;
    };
    for (const id of alive.sites) expect(await verdictIn(id)).toBe("up");
    for (const id of silent.sites) expect(await verdictIn(id)).toBe("stale");
  });

  it("stores a round's results in full, and the trackers at once, when a probe failed or needed a retry", async () => {
    const store = new CountingStore();
    const memory = createTrackerMemory();
    await recordRound(store, config, round(t0), t0, memory);
    const flaky = await recordRound(store, config, round(t0 + 10_000, true, 2), t0 + 10_000, memory);
    const failed = await recordRound(store, config, round(t0 + 20_000, false), t0 + 20_000, memory);
    expect(flaky.writes).toMatchObject({ trackers: 1, resultRounds: 1 });
    expect(failed.writes.resultRounds).toBe(1);
    expect(store.resultRounds).toEqual([
      `okta@${new Date(t0 + 10_000).toISOString()}`,
      `okta@${new Date(t0 + 20_000).toISOString()}`,
    ]);
    const okta = (await store.loadTrackers("acme")).find((t) => t.provider === "okta");
    expect(okta?.tracker).toMatchObject({
      lastRoundAt: t0 + 20_000,
      lastOutcome: "fail",
      consecutiveFailed: 1,
    });
  });

  it("folds every round even when it writes none: the same trackers as writing each one", async () => {
    const sparse = new CountingStore();
    const every = new CountingStore();
    const memory = createTrackerMemory();
    const outcomes = [true, true, false, false, true, true, true, true, true];
    let last: Awaited<ReturnType<typeof recordRound>> | undefined;
    let reference: Awaited<ReturnType<typeof recordRound>> | undefined;
    for (const [i, ok] of outcomes.entries()) {
      const at = t0 + i * 10_000;
      last = await recordRound(sparse, config, round(at, ok), at, memory);
      reference = await recordRound(every, config, round(at, ok), at);
    }
    expect(last?.trackers).toEqual(reference?.trackers);
    expect(sparse.trackerWrites).toBeLessThan(every.trackerWrites);
    expect(last?.changes).toEqual(reference?.changes);
  });

  it("keeps the probe counts beside flaky results current within a minute, so the flaky rate stays true", async () => {
    // Prepare: four Okta probes a round; one result retried (then passed) in each of the first 12
    // rounds, then healthy rounds: 12 flaky of 320 results in the window (3.75%, under the 5% rate).
    const sparse = new CountingStore();
    const every = new CountingStore();
    const memory = createTrackerMemory();
    const rounds = 80;
    const fourProbes = (at: number, flaky: boolean): ProbeRound => ({
      region,
      at,
      results: [0, 1, 2, 3].map((n) => ({
        ...result("okta", at, true, flaky && n === 0 ? 2 : 1),
        probe: `probe-${n}`,
      })),
    });
    for (let i = 0; i < rounds; i++) {
      const at = t0 + i * 10_000;
      await recordRound(sparse, config, fourProbes(at, i < 12), at, memory);
      await recordRound(every, config, fourProbes(at, i < 12), at);
    }
    // Act: both stores as the evaluator reads them, at the last round.
    const now = t0 + (rounds - 1) * 10_000;
    const [fromSparse, fromEvery] = await Promise.all([
      loadVerdicts(sparse, config, site, now),
      loadVerdicts(every, config, site, now),
    ]);
    // Assess: the same verdict (up: the rate is under 5%), with far fewer writes.
    const verdictOf = (v: typeof fromSparse) => v.okta?.regions.find((r) => r.region === region)?.verdict;
    expect(verdictOf(fromEvery)).toBe("up");
    expect(verdictOf(fromSparse)).toBe("up");
    expect(sparse.trackerWrites).toBeLessThan(every.trackerWrites / 3);
  });

  it("starts from the stored tracker after a cold start", async () => {
    const store = new CountingStore();
    await recordRound(store, config, round(t0, false), t0, createTrackerMemory());
    const recorded = await recordRound(
      store,
      config,
      round(t0 + 10_000, false),
      t0 + 10_000,
      createTrackerMemory(),
    );
    expect(recorded.trackers.find((t) => t.provider === "okta")?.tracker).toMatchObject({
      consecutiveFailed: 2,
      down: true,
    });
  });
});
