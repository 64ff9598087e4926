import { parseConfig } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { drillConfigInput, maxSpeed } from "../../packages/runtime/src/drill/drill-config.js";
import {
  failbackBoundMs,
  failoverBoundMs,
  gameDayPlan,
  outageModes,
  recoveryBoundMs,
} from "../../packages/runtime/src/drill/game-day.js";

const idps = {
  okta: {
    issuer: "https://127.0.0.1:4001/oauth2/default",
    samlMetadataUrl: "https://127.0.0.1:4001/app/exk1/sso/saml/metadata",
    clientId: "0oa1",
  },
  entra: {
    url: "https://127.0.0.1:4002",
    tenantId: "00000000-0000-4000-8000-000000000001",
    clientId: "1111",
  },
};

function config(policy: Record<string, unknown> = {}) {
  const parsed = parseConfig(drillConfigInput(idps, policy));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

describe("the game day plan", () => {
  it("breaks Okta everywhere for a full outage, with nothing to ride out first", () => {
    // Act
    const plan = gameDayPlan("full", config());

    // Assess
    expect(plan.benign).toBeUndefined();
    expect(plan.outage.okta).toEqual({ mode: "http-5xx", status: 503 });
    expect(plan.outage.cutRegion).toBeUndefined();
  });

  it("fails half of Okta's requests for a partial outage", () => {
    // Act
    const plan = gameDayPlan("partial", config());

    // Assess
    expect(plan.outage.okta).toMatchObject({ mode: "http-5xx", failureRate: 0.5 });
  });

  it("rides out a slowdown under the timeout, then fails over when answers pass the timeout", () => {
    // Prepare
    const drill = config();

    // Act
    const plan = gameDayPlan("slow", drill);

    // Assess
    const { slowMs, probeTimeoutMs } = drill.policy;
    expect(plan.benign?.okta?.mode).toBe("slow");
    expect(plan.benign?.okta?.latencyMs).toBeGreaterThan(slowMs);
    expect(plan.benign?.okta?.latencyMs).toBeLessThan(probeTimeoutMs);
    expect(plan.outage.okta?.latencyMs).toBeGreaterThan(probeTimeoutMs);
  });

  it("cuts one region's path to Okta first (short of a quorum), then breaks Okta everywhere", () => {
    // Act
    const plan = gameDayPlan("one-region", config());

    // Assess
    expect(plan.benign?.cutRegion).toBe("eu-west-1");
    expect(plan.benign?.okta).toBeUndefined();
    expect(plan.benign?.expect).toContain("no failover");
    expect(plan.outage.okta?.mode).toBe("http-5xx");
  });

  it("has a plan for every mode the command offers", () => {
    for (const mode of outageModes) expect(gameDayPlan(mode, config()).mode).toBe(mode);
  });
});

describe("the bounds the drill holds the policy to", () => {
  it("allows longer for a failover when real timeouts take more of the compressed clock", () => {
    // Prepare
    const drill = config();

    // Act
    const slow = failoverBoundMs(drill, { speed: 1, insyncMs: 20_000 });
    const fast = failoverBoundMs(drill, { speed: 14, insyncMs: 20_000 });

    // Assess: at speed 1 rounds are a cadence apart: 7 rounds, one evaluation, Route 53.
    expect(slow).toBe(7 * 10_000 + 10_000 + 20_000);
    expect(fast).toBeGreaterThan(slow);
  });

  it("grows the failback and recovery bounds with the policy's hold and sustain", () => {
    // Prepare
    const short = config({ recovery: { sustainSeconds: 60 }, failback: { holdSeconds: 30 } });
    const long = config({ recovery: { sustainSeconds: 600 }, failback: { holdSeconds: 300 } });

    // Assess
    expect(failbackBoundMs(long, 20_000)).toBeGreaterThan(failbackBoundMs(short, 20_000));
    expect(recoveryBoundMs(long, 10)).toBeGreaterThan(recoveryBoundMs(short, 10));
  });

  it("caps the clock so a round running into every timeout stays under half the staleness limit", () => {
    // Prepare: 2000 ms timeout, 1 confirm retry 100 ms later: 4.1 s; stale after 90 s.
    const drill = config();

    // Act
    const fastest = maxSpeed(drill);

    // Assess
    expect(fastest).toBe(10);
    expect(maxSpeed(config({ confirm: { retries: 0 } }))).toBe(22);
  });
});
