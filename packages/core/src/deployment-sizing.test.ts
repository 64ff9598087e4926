import { describe, expect, it } from "vitest";
import { functionSizing } from "./deployment-sizing.js";
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
