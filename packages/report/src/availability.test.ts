import type { MinuteRollup, VerdictSeconds } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { availabilityOf, ProviderFold, type SeriesTotals } from "./availability.js";
import { customPeriod, monthPeriod, type ReportPeriod } from "./period.js";

const regions = ["us-east-1", "us-west-2", "eu-west-1"];
const minute = 60_000;

type Verdict = "up" | "degraded" | "down" | "unknown";

/**
 * Minute rollups of one provider over [from, to) from a verdict timeline: `verdictAt(t)` is the
 * global verdict (and every region's, unless `regionAt` says otherwise) at instant t, sampled per second.
 */
function rollups(
  from: number,
  to: number,
  verdictAt: (t: number) => Verdict,
  regionAt: (region: string, t: number) => Verdict = (_, t) => verdictAt(t),
): MinuteRollup[] {
  const out: MinuteRollup[] = [];
  for (let m = from; m < to; m += minute) {
    const steady = verdictAt(m);
    const probes = Array.from({ length: 12 }, (_, i) => m + i * 5000 + (i === 11 ? 4000 : 0));
    if (probes.every((t) => verdictAt(t) === steady && regions.every((r) => regionAt(r, t) === steady))) {
      // A minute without a change (these timelines hold for 5 s at least): no need to sample each second.
      const whole = { [steady]: 60 };
      const perRegion = Object.fromEntries(regions.map((r) => [r, { [steady]: 60 }]));
      out.push({
        site: "s",
        provider: "okta",
        minute: new Date(m).toISOString(),
        global: whole,
        regions: perRegion,
      });
      continue;
    }
    const global: VerdictSeconds = {};
    const perRegion: Record<string, VerdictSeconds> = Object.fromEntries(regions.map((r) => [r, {}]));
    for (let s = 0; s < 60; s++) {
      const t = m + s * 1000;
      const v = verdictAt(t);
      global[v] = (global[v] ?? 0) + 1;
      for (const r of regions) {
        const rv = regionAt(r, t);
        const seconds = perRegion[r] as VerdictSeconds;
        seconds[rv] = (seconds[rv] ?? 0) + 1;
      }
    }
    out.push({ site: "s", provider: "okta", minute: new Date(m).toISOString(), global, regions: perRegion });
  }
  return out;
}

/** Down between two instants (the verdict's view of an outage), up otherwise. */
function downBetween(a: number, b: number): (t: number) => Verdict {
  return (t) => (t >= a && t < b ? "down" : "up");
}

function fold(period: ReportPeriod, input: MinuteRollup[]) {
  const totals = new ProviderFold(period, regions).addAll(input).finish();
  return { totals, overall: availabilityOf(totals.global, (period.to - period.from) / 1000) };
}

const november = monthPeriod("2026-11");
const at = (text: string) => Date.parse(text);

