import {
  commandSite,
  evaluateSite,
  FakeClock,
  InMemoryStore,
  inMemoryEvaluatorDeps,
} from "@idp-failover/core";
import { testConfig, testTrackers } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { readSiteOverview } from "./site-overview.js";

/*
 * Many sites at a glance: the ones that need someone first, each read with a fixed number of store
 * calls whatever the number of sites.
 */

const start = Date.parse("2026-12-04T10:00:00Z");

class CountingStore extends InMemoryStore {
  calls = { loadState: 0, loadTrackers: 0, loadRegionHeartbeats: 0 };
  override async loadState(site: string) {
    this.calls.loadState++;
    return super.loadState(site);
  }
  override async loadTrackers(site: string) {
    this.calls.loadTrackers++;
    return super.loadTrackers(site);
  }
  override async loadRegionHeartbeats() {
    this.calls.loadRegionHeartbeats++;
    return super.loadRegionHeartbeats();
  }
}

describe("the sites overview", () => {
  it("puts the sites that need someone first, the worst first, the others in the config's order", async () => {
    // Prepare: acme fine, globex failing over (okta down), initech frozen, umbrella fine.
    const sites = ["acme", "globex", "initech", "umbrella"];
    const config = testConfig({ sites });
    const clock = new FakeClock(start);
    const store = new CountingStore();
    const deps = inMemoryEvaluatorDeps(store, clock);
    for (const site of sites) {
      for (const tracker of testTrackers(site, start, { okta: site === "globex" })) store.setTracker(tracker);
      await evaluateSite(deps, config, site);
    }
    await commandSite(deps, config, "initech", {
      kind: "freeze",
      actor: "operator:ana",
      reason: "change window",
    });
    store.calls = { loadState: 0, loadTrackers: 0, loadRegionHeartbeats: 0 };

    // Act
    const overview = await readSiteOverview({ store }, config, { now: start });

    // Assess
    expect(overview.map((s) => [s.site, s.level])).toEqual([
      ["globex", 3],
      ["initech", 2],
      ["acme", 0],
      ["umbrella", 0],
    ]);
    expect(overview[0]).toMatchObject({
      state: "failing-over",
      serving: "entra",
      incident: { provider: "okta" },
    });
    expect(overview[0]?.troubles[0]?.text).toMatch(/^incident: okta failing since /);
    expect(overview[1]?.troubles.map((t) => t.text)).toEqual(["frozen by operator:ana: change window"]);
    expect(store.calls).toEqual({ loadState: 4, loadTrackers: 4, loadRegionHeartbeats: 1 });
  });
});
