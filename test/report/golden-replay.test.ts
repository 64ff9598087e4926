import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScenario, type ReplayRun, replay } from "@idp-failover/core";
import { monthPeriod, type ReportPeriod, reportFromReplay, type SiteReport } from "@idp-failover/report";
import { describe, expect, it } from "vitest";

/*
 * Golden reports: scenarios replayed through the real verdict engine and state machine, whose report
 * figures are known by arithmetic. The replay decides when the verdict flips (its detection and
 * recovery delays vary with the probe phase); the report's rules must give the same answers anyway.
 */

const fixtures = join(import.meta.dirname, "fixtures");

async function replayFixture(name: string, edit: (scenario: Record<string, unknown>) => void = () => {}) {
  const input = JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as Record<string, unknown>;
  edit(input);
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return replay(parsed.scenario, { rollups: true, timeline: false });
}

function site(run: ReplayRun, period?: ReportPeriod): SiteReport {
  const report = reportFromReplay(run, period ? { period } : {});
  const only = report.sites[0];
  if (!only) throw new Error("no site in the report");
  return only;
}

const seconds = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 1000;
const round4 = (pct: number) => Math.round(pct * 10_000) / 10_000;

describe("golden reports from replayed scenarios", () => {
  it("a 90-minute full Okta outage in a 30-day month: Okta 99.7917%, the login hostname down only from onset to INSYNC + TTL", async () => {
    // Prepare
    const run = await replayFixture("okta-90-minutes-november");
    const incident = run.result.incidents[0];
    // Act
    const report = site(run, monthPeriod("2026-11"));
    // Assess
    const [okta, entra] = report.providers;
    expect(okta?.availabilityPct).toBe(99.7917);
    expect(okta?.downtimeMinutes).toBe(90);
    expect(entra?.availabilityPct).toBe(100);
    expect(incident?.insyncAt).toBeDefined();
    const loginDown = seconds(incident?.start ?? "", incident?.insyncAt ?? "") + 60;
    const measured = (okta?.measuredMinutes ?? 0) * 60;
    expect(report.loginDowntimeSeconds).toBeCloseTo(loginDown, 3);
    expect(report.loginAvailabilityPct).toBe(round4(100 * (1 - loginDown / measured)));
    expect(report.loginAvailabilityPct).toBeGreaterThan(99.995);
    expect(report.failoverSavedMinutes).toBeCloseTo(90 - loginDown / 60, 2);
    expect(okta?.sla).toMatchObject({ targetPct: 99.99, met: false, budgetUsedMinutes: 90 });
    expect(okta?.sla.serviceCredit.qualifies).toBe(true);
    expect(entra?.sla).toMatchObject({ met: true, budgetUsedMinutes: 0 });
    const row = report.incidents[0];
    expect(row?.detectionSeconds).toBeGreaterThan(0);
    expect(row?.detectionSeconds).toBeLessThanOrEqual(25);
    expect(row?.insyncSeconds).toBeCloseTo((row?.dnsChangeSeconds ?? 0) + 30, 3);
    expect(row?.approvedBy).toBe("slack:U0123ABCDEF");
    expect(report.providers[0]?.daily.find((d) => d.date === "2026-11-10")?.downtimeMinutes).toBe(90);
  });

  it("counts 90 minutes whatever the probes' phase (seeds)", async () => {
    for (const seed of [1, 2, 3, 4]) {
      const run = await replayFixture("okta-90-minutes-november", (s) => {
        s.start = "2026-11-10T00:00:00Z";
        s.end = "2026-11-11T00:00:00Z";
        s.noise = { failureRate: 0, seed };
      });
      const okta = site(run).providers[0];
      expect(okta?.downtimeMinutes, `seed ${seed}`).toBe(90);
      expect(okta?.availabilityPct).toBe(round4(100 * (1 - 90 / (okta?.measuredMinutes ?? 1))));
    }
  });

  it("splits an outage across a month boundary 45 + 45, and shows the incident in both months", async () => {
    // Prepare
    const run = await replayFixture("outage-across-month-boundary");
    // Act
    const october = site(run, monthPeriod("2026-10"));
    const november = site(run, monthPeriod("2026-11"));
    // Assess
    expect(october.providers[0]?.downtimeMinutes).toBe(45);
    expect(november.providers[0]?.downtimeMinutes).toBe(45);
    expect(october.incidents[0]).toMatchObject({ startedBeforePeriod: false, endsAfterPeriod: true });
    expect(november.incidents[0]).toMatchObject({ startedBeforePeriod: true, endsAfterPeriod: false });
    // The login hostname was back (INSYNC + the 300 s TTL) before midnight: all of it in October.
    const incident = run.result.incidents[0];
    const loginDown = seconds(incident?.start ?? "", incident?.insyncAt ?? "") + 300;
    expect(october.loginDowntimeSeconds).toBeCloseTo(loginDown, 3);
    expect(november.loginDowntimeSeconds).toBe(0);
    expect(november.loginAvailabilityPct).toBe(100);
    // Only the replayed hours were measured: the rest of each month is no data, not up.
    expect(october.providers[0]?.measuredMinutes).toBeCloseTo(120, 0);
    expect(october.providers[0]?.noDataMinutes).toBeGreaterThan(44_000);
  });

  it("shows an impaired monitor's hour as unknown, counted neither up nor down", async () => {
    const run = await replayFixture("monitor-impaired");
    const report = site(run);
    const okta = report.providers[0];
    expect(okta?.unknownMinutes).toBeGreaterThan(58);
    expect(okta?.unknownMinutes).toBeLessThan(62);
    expect(okta?.measuredMinutes).toBeCloseTo(1440 - (okta?.unknownMinutes ?? 0), 1);
    expect(okta?.downtimeMinutes).toBe(20);
    expect(okta?.availabilityPct).toBe(round4(100 * (1 - 20 / (okta?.measuredMinutes ?? 1))));
    expect(report.providers[1]?.availabilityPct).toBe(100);
  });

  it("without a failover, the login hostname is down as long as the primary was", async () => {
    const run = await replayFixture("both-providers-down");
    const report = site(run);
    expect(run.result.incidents[0]?.failoverTo).toBeUndefined();
    expect(report.providers[0]?.downtimeMinutes).toBe(30);
    expect(report.providers[1]?.downtimeMinutes).toBe(30);
    // Onset and recovery are both dated by probe rounds: within a cadence of the 30 minutes.
    expect(Math.abs(report.loginDowntimeSeconds - 1800)).toBeLessThanOrEqual(10);
    expect(report.failoverSavedMinutes).toBe(0);
  });
});
