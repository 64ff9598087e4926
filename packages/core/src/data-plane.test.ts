import { describe, expect, it } from "vitest";
import { healthChecksNeeded, parseConfig } from "./config.js";
import {
  calculatedHealthThreshold,
  checkedVerdictPath,
  type DataPlaneItem,
  dataPlaneAnswer,
  dataPlaneItem,
  dataPlaneWriteDue,
  deployedVerdictManifest,
  healthCheckedPaths,
  manifestSite,
  parseVerdictManifest,
  parseVerdictPath,
  sharedPathAnswer,
  sharedVerdictResource,
  VerdictSecretError,
  verdictPath,
  verdictResource,
} from "./data-plane.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { testConfig, testConfigInput } from "./testing.js";
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

describe("dataPlaneAnswer (fails safe: only a positive withdraw takes a provider out)", () => {
  const cfg = config();
  const site = cfg.sites[0];
  const item = (
    okta: { down: boolean; latched?: boolean; impaired?: boolean },
    entraDown = false,
    at = t0,
  ): DataPlaneItem => ({
    site: "acme",
    region: "us-east-1",
    writtenAt: at,
    providers: {
      okta: {
        lastRoundAt: at,
        down: okta.down,
        latched: okta.latched ?? false,
        ...(okta.impaired ? { impaired: true } : {}),
      },
      entra: { lastRoundAt: at, down: entraDown, latched: false },
    },
  });
  const now = t0 + 5_000;

  it("keeps the provider while the region's fresh verdict is not down", () => {
    expect(dataPlaneAnswer(site, "okta", item({ down: false }), now, cfg.policy).withdraw).toBe(false);
  });

  it("withdraws when the region says down and another provider here can take over", () => {
    expect(dataPlaneAnswer(site, "okta", item({ down: true }), now, cfg.policy)).toEqual({
      withdraw: true,
      reason: "down in this region",
    });
  });

  it("keeps a down provider when no other can take over here (the both-down guard)", () => {
    expect(dataPlaneAnswer(site, "okta", item({ down: true }, true), now, cfg.policy)).toMatchObject({
      withdraw: false,
      reason: expect.stringContaining("both-down guard"),
    });
    const backupAuth: DataPlaneItem = {
      ...item({ down: true }),
      providers: {
        ...item({ down: true }).providers,
        entra: { lastRoundAt: t0, down: false, latched: false, mode: "backup-auth" },
      },
    };
    expect(dataPlaneAnswer(site, "okta", backupAuth, now, cfg.policy).withdraw).toBe(false);
  });

  it("withdraws a latched-out provider even when its probes pass", () => {
    expect(
      dataPlaneAnswer(site, "okta", item({ down: false, latched: true }), now, cfg.policy).withdraw,
    ).toBe(true);
  });

  it("holds (keeps) while automatic changes are frozen or paused, latch aside", () => {
    expect(
      dataPlaneAnswer(site, "okta", { ...item({ down: true }), hold: true }, now, cfg.policy).withdraw,
    ).toBe(false);
    expect(
      dataPlaneAnswer(site, "okta", { ...item({ down: false, latched: true }), hold: true }, now, cfg.policy)
        .withdraw,
    ).toBe(true);
  });

  it("abstains (keeps) when the region is impaired or its verdict stale, however bad it was", () => {
    expect(
      dataPlaneAnswer(site, "okta", item({ down: true, impaired: true }), now, cfg.policy).withdraw,
    ).toBe(false);
    const stale = t0 + (cfg.policy.staleAfterSeconds + 1) * 1000;
    expect(dataPlaneAnswer(site, "okta", item({ down: true }), stale, cfg.policy).withdraw).toBe(false);
    expect(dataPlaneAnswer(site, "okta", undefined, t0, cfg.policy).withdraw).toBe(false);
  });

  it("keeps for an unknown site or provider", () => {
    expect(dataPlaneAnswer(undefined, "okta", item({ down: true }), t0, cfg.policy).withdraw).toBe(false);
    expect(dataPlaneAnswer(site, "ping", item({ down: true }), t0, cfg.policy).withdraw).toBe(false);
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
    expect(dataPlaneAnswer(site, "okta", item, t0 + 30_000, cfg.policy).withdraw).toBe(true);
  });

  it("carries what the endpoint needs for the guards: impaired regions, vendor modes, holds", () => {
    const impaired = observeRound(
      trackerAfter([true]),
      summarizeRound(t0 + 10_000, [], "canaries failing"),
      cfg.policy,
    );
    const frozen: SiteState = { ...initialSiteState(site, t0), state: "frozen" };
    const paused: SiteState = {
      ...initialSiteState(site, t0),
      paused: { since: "2026-03-01T10:00:00.000Z", until: "2026-03-01T11:00:00.000Z", changes: 4 },
    };
    expect(dataPlaneItem(site, "us-east-1", () => impaired, undefined, t0).providers.okta?.impaired).toBe(
      true,
    );
    expect(dataPlaneItem(site, "us-east-1", () => impaired, frozen, t0).hold).toBe(true);
    expect(dataPlaneItem(site, "us-east-1", () => impaired, paused, t0).hold).toBe(true);
    expect(
      dataPlaneItem(site, "us-east-1", () => impaired, initialSiteState(site, t0), t0).hold,
    ).toBeUndefined();
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

  it("refreshes a down verdict before it could go stale, and skips an unchanged one written recently", () => {
    expect(dataPlaneWriteDue(item(t0, true), item(t0 + 10_000, true), policy)).toBe(false);
    expect(dataPlaneWriteDue(item(t0, true), item(t0 + 15_000, true), policy)).toBe(true);
  });

  it("never refreshes an item that says up: stale or not, the endpoint answers 200", () => {
    expect(dataPlaneWriteDue(item(t0, false), item(t0 + 600_000, false), policy)).toBe(false);
    const staleUp = dataPlaneAnswer(
      { id: "acme", providers: [{ id: "okta" }] },
      "okta",
      item(t0, false),
      t0 + 600_000,
      policy,
    );
    const freshUp = dataPlaneAnswer(
      { id: "acme", providers: [{ id: "okta" }] },
      "okta",
      item(t0, false),
      t0,
      policy,
    );
    expect(staleUp.withdraw).toBe(freshUp.withdraw);
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
    const paths = healthCheckedPaths(config());
    expect(paths).toEqual([
      {
        target: "acme.customdomains.okta.com",
        members: [{ site: "acme", provider: "okta" }],
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
        path: "/health/acme/okta",
        healthThreshold: 2,
        inverted: true,
      },
    ]);
    expect(healthChecksNeeded(config())).toEqual({ https: 3, calculated: 1, total: 4 });
    expect(healthCheckedPaths(config({ matchString: true }))[0]?.searchString).toBe("idp-failover:withdraw");
  });

  it("refuses a failure threshold of 1: one answer alone must never move traffic", () => {
    const parsed = parseConfig({ alerting: {}, dataPlane: { failureThreshold: 1 }, sites: [] });
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toContain("dataPlane.failureThreshold");
  });

  it("creates no health checks when the data plane is off", () => {
    expect(healthCheckedPaths(config({ enabled: false }))).toEqual([]);
  });

  it("shares one set of checks among the sites whose primaries share a path", () => {
    const one = config().sites[0];
    if (!one) throw new Error("no site");
    const copy = (id: string, target: string) => ({
      ...one,
      id,
      hostname: `${id}.example`,
      providers: one.providers.map((p, i) => (i === 0 ? { ...p, dnsTarget: target } : p)),
    });
    const msp = {
      ...config(),
      sites: [
        copy("a", "path.front.example"),
        copy("b", "PATH.front.example."),
        copy("c", "other.front.example"),
      ],
    };
    const paths = healthCheckedPaths(msp);
    expect(paths.map((p) => [p.target, p.members.map((m) => m.site), p.path])).toEqual([
      ["path.front.example", ["a", "b"], "/path/path.front.example"],
      ["other.front.example", ["c"], "/health/c/okta"],
    ]);
    expect(healthChecksNeeded(msp).total).toBe(8);
    const manifest = deployedVerdictManifest(msp);
    expect(manifest.sharedPaths).toEqual([
      {
        target: "path.front.example",
        members: [
          { site: "a", provider: "okta" },
          { site: "b", provider: "okta" },
        ],
      },
    ]);
    expect(parseVerdictManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
  });
});

describe("the tiers: sites with a data plane, and sites failed over by the control plane alone", () => {
  /** acme and globex with a data plane, initech (and any named in `controlPlaneOnly`) without. */
  function mixed(controlPlaneOnly: string[], extra: Record<string, unknown> = {}) {
    const input = testConfigInput({ alerting: {}, sites: ["acme", "globex", "initech"], ...extra });
    for (const site of input.sites as Array<Record<string, unknown>>) {
      if (controlPlaneOnly.includes(String(site.id))) site.dataPlane = false;
    }
    const parsed = parseConfig(input);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.config;
  }

  it("health-checks and counts only the sites with a data plane", () => {
    // Act
    const config = mixed(["initech"]);

    // Assess
    expect(healthCheckedPaths(config).flatMap((p) => p.members.map((m) => m.site))).toEqual([
      "acme",
      "globex",
    ]);
    expect(healthChecksNeeded(config)).toEqual({ https: 6, calculated: 2, total: 8 });
    expect(healthChecksNeeded(mixed(["acme", "globex", "initech"]))).toEqual({
      https: 0,
      calculated: 0,
      total: 0,
    });
  });

  it("leaves a control-plane-only site out of the verdict manifest, so its endpoint answers keep", () => {
    // Act
    const manifest = deployedVerdictManifest(mixed(["initech"]));

    // Assess
    expect(manifest.sites.map((s) => s.id)).toEqual(["acme", "globex"]);
    expect(manifestSite(manifest, "initech")).toBeUndefined();
    const answer = dataPlaneAnswer(manifestSite(manifest, "initech"), "okta", undefined, t0, config().policy);
    expect(answer.withdraw).toBe(false);
  });

  it("turns the data plane off for every site when the deployment's switch is off", () => {
    // Act
    const config = mixed([], { dataPlane: { enabled: false } });

    // Assess
    expect(config.sites.map((s) => s.dataPlane)).toEqual([false, false, false]);
    expect(deployedVerdictManifest(config).sites).toEqual([]);
    expect(healthChecksNeeded(config).total).toBe(0);
  });

  it("counts the quota against the sites with a data plane, and offers the other tier in the hint", () => {
    // Prepare: 51 sites need 204 checks, over the default quota of 200; with one control-plane-only, 200.
    const ids = Array.from({ length: 51 }, (_, i) => `s${i}`);
    const input = testConfigInput({ alerting: {}, sites: ids });

    // Act
    const over = parseConfig(input);
    (input.sites as Array<Record<string, unknown>>)[50] = {
      ...(input.sites as Array<Record<string, unknown>>)[50],
      dataPlane: false,
    };
    const under = parseConfig(input);

    // Assess
    expect(over.ok ? [] : over.issues.map((i) => i.hint)).toEqual([
      expect.stringContaining(
        "set dataPlane: false on the sites that may fail over through the control plane alone",
      ),
    ]);
    expect(
      under.ok && under.warnings.find((w) => w.path === "dataPlane.healthCheckQuota")?.message,
    ).toContain("for 50 site(s) with a data plane of 51");
  });
});

describe("a shared path's verdict", () => {
  const withdraw = { withdraw: true as const, reason: "down in this region" };
  const keep = { withdraw: false as const, reason: "not down in this region" };

  it("withdraws only when every member site's own answer is withdraw", () => {
    expect(sharedPathAnswer([withdraw, withdraw, withdraw])).toEqual({
      withdraw: true,
      reason: "withdraw at all 3 sites of this path",
    });
    expect(sharedPathAnswer([withdraw, keep])).toEqual({
      withdraw: false,
      reason: "withdraw at 1 of 2 sites of this path",
    });
  });

  it("keeps the path when one member is held or only it is latched: a site approved back first is not held by the others", () => {
    const latched = { withdraw: true as const, reason: "latched out: failed over, failback not approved" };
    const held = {
      withdraw: false as const,
      reason: "automatic changes held (frozen, or paused for flapping)",
    };
    expect(sharedPathAnswer([latched, latched]).withdraw).toBe(true);
    expect(sharedPathAnswer([latched, keep]).withdraw).toBe(false);
    expect(sharedPathAnswer([withdraw, held]).withdraw).toBe(false);
  });

  it("knows no path without members", () => {
    expect(sharedPathAnswer([])).toEqual({ withdraw: false, reason: "unknown path" });
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

  it("round-trips verdict paths, with the deployment's secret in front, and rejects others", () => {
    const secret = "0123456789abcdef0123456789abcdef";
    expect(verdictPath(verdictResource("acme", "okta"), secret)).toBe(`/v1/${secret}/health/acme/okta`);
    expect(parseVerdictPath(verdictPath(verdictResource("acme", "okta"), secret))).toEqual({
      secret,
      target: { kind: "site", site: "acme", provider: "okta" },
    });
    expect(parseVerdictPath(verdictPath(sharedVerdictResource("login.acme.example"), secret))).toEqual({
      secret,
      target: { kind: "path", target: "login.acme.example" },
    });
    expect(parseVerdictPath("/v1/health/acme/okta")).toBeUndefined();
    expect(parseVerdictPath(`/v1/${secret}/health/acme/okta/extra`)).toBeUndefined();
  });
});

describe("the verdict path secret", () => {
  it("puts a URL-safe secret in the path and refuses a short or unsafe one", () => {
    const resource = verdictResource("acme", "okta");
    expect(checkedVerdictPath(resource, "a".repeat(64))).toBe(`/v1/${"a".repeat(64)}/health/acme/okta`);
    expect(() => checkedVerdictPath(resource, "short")).toThrow(/openssl rand -hex 32/);
    expect(() => checkedVerdictPath(resource, "has/slash/and/more/chars")).toThrow(VerdictSecretError);
  });
});

describe("the account's health-check quota", () => {
  const sites = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: `s${i}`,
      hostname: `login.s${i}.example`,
      hostedZoneId: "Z0ACME",
      providers: [
        { id: "okta", kind: "okta", issuer: "https://acme.okta.com", dnsTarget: `okta.s${i}.example` },
        { id: "entra", kind: "oidc", issuer: "https://acme.entra.example", dnsTarget: `entra.s${i}.example` },
      ],
    }));

  it("refuses a deployment whose checks exceed the quota, saying how to raise it", () => {
    const parsed = parseConfig({ sites: sites(51) });
    expect(parsed.ok ? [] : parsed.issues).toEqual([
      {
        path: "dataPlane.healthCheckQuota",
        message:
          "needs 204 Route 53 health checks (153 HTTPS, 51 calculated) for 51 site(s) with a data plane of 51, against the account's quota of 200",
        hint: expect.stringContaining("Service Quotas console, region us-east-1"),
      },
    ]);
    expect(parseConfig({ sites: sites(51), dataPlane: { healthCheckQuota: 500 } }).ok).toBe(true);
  });

  it("warns above 80% of the quota", () => {
    const parsed = parseConfig({ sites: sites(41) });
    expect(parsed.ok && parsed.warnings.map((w) => w.path)).toContain("dataPlane.healthCheckQuota");
    const small = parseConfig({ sites: sites(40) });
    expect(small.ok && small.warnings.map((w) => w.path)).not.toContain("dataPlane.healthCheckQuota");
  });
});