describe("availability from minute rollups", () => {
  it("counts a 90-minute outage in a 30-day month as 90 minutes: 99.7917%", () => {
    // Prepare: the verdict says down 15 s after onset and up 25 s after the end.
    const outage = downBetween(at("2026-11-10T10:00:15Z"), at("2026-11-10T11:30:25Z"));
    // Act
    const { overall } = fold(november, rollups(november.from, november.to, outage));
    // Assess
    expect(overall.downtimeMinutes).toBe(90);
    expect(overall.availabilityPct?.toFixed(4)).toBe("99.7917");
    expect(overall.downSeconds).toBe(5410);
  });

  it("gives the same minutes whatever the detection and recovery delays, within half a minute of each other", () => {
    for (const detection of [3, 10, 17, 20, 28]) {
      for (const recovery of [20, 25, 35, 45]) {
        if (Math.abs(recovery - detection) >= 30) continue;
        const outage = downBetween(
          at("2026-11-10T10:00:00Z") + detection * 1000,
          at("2026-11-10T11:30:00Z") + recovery * 1000,
        );
        const day = customPeriod(at("2026-11-10T00:00:00Z"), at("2026-11-11T00:00:00Z"));
        expect(fold(day, rollups(day.from, day.to, outage)).overall.downtimeMinutes).toBe(90);
      }
    }
  });

  it("uses the month's own length: 28, 29, 30 and 31 days", () => {
    const cases: Array<[string, string]> = [
      ["2026-02", "99.7768"],
      ["2028-02", "99.7845"],
      ["2026-04", "99.7917"],
      ["2026-01", "99.7984"],
    ];
    for (const [month, expected] of cases) {
      const period = monthPeriod(month);
      const onset = period.from + 5 * 86_400_000;
      const { overall } = fold(
        period,
        rollups(period.from, period.to, downBetween(onset + 12_000, onset + 5_427_000)),
      );
      expect(overall.availabilityPct?.toFixed(4), month).toBe(expected);
    }
  });

  it("shares an outage across midnight between the days and the months without adding a minute", () => {
    // Prepare: down 23:15:30 on 31 October to 00:45:30 on 1 November, seen from both months: 44.5 +
    // 45.5 minutes, which rounded one by one would make 45 + 46.
    const outage = downBetween(at("2026-10-31T23:15:30Z"), at("2026-11-01T00:45:30Z"));
    const october = monthPeriod("2026-10");
    const span = rollups(at("2026-10-30T00:00:00Z"), at("2026-11-03T00:00:00Z"), outage);
    // Act
    const before = fold(october, span);
    const after = fold(november, span);
    // Assess
    expect(before.overall.downtimeMinutes + after.overall.downtimeMinutes).toBe(90);
    expect(before.overall.downtimeMinutes).toBe(45);
    expect(before.totals.daily.at(-1)?.downtimeMinutes).toBe(45);
    expect(after.totals.daily[0]?.downtimeMinutes).toBe(45);
  });

  it("sees an episode cut by the period's edge only in part when nothing beyond the edge is given", () => {
    const outage = downBetween(at("2026-10-31T23:15:15Z"), at("2026-11-01T00:45:30Z"));
    const { overall } = fold(november, rollups(november.from, at("2026-11-02T00:00:00Z"), outage));
    expect(overall.downtimeMinutes).toBe(46);
  });

  it("leaves the monitor's impaired time out: neither up nor down", () => {
    // Prepare: unknown for an hour, down for 20 minutes.
    const day = customPeriod(at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"));
    const verdict = (t: number): Verdict =>
      t >= at("2026-11-02T06:00:00Z") && t < at("2026-11-02T07:00:00Z")
        ? "unknown"
        : t >= at("2026-11-02T15:00:15Z") && t < at("2026-11-02T15:20:20Z")
          ? "down"
          : "up";
    // Act
    const { overall } = fold(day, rollups(day.from, day.to, verdict));
    // Assess
    expect(overall.unknownSeconds).toBe(3600);
    expect(overall.measuredSeconds).toBe(23 * 3600);
    expect(overall.downtimeMinutes).toBe(20);
    expect(overall.availabilityPct).toBeCloseTo(100 * (1 - 20 / (23 * 60)), 9);
  });

  it("treats minutes without rollups as no data, and a partial first minute by its covered seconds", () => {
    const day = customPeriod(at("2026-11-05T00:00:00Z"), at("2026-11-06T00:00:00Z"));
    const present = rollups(at("2026-11-05T12:00:00Z"), at("2026-11-05T18:00:00Z"), () => "up");
    present[0] = { ...(present[0] as MinuteRollup), global: { up: 20 } };
    const { overall } = fold(day, present);
    expect(overall.measuredSeconds).toBe(6 * 3600 - 40);
    expect(overall.noDataSeconds).toBe(18 * 3600 + 40);
    expect(overall.availabilityPct).toBe(100);
  });

  it("has no availability for a period without data, rather than 0 or 100", () => {
    const { overall, totals } = fold(november, []);
    expect(overall.availabilityPct).toBeNull();
    expect(overall.noDataSeconds).toBe(30 * 86_400);
    expect(totals.daily).toHaveLength(30);
  });

  it("counts a blip under half a minute as no downtime, but keeps its seconds", () => {
    const day = customPeriod(at("2026-11-07T00:00:00Z"), at("2026-11-08T00:00:00Z"));
    const { overall } = fold(
      day,
      rollups(day.from, day.to, downBetween(at("2026-11-07T08:00:10Z"), at("2026-11-07T08:00:30Z"))),
    );
    expect(overall.downtimeMinutes).toBe(0);
    expect(overall.downSeconds).toBe(20);
  });

  it("keeps degraded time available, in minutes beside the downtime", () => {
    const day = customPeriod(at("2026-11-08T00:00:00Z"), at("2026-11-09T00:00:00Z"));
    const slow = (t: number): Verdict =>
      t >= at("2026-11-08T09:00:00Z") && t < at("2026-11-08T09:45:00Z") ? "degraded" : "up";
    const { overall } = fold(day, rollups(day.from, day.to, slow));
    expect(overall.degradedMinutes).toBe(45);
    expect(overall.downtimeMinutes).toBe(0);
    expect(overall.availabilityPct).toBe(100);
  });

  it("reports a region's own view: one region down does not make the provider down", () => {
    const day = customPeriod(at("2026-11-09T00:00:00Z"), at("2026-11-10T00:00:00Z"));
    const regionDown = (region: string, t: number): Verdict =>
      region === "eu-west-1" && t >= at("2026-11-09T03:00:00Z") && t < at("2026-11-09T04:00:00Z")
        ? "down"
        : "up";
    const { totals, overall } = fold(
      day,
      rollups(day.from, day.to, () => "up", regionDown),
    );
    expect(overall.downtimeMinutes).toBe(0);
    expect(totals.regions["eu-west-1"]?.downtimeMinutes).toBe(60);
    expect(totals.regions["us-east-1"]?.downtimeMinutes).toBe(0);
  });

  it("counts a configured region missing from the rollups as no data, even beside a region it does not know", () => {
    const hour = customPeriod(at("2026-11-12T00:00:00Z"), at("2026-11-12T01:00:00Z"));
    const input = rollups(hour.from, hour.to, () => "up").map((r) => {
      const { "eu-west-1": _gone, ...rest } = r.regions;
      return { ...r, regions: { ...rest, "ap-south-1": { up: 60 } } };
    });
    const { totals } = fold(hour, input);
    expect(availabilityOf(totals.regions["eu-west-1"] as SeriesTotals, 3600).noDataSeconds).toBe(3600);
    expect(availabilityOf(totals.regions["us-east-1"] as SeriesTotals, 3600).availabilityPct).toBe(100);
  });

  it("reads rollup minutes written in any ISO form the same way", () => {
    const day = customPeriod(at("2026-11-11T00:00:00Z"), at("2026-11-11T01:00:00Z"));
    const input = rollups(
      day.from,
      day.to,
      downBetween(at("2026-11-11T00:10:00Z"), at("2026-11-11T00:20:00Z")),
    );
    const shortForm = input.map((r) => ({ ...r, minute: r.minute.replace(".000Z", "Z") }));
    expect(fold(day, shortForm).overall).toEqual(fold(day, input).overall);
  });
});
