import {
  type Config,
  InMemoryStore,
  monitorSettings,
  probeResultSchema,
  recordRound,
  regionImpairment,
  regionView,
} from "@idp-failover/core";
import { createProbeMemory, type RegionRoundOptions, runRegionRound } from "@idp-failover/probes";
import { afterEach, describe, expect, it } from "vitest";
import { secrets, standInConfig, useIdps } from "./support.js";

const idps = useIdps();

/** One round in `region` against the stand-ins, with the test secrets and CA. */
function regionRound(config: Config, region: string, options: Partial<RegionRoundOptions> = {}) {
  return runRegionRound(config, { region, secrets, ca: idps.ca.certPem, now: Date.now, ...options });
}

describe("region round", () => {
  it("runs every probe of every provider of every site and labels the round", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha", "beta"]);
    const at = Date.parse("2026-01-01T10:00:00Z");

    // Act
    const round = await regionRound(config, "eu-west-1", { at });

    // Assess
    expect(round.region).toBe("eu-west-1");
    expect(round.at).toBe(at);
    expect(round.results).toHaveLength(2 * (5 + 4));
    expect(round.results.filter((r) => !r.ok)).toEqual([]);
    for (const result of round.results) {
      expect(probeResultSchema.parse(result)).toMatchObject({
        region: "eu-west-1",
        at: "2026-01-01T10:00:00.000Z",
      });
    }
    expect(round.results.slice(0, 9).map((r) => `${r.site}/${r.provider}/${r.probe}`)).toEqual([
      "alpha/okta/oidc-discovery",
      "alpha/okta/jwks",
      "alpha/okta/token",
      "alpha/okta/saml-metadata",
      "alpha/okta/okta-api",
      "alpha/entra/oidc-discovery",
      "alpha/entra/jwks",
      "alpha/entra/token",
      "alpha/entra/graph-health",
    ]);
  });

  it("fetches a provider's discovery document once per round and shares it", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    const before = idps.okta.count("oidc-discovery");

    // Act
    await regionRound(config, "us-east-1", { providers: ["okta"] });

    // Assess: discovery, jwks and token all needed it; one request served them.
    expect(idps.okta.count("oidc-discovery")).toBe(before + 1);
  });

  it("keeps one provider's outage out of the other's results", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    await idps.okta.setFault({ mode: "http-5xx" });

    // Act
    const round = await regionRound(config, "us-east-1");

    // Assess
    const okta = round.results.filter((r) => r.provider === "okta");
    const entra = round.results.filter((r) => r.provider === "entra");
    expect(okta.every((r) => !r.ok && r.error?.class === "http-5xx")).toBe(true);
    expect(entra.every((r) => r.ok)).toBe(true);
  });

  it("classifies a key-rotation outage on the token probe while discovery and keys look fine", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    await idps.okta.setFault({ mode: "unknown-kid" });

    // Act
    const round = await regionRound(config, "us-east-1", { providers: ["okta"] });

    // Assess
    const failing = round.results.filter((r) => !r.ok).map((r) => [r.probe, r.error?.class]);
    expect(failing).toEqual([["token", "content"]]);
  });

  it("runs only the chosen sites and providers", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha", "beta"]);

    // Act
    const round = await regionRound(config, "local", { sites: ["beta"], providers: ["entra"] });

    // Assess
    expect(new Set(round.results.map((r) => `${r.site}/${r.provider}`))).toEqual(new Set(["beta/entra"]));
  });

  it("reports every hanging probe as a timeout, also under a small concurrency cap", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"], {
      probeTimeoutMs: 300,
      slowMs: 200,
      confirm: { retries: 0, delayMs: 0 },
    });
    await idps.entra.setFault({ mode: "hang" });

    // Act
    const round = await regionRound(config, "local", { providers: ["entra"], concurrency: 2 });

    // Assess
    expect(round.results.map((r) => r.error?.class)).toEqual(["timeout", "timeout", "timeout", "timeout"]);
  });

  it("remembers rate-limit budgets, tokens and SDK clients across rounds through the memory it is given", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    const memory = createProbeMemory();
    const tokens = idps.entra.count("token");
    const round = () => regionRound(config, "local", { memory });

    // Act
    await round();
    await round();

    // Assess: Entra's token probe mints each round; the Graph token is minted once.
    expect(idps.entra.count("token")).toBe(tokens + 3);
    expect(memory.tokens.size).toBe(1);
    expect([...memory.rateLimits.keys()]).toEqual([idps.okta.url]);
    expect(memory.oktaClients.size).toBe(1);
  });
});

describe("the region's own health (canaries and clock)", () => {
  afterEach(() => {
    idps.canary.restore("eu-west-1");
    idps.canary.skewClock("eu-west-1", 0);
  });

  it("checks every canary in the region's own round and measures its clock against their Date", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    // Act
    const round = await regionRound(config, "eu-west-1");
    // Assess
    expect(round.health?.canaries.map((c) => [c.name, c.ok])).toEqual([
      ["aws-region", true],
      ["public-anchor", true],
    ]);
    expect(Math.abs(round.health?.clockSkewMs ?? Number.NaN)).toBeLessThan(1500);
    expect(idps.canary.count("eu-west-1")).toBeGreaterThanOrEqual(2);
    expect(regionImpairment(round.health, monitorSettings(config))).toBeUndefined();
  });

  it("calls a region whose own network is cut impaired, not its IdPs down", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    idps.canary.cut("eu-west-1");
    const store = new InMemoryStore();
    // Act
    const round = await regionRound(config, "eu-west-1");
    const recorded = await recordRound(store, config, round, round.at);
    // Assess
    expect(round.health?.canaries.every((c) => !c.ok)).toBe(true);
    expect(recorded.impaired).toMatch(/^canaries failing: aws-region \(connection .* reset\), public-anchor/);
    const tracker = recorded.trackers.find((t) => t.provider === "okta")?.tracker;
    expect(regionView("eu-west-1", tracker, round.at, config.policy).verdict).toBe("impaired");
  });

  it("calls a region whose clock is off by more than maxClockSkewSeconds impaired", async () => {
    // Prepare
    const config = standInConfig(idps, ["alpha"]);
    idps.canary.skewClock("eu-west-1", -60_000);
    // Act
    const round = await regionRound(config, "eu-west-1");
    // Assess
    expect(round.health?.clockSkewMs).toBeGreaterThan(58_000);
    expect(regionImpairment(round.health, monitorSettings(config))).toMatch(/^clock off by 6\d s/);
  });
});
