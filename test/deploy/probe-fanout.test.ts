import {
  assignShards,
  heartbeatKey,
  InMemoryStore,
  type ProbeResult,
  type ProbeShard,
  type ShardProber,
  worstRoundMs,
} from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { type ProbeRoundDeps, probeRound, shardWaitMs } from "@idp-failover/orchestration";
import { describe, expect, it } from "vitest";

/*
 * The fan-out of a region's round (packages/orchestration/src/probe-round.ts): every shard probes side
 * by side and is recorded as it answers; a shard that fails or does not answer before the round's
 * signal is silent, and only its sites miss their heartbeat. The probers here are our interface; the
 * Lambda one is tested against the Lambda stand-in (test/aws/lambda-shard-prober.test.ts).
 */

const config = testConfig({ sites: Array.from({ length: 12 }, (_, i) => `site-${i}`) });
const shards = assignShards(
  config.sites.map((s) => s.id),
  3,
);
const t0 = Date.parse("2026-12-04T09:00:00Z");
const region = "us-west-2";

function healthyRound(shard: ProbeShard, at: number) {
  const results: ProbeResult[] = shard.sites.flatMap((site) =>
    ["okta", "entra"].map((provider) => ({
      site,
      provider,
      region,
      probe: "jwks",
      kind: "jwks" as const,
      criticality: "critical" as const,
      at: new Date(at).toISOString(),
      ok: true,
      latencyMs: 40,
    })),
  );
  return { region, at, results };
}

function deps(prober: ShardProber): ProbeRoundDeps & { store: InMemoryStore } {
  return {
    config,
    region,
    prober,
    shards,
    store: new InMemoryStore(),
    evaluator: { wake: async () => undefined },
    clock: { now: () => t0 + 500 },
  };
}

describe("a fanned-out probe round", () => {
  it("records every shard that answers, with its own heartbeat, and reports the failed one silent", async () => {
    // Prepare: the second shard's worker fails.
    const round = deps({
      probe: async (shard, at) => {
        if (shard.index === 1) throw new Error("worker crashed");
        return healthyRound(shard, at);
      },
    });
    // Act
    const report = await probeRound(round, t0);
    // Assess
    expect(report.shards.map((s) => s.kind)).toEqual(["recorded", "silent", "recorded"]);
    const beats = (await round.store.loadRegionHeartbeats()).map(heartbeatKey).sort();
    expect(beats).toEqual([`${region}#0/3`, `${region}#2/3`]);
    const silentSites = new Set(shards[1]?.sites);
    expect(report.results.some((r) => silentSites.has(r.site))).toBe(false);
    expect(report.results).toHaveLength((12 - silentSites.size) * 2);
  });

  it("stops waiting for a shard that does not answer when the round's signal ends, keeping the others", async () => {
    // Prepare: the first shard never answers unless aborted.
    const round = deps({
      probe: (shard, at, signal) =>
        shard.index === 0
          ? new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
          : Promise.resolve(healthyRound(shard, at)),
    });
    const stop = new AbortController();
    // Act
    const pending = probeRound(round, t0, stop.signal);
    await new Promise((done) => setImmediate(done));
    stop.abort(new Error("round deadline"));
    const report = await pending;
    // Assess
    expect(report.shards.map((s) => s.kind)).toEqual(["silent", "recorded", "recorded"]);
    expect((await round.store.loadRegionHeartbeats()).map(heartbeatKey).sort()).toEqual([
      `${region}#1/3`,
      `${region}#2/3`,
    ]);
  });

  it("checks the region's own health once a round and gives it to every shard's round", async () => {
    // Prepare: every canary of the region fails.
    let checks = 0;
    const round = {
      ...deps({ probe: async (shard, at) => healthyRound(shard, at) }),
      regionHealth: async () => {
        checks++;
        return { canaries: [{ name: "aws-region", ok: false, latencyMs: 5_000, error: "timeout" }] };
      },
    };
    // Act
    const report = await probeRound(round, t0);
    // Assess: one check, and every shard's sites abstain in this region.
    expect(checks).toBe(1);
    for (const outcome of report.shards) {
      if (outcome.kind !== "recorded") throw new Error("expected every shard recorded");
      expect(outcome.recorded.impaired).toMatch(/aws-region/);
    }
  });

  it("times each shard from the round's start to its answer", async () => {
    // Prepare: the third shard answers 3 s into the round, the others at once.
    let now = t0;
    const round = {
      ...deps({
        probe: async (shard, at) => {
          if (shard.index === 2) {
            // After the others have answered (a turn of the event loop, no wall-clock wait).
            await new Promise((done) => setImmediate(done));
            now += 3_000;
          }
          return healthyRound(shard, at);
        },
      }),
      clock: { now: () => now },
    };
    // Act
    const report = await probeRound(round, t0);
    // Assess
    expect(report.shards.map((s) => s.answeredMs)).toEqual([0, 0, 3_000]);
  });

  it("keeps only a shard's own sites from what its worker answers", async () => {
    // Prepare: every worker answers for every site (a worker with another layout).
    const everySite = { index: 0, count: 1, sites: config.sites.map((s) => s.id) };
    const round = deps({ probe: async (_shard, at) => healthyRound(everySite, at) });
    // Act
    const report = await probeRound(round, t0);
    // Assess: each site once, from its own shard.
    expect(report.results).toHaveLength(12 * 2);
    for (const outcome of report.shards) {
      if (outcome.kind !== "recorded") throw new Error("expected every shard recorded");
      expect(new Set(outcome.round.results.map((r) => r.site))).toEqual(new Set(outcome.shard.sites));
    }
  });
});

describe("how long a round waits for its shards", () => {
  it("stops at a worker's slowest possible round and its reply, well before a long budget", () => {
    // 3 attempts of 5 s and 2 confirm delays of 1 s: 17 s, then 5 s for the worker's start and reply.
    expect(shardWaitMs(config, 60_000)).toBe(worstRoundMs(config.policy) + 5_000);
  });

  it("keeps time to record what the others found when the budget is shorter", () => {
    expect(shardWaitMs(config, 12_000)).toBe(7_000);
  });
});
