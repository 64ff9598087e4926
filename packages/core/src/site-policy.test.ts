import { describe, expect, it } from "vitest";
import { evaluateSite, loadVerdicts } from "./evaluate.js";
import { FakeClock, InMemoryStore, inMemoryEvaluatorDeps } from "./in-memory.js";
import type { ProbeResult, ProbeRound } from "./probe-result.js";
import { siteDueAt } from "./probe-ticks.js";
import { createTrackerMemory, recordRound } from "./record-round.js";
import { testConfig, testRegions } from "./testing.js";

/*
 * Each site runs under its own policy: the region fold, the verdicts and the state machine of a site
 * with its own quorum or failure threshold decide differently from the deployment's default, on the
 * same probe results.
 */

const t0 = Date.parse("2026-12-04T10:00:00Z");

function result(site: string, provider: string, region: string, at: number, ok: boolean): ProbeResult {
  return {
    site,
    provider,
    region,
    probe: "jwks",
    kind: "jwks",
    criticality: "critical",
    at: new Date(at).toISOString(),
    ok,
    latencyMs: 60,
    attempts: ok ? 1 : 3,
    ...(ok ? {} : { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } }),
  };
}

/** One round in `region` for every site: okta fails where `oktaFails` says so, entra answers. */
function round(sites: readonly string[], region: string, at: number, oktaFails: boolean): ProbeRound {
  return {
    region,
    at,
    results: sites.flatMap((site) => [
      result(site, "okta", region, at, !oktaFails),
      result(site, "entra", region, at, true),
    ]),
  };
}

function world(start: number) {
  const clock = new FakeClock(start);
  return {
    clock,
    deps: inMemoryEvaluatorDeps(new InMemoryStore(), clock, { insyncAfterMs: 10_000 }),
  };
}

describe("a site's own policy in the pipeline", () => {
  it("fails over a site with quorum 1 on one region's outage, while the default quorum of 2 holds", async () => {
    // Prepare: okta fails in us-east-1 only, round after round, for both sites.
    const sites = ["acme", "globex"];
    const config = testConfig({ sites, siteSettings: { globex: { policy: { quorum: 1 } } } });
    const { clock, deps } = world(t0);
    const memory = createTrackerMemory();
    for (const site of sites) await evaluateSite(deps, config, site);
    for (let i = 0; i < 3; i++) {
      const at = t0 + i * 10_000;
      for (const region of testRegions) {
        await recordRound(
          deps.store,
          config,
          round(sites, region, at, region === "us-east-1"),
          at + 500,
          memory,
        );
      }
    }
    clock.set(t0 + 20_500);

    // Act
    const acme = await evaluateSite(deps, config, "acme");
    const globex = await evaluateSite(deps, config, "globex");

    // Assess
    expect(acme.verdicts.okta?.verdict).toBe("up");
    expect(acme.state.state).toBe("primary-active");
    expect(globex.verdicts.okta?.verdict).toBe("down");
    expect(globex.state.state).toBe("failing-over");
    expect(deps.dns.changes.map((c) => c.site)).toEqual(["globex"]);
  });

  it("folds rounds under the site's failure threshold: one failed round is down for a site that says so", async () => {
    // Prepare: one failing round everywhere, after a healthy one.
    const sites = ["acme", "initech"];
    const config = testConfig({
      sites,
      siteSettings: { initech: { policy: { failure: { consecutiveRounds: 1 } } } },
    });
    const { clock, deps } = world(t0);
    const memory = createTrackerMemory();
    for (const site of sites) await evaluateSite(deps, config, site);
    for (const [i, fails] of [false, true].entries()) {
      const at = t0 + i * 10_000;
      for (const region of testRegions) {
        await recordRound(deps.store, config, round(sites, region, at, fails), at + 500, memory);
      }
    }
    clock.set(t0 + 10_500);

    // Act
    const acme = await evaluateSite(deps, config, "acme");
    const initech = await evaluateSite(deps, config, "initech");

    // Assess
    expect(acme.verdicts.okta?.regions.map((r) => r.verdict)).toEqual(["degraded", "degraded", "degraded"]);
    expect(acme.state.state).toBe("primary-active");
    expect(initech.verdicts.okta?.regions.map((r) => r.verdict)).toEqual(["down", "down", "down"]);
    expect(initech.state.state).toBe("failing-over");
  });

  it("judges staleness by the site's own staleAfterSeconds", async () => {
    // Prepare: one healthy round, then a minute of silence.
    const sites = ["acme", "umbrella"];
    const config = testConfig({
      sites,
      siteSettings: { umbrella: { policy: { cadenceSeconds: 30, staleAfterSeconds: 120 } } },
    });
    const { deps } = world(t0);
    for (const region of testRegions)
      await recordRound(deps.store, config, round(sites, region, t0, false), t0);
    const later = t0 + 60_000;

    // Act
    const acme = await loadVerdicts(deps.store, config, config.sites[0] ?? fail(), later);
    const umbrella = await loadVerdicts(deps.store, config, config.sites[1] ?? fail(), later);

    // Assess
    expect(acme.okta?.regions.map((r) => r.verdict)).toEqual(["stale", "stale", "stale"]);
    expect(umbrella.okta?.regions.map((r) => r.verdict)).toEqual(["up", "up", "up"]);
  });

  it("writes the region's heartbeat after a round of the sites due, a longer cadence's site absent", async () => {
    // Prepare: umbrella is probed every third tick (30 s on a 10 s grid); t0 is on its grid.
    const sites = ["acme", "umbrella"];
    const config = testConfig({
      sites,
      siteSettings: { umbrella: { policy: { cadenceSeconds: 30, staleAfterSeconds: 120 } } },
    });
    const umbrella = config.sites[1] ?? fail();
    const store = new InMemoryStore();
    const memory = createTrackerMemory();
    const region = "eu-west-1";
    const heartbeats: boolean[] = [];

    // Act: rounds every 10 s with only the sites due in them, as the probes plan them.
    for (let i = 0; i < 4; i++) {
      const at = t0 + i * 10_000 + 250;
      const due = config.sites.filter((s) => siteDueAt(s, at, 10)).map((s) => s.id);
      const recorded = await recordRound(store, config, round(due, region, at, false), at, memory);
      heartbeats.push(recorded.writes.heartbeat);
    }

    // Assess: umbrella is due at 0 s and 30 s only; the heartbeat comes every 15 s all the same.
    expect([0, 1, 2, 3].map((i) => siteDueAt(umbrella, t0 + i * 10_000 + 250, 10))).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(heartbeats).toEqual([true, false, true, false]);
  });
});

function fail(): never {
  throw new Error("test config has fewer sites than the test expects");
}
