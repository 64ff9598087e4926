import { describe, expect, it } from "vitest";
import { replay } from "./replay.js";
import { parseScenario, type Scenario } from "./scenario.js";
import { formatTimeline } from "./timeline.js";

/** A fault in every region unless it says otherwise: by default Okta down from 01:00 to 01:30. */
function fault(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: "okta",
    from: "2026-01-01T01:00:00Z",
    to: "2026-01-01T01:30:00Z",
    mode: "down",
    ...overrides,
  };
}

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  const parsed = parseScenario({
    name: "test",
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-01T04:00:00Z",
    providers: [
      { id: "okta", role: "primary" },
      { id: "entra", role: "secondary" },
    ],
    faults: [fault()],
    noise: { failureRate: 0.02, seed: 7 },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

describe("replay", () => {
  it("reports its progress once per simulated day, ending at the last", async () => {
    // Prepare
    const seen: string[] = [];

    // Act
    await replay(scenario({ end: "2026-01-03T12:00:00Z" }), {
      timeline: false,
      onProgress: ({ day, days, percent }) => seen.push(`${day}/${days} ${percent}%`),
    });

    // Assess: two whole days, then the part day that ends the period.
    expect(seen).toEqual(["1/3 33%", "2/3 66%", "3/3 100%"]);
  });

  it("gives the same bytes for the same scenario and seed", async () => {
    const a = await replay(scenario());
    const b = await replay(scenario());
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(formatTimeline(b)).toBe(formatTimeline(a));
  });

  it("draws different noise from a different seed", async () => {
    const a = await replay(scenario({ noise: { failureRate: 0.3, seed: 1 } }));
    const b = await replay(scenario({ noise: { failureRate: 0.3, seed: 2 } }));
    expect(JSON.stringify(b.result.alerts)).not.toBe(JSON.stringify(a.result.alerts));
  });

  it("fails over within half a minute of a hard outage and records the DNS change", async () => {
    const { result } = await replay(scenario());
    const failover = result.dnsChanges[0];
    expect(failover?.weights).toEqual({ okta: 0, entra: 100 });
    const delay = (Date.parse(failover?.at ?? "") - Date.parse("2026-01-01T01:00:00Z")) / 1000;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(35);
    expect(result.transitions.map((t) => t.to)).toEqual([
      "failing-over",
      "secondary-active",
      "failback-pending",
    ]);
    expect(result.summary.faults[0]?.detectionSeconds).toBe(delay);
    expect(result.incidents[0]?.provider).toBe("okta");
  });

  it("lets timed-out probes hang for the whole timeout, so a timeout outage is seen later than fast errors", async () => {
    const { result } = await replay(scenario({ faults: [fault({ mode: "timeout" })] }));
    // Two failed rounds, each ending only after 3 attempts of 5 s and 2 confirm delays of 1 s.
    const delay = result.summary.faults[0]?.detectionSeconds ?? 0;
    expect(delay).toBeGreaterThan(26);
    expect(delay).toBeLessThanOrEqual(45);
    const seen = result.incidents[0]?.evidence.flatMap((r) => r.evidence) ?? [];
    expect(seen[0]).toMatchObject({ class: "timeout", latencyMs: 5000 });
  });

  it.each([
    [
      "calls answers slower than slowMs degraded and never fails over for them",
      [fault({ mode: "slow", latencyMs: 3000 })],
      [{ kind: "provider-degraded", provider: "okta" }],
    ],
    [
      "never fails over when one region alone sees the primary down",
      [fault({ regions: ["eu-west-1"], to: "2026-01-01T02:00:00Z" })],
      [],
    ],
    [
      "alerts instead of acting when two regions go silent",
      [
        fault({
          provider: "*",
          regions: ["us-east-1", "us-west-2"],
          to: "2026-01-01T01:20:00Z",
          mode: "partition",
        }),
        fault({ from: "2026-01-01T01:05:00Z", to: "2026-01-01T01:15:00Z" }),
      ],
      [{ kind: "monitor-impaired" }],
    ],
    [
      "raises both-down and moves nothing when every provider fails",
      [fault({ provider: "*" })],
      [{ kind: "both-down" }],
    ],
  ])("%s", async (_title, faults, alerts) => {
    const { result } = await replay(scenario({ faults }));
    expect(result.dnsChanges).toEqual([]);
    expect(result.alerts).toEqual(expect.arrayContaining(alerts.map((a) => expect.objectContaining(a))));
  });

  it("applies an approval to the pending request and shows an early one as ignored", async () => {
    const { result } = await replay(
      scenario({
        approvals: [
          { at: "2026-01-01T00:30:00Z", user: "U1" },
          { at: "2026-01-01T02:00:00Z", user: "U2" },
        ],
      }),
    );
    expect(result.approvals.map((a) => a.outcome)).toEqual(["ignored", "approved"]);
    expect(result.summary.failbacks).toBe(1);
    expect(result.summary.finalState).toBe("primary-active");
    expect(result.incidents[0]?.approvedBy).toBe("slack:U2");
  });

  it("catches a signing-key outage that only the token probe sees", async () => {
    const { result } = await replay(scenario({ faults: [fault({ probes: ["token"] })] }));
    expect(result.summary.failovers).toBe(1);
  });

  it("keeps minute rollups for a report when asked", async () => {
    const run = await replay(scenario(), { rollups: true });
    const okta = run.rollups.filter((r) => r.provider === "okta");
    const downSeconds = okta.reduce((sum, r) => sum + (r.global.down ?? 0), 0);
    expect(downSeconds).toBeGreaterThan(29 * 60);
    expect(downSeconds).toBeLessThan(31 * 60);
  });
});

describe("scenario validation", () => {
  it.each([
    [
      {
        faults: [
          { provider: "ping", from: "2026-01-01T01:00:00Z", to: "2026-01-01T02:00:00Z", mode: "down" },
        ],
      },
      "faults.0.provider",
      "unknown provider",
    ],
    [
      {
        faults: [
          { provider: "okta", from: "2026-01-01T01:00:00Z", to: "2026-01-01T02:00:00Z", mode: "flaky" },
        ],
      },
      "faults.0.failureRate",
      "failureRate",
    ],
    [
      {
        faults: [
          { provider: "okta", from: "2026-01-01T03:00:00Z", to: "2026-01-01T02:00:00Z", mode: "down" },
        ],
      },
      "faults.0.to",
      "after",
    ],
    [
      {
        faults: [
          {
            provider: "okta",
            regions: ["mars-1"],
            from: "2026-01-01T01:00:00Z",
            to: "2026-01-01T02:00:00Z",
            mode: "down",
          },
        ],
      },
      "faults.0.regions.0",
      "unknown region",
    ],
    [
      { faults: [{ provider: "okta", from: "yesterday", to: "2026-01-01T02:00:00Z", mode: "down" }] },
      "faults.0.from",
      "ISO-8601",
    ],
    [
      {
        faults: [
          { provider: "okta", from: "2026-01-01T01:00:00Z", to: "2026-01-01T02:00:00Z", mode: "melt" },
        ],
      },
      "faults.0.mode",
      'expected one of "down"|"timeout"|"flaky"|"slow"|"partition"',
    ],
    [{ end: "2025-12-31T00:00:00Z" }, "end", "after"],
    [{ regions: ["us-east-1", "us-west-2", "us-east-1"] }, "regions.2", "duplicate region us-east-1"],
    [
      { approvals: [{ at: "2026-01-03T00:00:00Z", user: "U1" }] },
      "approvals.0.at",
      "outside the scenario's period",
    ],
    [{ end: undefined }, "end", "required (string), but missing"],
    [{ policy: { quorum: 5 } }, "policy.quorum", "more than"],
    [{ policy: { cadense: 5 } }, "policy.cadense", 'unknown key "cadense"'],
    [{ noise: { failurerate: 0.1 } }, "noise.failurerate", 'unknown key "failurerate"'],
  ])("explains %j", (overrides, path, message) => {
    const parsed = parseScenario({
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
      providers: [{ id: "okta", role: "primary" }, { id: "entra" }],
      ...overrides,
    });
    if (parsed.ok) throw new Error("expected a problem");
    const issue = parsed.issues.find(
      (i) => i.path === path || i.path.startsWith(`${path}.`) || i.path === `${path}`,
    );
    expect(issue, JSON.stringify(parsed.issues)).toBeDefined();
    expect(`${issue?.path} ${issue?.message}`).toContain(message);
  });

  it("suggests the key meant, and lists the policy's coherence problems with the others", () => {
    const parsed = parseScenario({
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
      providers: [{ id: "okta" }, { id: "entra" }],
      policy: { quorum: 5 },
      faults: [
        {
          provider: "okta",
          from: "2026-01-01T01:00:00Z",
          to: "2026-01-01T02:00:00Z",
          mode: "flaky",
          failurerate: 0.5,
        },
      ],
    });
    if (parsed.ok) throw new Error("expected problems");
    const hintAt = (path: string) => parsed.issues.find((i) => i.path === path)?.hint;
    expect(hintAt("faults.0.failurerate")).toBe("did you mean failureRate?");
    expect(parsed.issues.map((i) => i.path)).toContain("policy.quorum");
  });

  it("puts the primary first whatever the order of the providers", () => {
    const parsed = parseScenario({
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
      providers: [
        { id: "entra", role: "secondary" },
        { id: "okta", role: "primary" },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.scenario.config.sites[0]?.providers.map((p) => p.id)).toEqual(["okta", "entra"]);
  });

  it("accepts annotations on faults and shows a fault's label in the timeline", async () => {
    const run = await replay(
      scenario({
        faults: [fault({ label: "cell OK14 elevated errors", source: "https://status.okta.com/" })],
      }),
    );
    expect(formatTimeline(run)).toContain("okta down in all regions (cell OK14 elevated errors)");
  });

  it("sets aside unknown top-level keys and names them, and accepts annotations on providers", () => {
    const parsed = parseScenario({
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
      providers: [{ id: "okta", note: "the real tenant" }, { id: "entra" }],
      source: "https://status.okta.com/",
    });
    expect(parsed.ok ? parsed.scenario.ignoredKeys : parsed.issues).toEqual(["source"]);
  });
});

describe("monitor and vendor fault modes", () => {
  it("refuses a monitor-down fault that names a provider, and a vendor mode without one", () => {
    const parsed = parseScenario({
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-01T01:00:00Z",
      providers: [{ id: "okta" }, { id: "entra" }],
      faults: [
        { provider: "okta", from: "2026-01-01T00:10:00Z", to: "2026-01-01T00:20:00Z", mode: "monitor-down" },
        { from: "2026-01-01T00:10:00Z", to: "2026-01-01T00:20:00Z", mode: "read-only" },
      ],
    });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toEqual([
      "faults.0.provider",
      "faults.1.provider",
    ]);
  });

  it("shows impaired regions and vendor modes by name in the timeline and the JSON", async () => {
    const run = await replay(
      scenario({
        providers: [
          { id: "okta", role: "primary", probes: ["oidc-discovery", "jwks", "token", "okta-api"] },
          { id: "entra", role: "secondary" },
        ],
        faults: [
          {
            regions: ["us-west-2"],
            from: "2026-01-01T01:00:00Z",
            to: "2026-01-01T01:20:00Z",
            mode: "monitor-down",
          },
          { provider: "okta", from: "2026-01-01T02:00:00Z", to: "2026-01-01T02:30:00Z", mode: "read-only" },
        ],
      }),
    );
    const text = formatTimeline(run);

    expect(text).toMatch(/us-west-2 sees okta up -> impaired \(canaries failing: aws-region/);
    expect(text).toMatch(/VERDICT {3}okta up -> degraded \(read-only\)/);
    expect(run.result.impairments).toEqual([
      expect.objectContaining({ region: "us-west-2", reason: expect.stringMatching(/^canaries failing/) }),
    ]);
    expect(run.result.vendorModes).toEqual([
      expect.objectContaining({ provider: "okta", mode: "read-only" }),
    ]);
    expect(run.result.dnsChanges).toEqual([]);
  });
});
