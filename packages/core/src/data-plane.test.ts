import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import {
  calculatedHealthThreshold,
  type DataPlaneItem,
  dataPlaneAnswer,
  dataPlaneItem,
  dataPlaneWriteDue,
  healthCheckedRecords,
  parseVerdictPath,
  verdictPath,
} from "./data-plane.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { testConfig } from "./testing.js";
import { observeRound, type RegionTracker, summarizeRound } from "./verdict.js";

/** The shared test config without alerting; `dataPlane` as given. */
function config(dataPlane?: Record<string, unknown>) {
  return testConfig({ alerting: {}, ...(dataPlane ? { dataPlane } : {}) });
}

const t0 = Date.parse("2026-03-01T10:00:00Z");

function trackerAfter(rounds: boolean[], policy = config().policy): RegionTracker {
  let tracker: RegionTracker | undefined;
  rounds.forEach((ok, i) => {
    const at = t0 + i * 10_000;
    const summary = summarizeRound(at, [
      {
        site: "acme",
        provider: "okta",
        region: "us-east-1",
        probe: "jwks",
        kind: "jwks",
        criticality: "critical",
        at: new Date(at).toISOString(),
        ok,
        latencyMs: 40,
        ...(ok ? {} : { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } }),
      },
    ]);
    tracker = observeRound(tracker, summary, policy);
  });
  if (!tracker) throw new Error("no rounds");
  return tracker;
}

describe("dataPlaneAnswer", () => {
  const cfg = config();
  const site = cfg.sites[0];
  const item = (down: boolean, latched = false, at = t0): DataPlaneItem => ({
    site: "acme",
    region: "us-east-1",
    writtenAt: at,
    providers: { okta: { lastRoundAt: at, down, latched } },
  });

  it("answers 200 while the region's fresh verdict is not down", () => {
    expect(dataPlaneAnswer(site, "okta", item(false), t0 + 5_000, cfg.policy).status).toBe(200);
  });

  it("answers 503 when the region says down", () => {
    expect(dataPlaneAnswer(site, "okta", item(true), t0 + 5_000, cfg.policy)).toEqual({
      status: 503,
      reason: "down in this region",
    });
  });

  it("answers 503 for a latched-out provider even when its probes pass", () => {
    expect(dataPlaneAnswer(site, "okta", item(false, true), t0 + 5_000, cfg.policy).status).toBe(503);
  });

  it("abstains (200) when the region's verdict is stale, however bad it was", () => {
    const stale = t0 + (cfg.policy.staleAfterSeconds + 1) * 1000;
    expect(dataPlaneAnswer(site, "okta", item(true), stale, cfg.policy).status).toBe(200);
  });

  it("abstains (200) before the probe has written anything", () => {
    expect(dataPlaneAnswer(site, "okta", undefined, t0, cfg.policy).status).toBe(200);
  });

  it("answers 404 for an unknown site or provider", () => {
    expect(dataPlaneAnswer(undefined, "okta", item(true), t0, cfg.policy).status).toBe(404);
    expect(dataPlaneAnswer(site, "ping", item(true), t0, cfg.policy).status).toBe(404);
  });
});

describe("dataPlaneItem", () => {
  const cfg = config();
  const site = cfg.sites[0];
  if (!site) throw new Error("no site");

  it("carries each provider's region verdict from the tracker", () => {
    const down = trackerAfter([false, false]);
    const up = trackerAfter([true, true]);
    const item = dataPlaneItem(site, "us-east-1", (p) => (p === "okta" ? down : up), undefined, t0 + 20_000);
    expect(item.providers.okta).toMatchObject({ down: true, latched: false });
    expect(item.providers.entra).toMatchObject({ down: false, latched: false });
  });

  it("latches out the primary while the site serves from the secondary", () => {
    const state: SiteState = {
      ...initialSiteState(site, t0),
      state: "secondary-active",
      active: "entra",
      weights: { okta: 0, entra: 100 },
    };
    const up = trackerAfter([true, true, true]);
    const item = dataPlaneItem(site, "us-east-1", () => up, state, t0 + 30_000);
    expect(item.providers.okta?.latched).toBe(true);
    expect(item.providers.entra?.latched).toBe(false);
    expect(dataPlaneAnswer(site, "okta", item, t0 + 30_000, cfg.policy).status).toBe(503);
  });

  it("releases the latch once failback moves weight to the primary", () => {
    const state: SiteState = {
      ...initialSiteState(site, t0),
      state: "failing-back",
      active: "entra",
      weights: { okta: 10, entra: 90 },
    };
    const item = dataPlaneItem(site, "us-east-1", () => trackerAfter([true]), state, t0);
    expect(item.providers.okta?.latched).toBe(false);
  });
});

describe("dataPlaneWriteDue", () => {
  const policy = config().policy;
  const item = (writtenAt: number, down: boolean): DataPlaneItem => ({
    site: "acme",
    region: "eu-west-1",
    writtenAt,
    providers: { okta: { lastRoundAt: writtenAt, down, latched: false } },
  });

  it("writes at once when a verdict changes", () => {
    expect(dataPlaneWriteDue(item(t0, false), item(t0 + 10_000, true), policy)).toBe(true);
  });

  it("skips an unchanged round written recently, and refreshes before the item could go stale", () => {
    expect(dataPlaneWriteDue(item(t0, false), item(t0 + 10_000, false), policy)).toBe(false);
    expect(dataPlaneWriteDue(item(t0, false), item(t0 + 15_000, false), policy)).toBe(true);
  });

  it("always writes the first item", () => {
    expect(dataPlaneWriteDue(undefined, item(t0, false), policy)).toBe(true);
  });
});

describe("health checks", () => {
  it("puts the quorum into the calculated check: unhealthy once quorum regions fail", () => {
    expect(calculatedHealthThreshold(3, 2)).toBe(2);
    expect(calculatedHealthThreshold(5, 3)).toBe(3);
    expect(calculatedHealthThreshold(1, 1)).toBe(1);
  });

  it("checks only the primary's record, on every probe region", () => {
    const records = healthCheckedRecords(config());
    expect(records).toEqual([
      expect.objectContaining({
        site: "acme",
        provider: "okta",
        setIdentifier: "okta",
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
        path: "/v1/health/acme/okta",
        healthThreshold: 2,
      }),
    ]);
  });

  it("creates no health checks when the data plane is off", () => {
    expect(healthCheckedRecords(config({ enabled: false }))).toEqual([]);
  });

  it("refuses fewer than three checker regions", () => {
    const parsed = parseConfig({
      alerting: {},
      dataPlane: { checkerRegions: ["us-east-1"] },
      sites: [],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((i) => i.path)).toContain("dataPlane.checkerRegions");
  });

  it("round-trips verdict paths and rejects others", () => {
    expect(parseVerdictPath(verdictPath("acme", "okta"))).toEqual({ site: "acme", provider: "okta" });
    expect(parseVerdictPath("/v1/health/acme")).toBeUndefined();
    expect(parseVerdictPath("/v1/health/acme/okta/extra")).toBeUndefined();
  });
});
