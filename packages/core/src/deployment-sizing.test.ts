import { describe, expect, it } from "vitest";
import { functionSizing, probeFanout, probeRoundModel, probeShards } from "./deployment-sizing.js";
import { testConfig } from "./testing.js";

/* The function sizes the stacks deploy and `idpctl cost` prices. */

/** The shared test config without alerting, with the primary's probes and the policy given. */
function config(oktaProbes?: unknown[], policy: Record<string, unknown> = {}) {
  return testConfig({ alerting: {}, policy, ...(oktaProbes ? { oktaProbes } : {}) });
}

describe("functionSizing", () => {
  it("runs the probe in 128 MB unless a probe kind loads a vendor SDK", () => {
    expect(functionSizing(config()).probe.memoryMb).toBe(128);
    const okta = config([
      {
        kind: "okta-api",
        orgUrl: "https://acme.okta.com",
        auth: { mode: "token", tokenRef: "OKTA_API_TOKEN" },
      },
    ]);
    expect(functionSizing(okta).probe.memoryMb).toBe(256);
  });

  it("gives the probe time for its slowest round (every attempt timing out) and the writes after it", () => {
    // 3 attempts of 5 s and 2 confirm delays of 1 s: 17 s, then 15 s for writes and the next tick.
    const slow = config(undefined, { probeTimeoutMs: 5000, confirm: { retries: 2, delayMs: 1000 } });
    expect(functionSizing(slow).probe.timeoutSeconds).toBe(32);
    const fast = config(undefined, {
      probeTimeoutMs: 2000,
      slowMs: 1500,
      confirm: { retries: 0, delayMs: 0 },
    });
    expect(functionSizing(fast).probe.timeoutSeconds).toBe(17);
  });
});

describe("the probe fan-out", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `site-${i}`);
  // Health checks are not what these tests are about: the quota is raised to what the sites need.
  const sites = (n: number, policy: Record<string, unknown> = {}) =>
    testConfig({ sites: ids(n), policy, dataPlane: { healthCheckQuota: 4 * n } });

  it("keeps a small deployment in one probe function, with no shard worker", () => {
    const one = sites(1);
    expect(probeFanout(one).shards).toBe(1);
    expect(functionSizing(one).probeShard).toBeUndefined();
    expect(probeShards(one)).toEqual([{ index: 0, count: 1, sites: ["site-0"] }]);
  });

  it("splits a thousand sites into shards whose modelled round fits the cadence's budget", () => {
    // Prepare
    const many = sites(1000);
    // Act
    const fanout = probeFanout(many);
    const sizing = functionSizing(many);
    // Assess
    expect(fanout.shards).toBeGreaterThan(1);
    expect(fanout.roundMs).toBeLessThanOrEqual(
      many.policy.cadenceSeconds * 1000 * probeRoundModel.cadenceShare,
    );
    expect(probeShards(many).flatMap((s) => s.sites)).toHaveLength(1000);
    expect(sizing.probeShard).toMatchObject({
      memoryMb: fanout.proberMemoryMb,
      reservedConcurrency: fanout.shards * 2,
    });
    expect(sizing.probeShard?.memoryMb).toBeLessThanOrEqual(probeRoundModel.memoryMbPerVcpu);
  });

  it("needs more shards when the cadence is shorter", () => {
    const fast = sites(1000, { cadenceSeconds: 5, staleAfterSeconds: 30 });
    expect(probeFanout(fast).shards).toBeGreaterThan(probeFanout(sites(1000)).shards);
  });
});
