import type { Incident } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { incidentRow, type LoginTiming, loginOutage, loginOutages, totalSeconds } from "./incidents.js";
import { monthPeriod } from "./period.js";

const at = (text: string) => Date.parse(text);
const timing: LoginTiming = { ttlSeconds: 60, recoveryLagMs: 30_000, now: at("2026-12-01T02:00:00Z") };

function incident(fields: Partial<Incident> = {}): Incident {
  return {
    id: "i1",
    site: "example",
    provider: "okta",
    start: "2026-11-10T10:00:02Z",
    detectedAt: "2026-11-10T10:00:17.5Z",
    failoverTo: "entra",
    dnsSubmittedAt: "2026-11-10T10:00:18Z",
    insyncAt: "2026-11-10T10:00:48Z",
    recoveredAt: "2026-11-10T11:30:35Z",
    failbackRequestedAt: "2026-11-10T11:40:35Z",
    failbackApprovedAt: "2026-11-10T12:00:00Z",
    approvedBy: "slack:U0123ABCDEF",
    endAt: "2026-11-10T12:16:30Z",
    evidence: [],
    ...fields,
  };
}

describe("the login hostname's downtime", () => {
  it("runs from onset to the DNS change in sync plus the TTL when the site failed over", () => {
    const outage = loginOutage(incident(), timing);
    expect((outage.to - outage.from) / 1000).toBe(46 + 60);
  });

  it("runs until the provider recovered when there was no failover, dated at its first healthy round", () => {
    const { failoverTo, dnsSubmittedAt, insyncAt, ...rest } = incident();
    const outage = loginOutage({ ...rest, endAt: "2026-11-10T11:30:35Z" }, timing);
    expect(new Date(outage.to).toISOString()).toBe("2026-11-10T11:30:05.000Z");
  });

  it("ends at the recovery when the provider came back before the change took effect", () => {
    const outage = loginOutage(incident({ recoveredAt: "2026-11-10T10:01:00Z" }), timing);
    expect(new Date(outage.to).toISOString()).toBe("2026-11-10T10:00:30.000Z");
  });

  it("counts an incident still open until now, and a failover still in flight as down", () => {
    const { insyncAt, recoveredAt, failbackRequestedAt, failbackApprovedAt, approvedBy, endAt, ...open } =
      incident();
    const now = at("2026-11-10T10:05:00Z");
    const outage = loginOutage(open, { ...timing, now });
    expect(outage.to).toBe(now);
  });

  it("counts a flapping provider's episodes, not the time it was up between them", () => {
    const {
      failoverTo,
      dnsSubmittedAt,
      insyncAt,
      failbackRequestedAt,
      failbackApprovedAt,
      approvedBy,
      ...rest
    } = incident();
    const flapping = {
      ...rest,
      start: "2026-11-10T10:00:00Z",
      episodes: [{ start: "2026-11-10T10:00:00Z", recoveredAt: "2026-11-10T10:04:30Z" }],
      episodeStart: "2026-11-10T10:08:00Z",
      recoveredAt: "2026-11-10T10:12:30Z",
      endAt: "2026-11-10T10:12:30Z",
    };
    const outages = loginOutages([flapping], timing, monthPeriod("2026-11"));
    // Each episode: 4 minutes (recovery dated 30 s before the verdict said up), the 3.5 minutes between free.
    expect(totalSeconds(outages)).toBe(480);
    expect(incidentRow(flapping, timing, monthPeriod("2026-11")).loginDowntimeSeconds).toBe(480);
  });

  it("merges overlapping incidents and clips them to the period", () => {
    const november = monthPeriod("2026-11");
    const spanning = incident({ id: "a", start: "2026-10-31T23:59:00Z", insyncAt: "2026-11-01T00:01:00Z" });
    const overlapping = incident({
      id: "b",
      start: "2026-11-01T00:01:30Z",
      insyncAt: "2026-11-01T00:02:00Z",
    });
    const outages = loginOutages([overlapping, spanning], timing, november);
    expect(outages).toHaveLength(1);
    expect(new Date(outages[0]?.from ?? 0).toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(totalSeconds(outages)).toBe(180);
  });
});

describe("an incident's row", () => {
  it("gives each stage's delay from onset and the failback's wait and approver", () => {
    const row = incidentRow(incident(), timing, monthPeriod("2026-11"));
    expect(row).toMatchObject({
      detectionSeconds: 15.5,
      dnsChangeSeconds: 16,
      insyncSeconds: 46,
      timeOnSecondarySeconds: 7152,
      failbackApprovalWaitSeconds: 1165,
      failbackSeconds: 990,
      approvedBy: "slack:U0123ABCDEF",
      ongoing: false,
      startedBeforePeriod: false,
      endsAfterPeriod: false,
      loginDowntimeSeconds: 106,
    });
  });

  it("says when an incident crosses the period's edges, and counts only its part inside", () => {
    const spanning = incident({
      start: "2026-10-31T23:59:30Z",
      detectedAt: "2026-10-31T23:59:45Z",
      insyncAt: "2026-11-01T00:00:15Z",
      endAt: "2026-11-01T01:00:00Z",
    });
    const october = incidentRow(spanning, timing, monthPeriod("2026-10"));
    const november = incidentRow(spanning, timing, monthPeriod("2026-11"));
    expect([october.startedBeforePeriod, october.endsAfterPeriod]).toEqual([false, true]);
    expect([november.startedBeforePeriod, november.endsAfterPeriod]).toEqual([true, false]);
    expect(october.loginDowntimeSeconds + november.loginDowntimeSeconds).toBe(30 + 15 + 60);
  });
});
