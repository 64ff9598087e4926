import { InMemoryStore, type ProbeResult, ProbeTicks, parseConfig } from "@idp-failover/core";
import { testConfigInput } from "@idp-failover/core/testing";
import {
  LatchReader,
  type ProbeTickDeps,
  probeWatchdog,
  runProbeTick,
  withDeadline,
} from "@idp-failover/orchestration";
import { describe, expect, it } from "vitest";

/*
 * The probe's clock: each tick schedules the next one on the cadence grid before it probes, a
 * duplicate link is dropped, the watchdog re-seeds an empty queue, and the evaluator is woken only
 * when a region verdict changed. The queue and trigger here record calls (they are our interfaces;
 * SqsProbeQueue and EventBridgeEvaluatorTrigger implement them in production).
 */

const parsed = parseConfig(testConfigInput());
if (!parsed.ok) throw new Error("bad config");
const config = parsed.config;
const t0 = Date.parse("2026-05-04T09:00:00Z");

function world(options: { failRound?: boolean; okta?: boolean; idle?: boolean } = {}) {
  const scheduled: Array<{ tick: number; now: number }> = [];
  const woken: string[][] = [];
  let now = t0 + 120;
  const store = new InMemoryStore();
  const deps: ProbeTickDeps = {
    config,
    region: "us-west-2",
    ticks: new ProbeTicks(),
    queue: {
      schedule: async (tick, at) => {
        scheduled.push({ tick, now: at });
      },
      isIdle: async () => options.idle ?? false,
    },
    prober: {
      probe: async (_shard, at) => {
        if (options.failRound) throw new Error("network unreachable");
        const results: ProbeResult[] =
          config.sites[0]?.providers.map((p) => ({
            site: "acme",
            provider: p.id,
            region: "us-west-2",
            probe: "jwks",
            kind: "jwks",
            criticality: "critical",
            at: new Date(at).toISOString(),
            ok: p.id !== "okta" || options.okta !== false,
            latencyMs: 50,
          })) ?? [];
        return { region: "us-west-2", at, results };
      },
    },
    store,
    dataPlane: {
      latches: new LatchReader(store, 30_000),
      items: { get: async () => undefined, put: async () => undefined },
      written: new Map(),
    },
    evaluator: {
      wake: async (sites) => {
        woken.push([...sites]);
      },
    },
    clock: { now: () => now },
  };
  return { deps, scheduled, woken, advance: (ms: number) => (now += ms) };
}

describe("the probe tick chain", () => {
  it("schedules the next tick on the grid before probing, even when the round fails", async () => {
    const { deps, scheduled } = world({ failRound: true });
    const report = await runProbeTick(deps, t0);
    expect(report).toMatchObject({ kind: "probed", shards: [{ kind: "silent" }] });
    expect(scheduled).toEqual([{ tick: t0 + 10_000, now: t0 + 120 }]);
  });

  it("drops a duplicate link without probing or scheduling", async () => {
    const { deps, scheduled } = world();
    expect((await runProbeTick(deps, t0)).kind).toBe("probed");
    expect(await runProbeTick(deps, t0)).toEqual({ kind: "duplicate", tick: t0 });
    expect(scheduled).toHaveLength(1);
  });

  it("skips ahead when a round starts late, instead of piling rounds up", async () => {
    const { deps, scheduled, advance } = world();
    advance(25_000);
    await runProbeTick(deps, t0);
    expect(scheduled[0]?.tick).toBe(t0 + 30_000);
  });

  it("wakes the evaluator only when a region verdict changes", async () => {
    const healthy = world();
    await runProbeTick(healthy.deps, t0); // first round: stale -> up is a change
    healthy.woken.length = 0;
    healthy.advance(10_000);
    await runProbeTick(healthy.deps, t0 + 10_000);
    expect(healthy.woken).toEqual([]);

    const failing = world({ okta: false });
    await runProbeTick(failing.deps, t0);
    failing.advance(10_000);
    await runProbeTick(failing.deps, t0 + 10_000);
    expect(failing.woken.flat()).toContain("acme");
  });

  it("re-seeds the chain only when the queue is empty", async () => {
    const running = world({ idle: false });
    expect(await probeWatchdog(running.deps)).toBe("running");
    expect(running.scheduled).toEqual([]);
    const broken = world({ idle: true });
    expect(await probeWatchdog(broken.deps)).toBe("seeded");
    expect(broken.scheduled).toEqual([{ tick: t0 + 10_000, now: t0 + 120 }]);
  });

  it("gives up on a round before Lambda's timeout", async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(never, 20, "probe round")).rejects.toThrow(/did not finish in 20 ms/);
  });
});

describe("public DNS from the probe region", () => {
  it("resolves each login hostname once a minute and writes the observation only when it changes", async () => {
    // Prepare
    const { deps, advance } = world();
    const lookups: string[] = [];
    let target = "acme.okta.example";
    deps.publicDns = {
      resolve: async (hostname) => {
        lookups.push(hostname);
        return { answers: [target] };
      },
      observed: new Map(),
    };
    const saved: string[][] = [];
    const save = deps.store.saveDnsObservation.bind(deps.store);
    deps.store.saveDnsObservation = async (site, observation) => {
      saved.push(observation.answers);
      return save(site, observation);
    };
    // Act: a minute of ticks, then the next minute with the record moved.
    const minuteStart = Math.ceil(t0 / 60_000) * 60_000;
    for (let i = 0; i < 12; i++) {
      if (i === 6) target = "acme-login.azurefd.net";
      await runProbeTick(deps, minuteStart + i * 10_000);
      advance(10_000);
    }
    // Assess
    expect(lookups).toEqual(["login.acme.example.com", "login.acme.example.com"]);
    expect(saved).toEqual([["acme.okta.example"], ["acme-login.azurefd.net"]]);
    expect(await deps.store.loadDnsObservations("acme")).toEqual([
      expect.objectContaining({ region: "us-west-2", answers: ["acme-login.azurefd.net"] }),
    ]);
  });
});
