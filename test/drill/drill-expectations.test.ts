import { describe, expect, it } from "vitest";
import {
  checkDrill,
  type DrillRecord,
  type RecordedTransition,
} from "../../packages/runtime/src/drill/drill-expectations.js";

const t0 = Date.parse("2026-03-02T09:00:00Z");
const s = (seconds: number) => t0 + seconds * 1000;

function transition(
  at: number,
  from: RecordedTransition["from"],
  to: RecordedTransition["to"],
  reason = "x",
) {
  return { at, from, to, reason };
}

const goodDay: RecordedTransition[] = [
  transition(s(120), "primary-active", "failing-over", "okta down in us-east-1, eu-west-1"),
  transition(s(145), "failing-over", "secondary-active", "DNS change C1 in sync"),
  transition(s(400), "secondary-active", "failback-pending"),
  transition(s(410), "failback-pending", "failing-back", "approved by slack:U0DRILLOPS"),
  transition(s(650), "failing-back", "primary-active", "failback complete after 3 step(s)"),
];

function record(overrides: Partial<DrillRecord> = {}): DrillRecord {
  return {
    primary: "okta",
    transitions: goodDay,
    outageAt: s(100),
    failoverBoundMs: 100_000,
    finalState: "primary-active",
    route53Weights: { okta: 100, entra: 0 },
    ...overrides,
  };
}

describe("the drill's expectations", () => {
  it("pass for a game day that failed over in time, never flipped early and failed back", () => {
    // Act
    const verdict = checkDrill(record());

    // Assess
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.map((c) => c.name)).toEqual([
      "failed over within the policy's bound",
      "no false flip",
      "failback completed",
    ]);
    expect(verdict.checks[0]?.detail).toContain("DNS in sync +45 s");
  });

  it("fail when the failover came in sync after the bound", () => {
    // Act
    const verdict = checkDrill(record({ failoverBoundMs: 30_000 }));

    // Assess
    expect(verdict.ok).toBe(false);
    expect(verdict.checks.find((c) => !c.ok)?.name).toBe("failed over within the policy's bound");
  });

  it("fail on a failover before the outage began (a false flip)", () => {
    // Prepare
    const early = transition(s(50), "primary-active", "failing-over", "okta down in eu-west-1");

    // Act
    const verdict = checkDrill(record({ transitions: [early, ...goodDay] }));

    // Assess
    const flip = verdict.checks.find((c) => c.name === "no false flip");
    expect(flip?.ok).toBe(false);
    expect(flip?.detail).toContain("failed over before the outage: okta down in eu-west-1");
  });

  it("fail when a failback was aborted back to the secondary", () => {
    // Prepare
    const aborted = [
      ...goodDay.slice(0, 4),
      transition(s(500), "failing-back", "secondary-active", "okta degraded during failback"),
    ];

    // Act
    const verdict = checkDrill(record({ transitions: aborted, finalState: "secondary-active" }));

    // Assess
    expect(verdict.checks.find((c) => c.name === "no false flip")?.detail).toContain("failback aborted");
    expect(verdict.checks.find((c) => c.name === "failback completed")?.ok).toBe(false);
  });

  it("fail when Route 53 does not hold all the weight on the primary at the end", () => {
    // Act
    const verdict = checkDrill(record({ route53Weights: { okta: 50, entra: 50 } }));

    // Assess
    const failback = verdict.checks.find((c) => c.name === "failback completed");
    expect(failback?.ok).toBe(false);
    expect(failback?.detail).toContain("okta 50, entra 50");
  });

  it("fail, saying why, when the game day stopped early", () => {
    // Act
    const verdict = checkDrill(
      record({
        stoppedEarly: "failover in sync: not reached within 200 s",
        transitions: goodDay.slice(0, 1),
      }),
    );

    // Assess
    expect(verdict.ok).toBe(false);
    expect(verdict.checks[0]).toMatchObject({ name: "game day ran to its end", ok: false });
    expect(verdict.checks.find((c) => c.name === "failed over within the policy's bound")?.detail).toContain(
      "never got in sync",
    );
  });

  it("fail when the outage never began", () => {
    // Act
    const verdict = checkDrill(record({ outageAt: undefined, transitions: [] }));

    // Assess
    expect(verdict.checks[0]?.detail).toBe("the outage never began");
  });
});
