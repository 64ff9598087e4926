import {
  type EvaluatorDeps,
  evaluateSite,
  FakeClock,
  InMemoryDns,
  InMemoryEvents,
  InMemoryNotifier,
  InMemoryStore,
} from "@idp-failover/core";
import { testConfig, testRegions, testTracker } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import {
  dnsChangeSeconds,
  evaluateSites,
  oldestResultAgeSeconds,
  sitesToEvaluate,
} from "./evaluate-sites.js";

/* What the evaluate function runs per invocation, and the figures it publishes. */

const config = testConfig({ sites: ["acme", "globex"] });
const t0 = Date.parse("2026-05-04T09:00:00Z");

function world() {
  const clock = new FakeClock(t0);
  const store = new InMemoryStore();
  const deps: EvaluatorDeps = {
    store,
    dns: new InMemoryDns(clock, 5_000),
    events: new InMemoryEvents(),
    notifier: new InMemoryNotifier(),
    clock,
  };
  const report = async (site: string, lastRound: Record<string, number>, oktaDown = false) => {
    for (const region of testRegions) {
      const at = lastRound[region] ?? clock.now();
      await store.saveTracker({ site, provider: "okta", region, tracker: testTracker(at, oktaDown) });
      await store.saveTracker({ site, provider: "entra", region, tracker: testTracker(at, false) });
    }
  };
  return { clock, store, deps, report };
}

describe("sitesToEvaluate", () => {
  it("evaluates the sites a probe named, once each, and only those the config has", () => {
    const event = {
      "detail-type": "Probe Verdicts Changed",
      detail: { sites: ["globex", "gone", "globex"], region: "eu-west-1" },
    };
    expect(sitesToEvaluate(config, event)).toEqual(["globex"]);
  });

  it("evaluates every site on the one-minute schedule", () => {
    expect(sitesToEvaluate(config, {})).toEqual(["acme", "globex"]);
  });
});

describe("evaluateSites", () => {
  it("reports one site's failure without stopping the others", async () => {
    // Prepare
    const { deps, report } = world();
    await report("acme", {});
    await report("globex", {});
    const store = deps.store;
    const failing: EvaluatorDeps = {
      ...deps,
      store: Object.assign(Object.create(store) as typeof store, {
        loadState: async (site: string) => {
          if (site === "acme") throw new Error("ProvisionedThroughputExceededException");
          return store.loadState(site);
        },
      }),
    };

    // Act
    const outcomes = await evaluateSites(failing, config, ["acme", "globex"]);

    // Assess
    const bySite = new Map(outcomes.map((o) => [o.site, o]));
    expect(bySite.get("acme")).toEqual({ site: "acme", error: expect.any(Error) });
    expect(bySite.get("globex")).toMatchObject({
      site: "globex",
      report: { state: { state: "primary-active" } },
    });
  });

  it("reads the probe regions' heartbeats once for a pass, not once a site", async () => {
    // Prepare: ten sites, a store that counts heartbeat reads.
    const many = testConfig({ sites: Array.from({ length: 10 }, (_, i) => `site-${i}`) });
    const { deps, report } = world();
    for (const site of many.sites) await report(site.id, {});
    let reads = 0;
    const store = deps.store;
    const counting: EvaluatorDeps = {
      ...deps,
      store: Object.assign(Object.create(store) as typeof store, {
        loadRegionHeartbeats: async () => {
          reads++;
          return store.loadRegionHeartbeats();
        },
      }),
    };
    // Act
    const outcomes = await evaluateSites(
      counting,
      many,
      many.sites.map((s) => s.id),
    );
    // Assess
    expect(outcomes.filter((o) => "report" in o)).toHaveLength(10);
    expect(reads).toBe(1);
  });
});

describe("the evaluator's figures", () => {
  it("gives the age of the stalest region's last round, for the no-probe-results alarm", async () => {
    const { clock, deps, report } = world();
    await report("acme", { "eu-west-1": t0 - 200_000 });
    const { verdicts } = await evaluateSite(deps, config, "acme");
    expect(oldestResultAgeSeconds(verdicts, clock.now())).toBe(200);
  });

  it("counts a region that never reported as an hour old", async () => {
    const { clock, deps, store } = world();
    await store.saveTracker({
      site: "acme",
      provider: "okta",
      region: "us-east-1",
      tracker: testTracker(t0, false),
    });
    const { verdicts } = await evaluateSite(deps, config, "acme");
    expect(oldestResultAgeSeconds(verdicts, clock.now())).toBe(3600);
  });

  it("times Route 53's change when the evaluation sees a failover's change INSYNC", async () => {
    // Prepare: okta down in every region, the change submitted, then INSYNC 5 s later.
    const { clock, deps, report } = world();
    await report("acme", {}, true);
    const submitted = await evaluateSite(deps, config, "acme");
    expect(submitted.state.state).toBe("failing-over");
    clock.advance(6_000);
    await report("acme", {}, true);

    // Act
    const insync = await evaluateSite(deps, config, "acme");

    // Assess
    expect(insync.state.state).toBe("secondary-active");
    expect(dnsChangeSeconds(submitted)).toBeUndefined();
    expect(dnsChangeSeconds(insync)).toBe(6);
  });
});
