import { describe, expect, it } from "vitest";
import {
  customPeriod,
  daysOf,
  monthPeriod,
  PeriodInvalidError,
  periodMinutes,
  previousMonth,
} from "./period.js";

describe("report periods (UTC)", () => {
  it("knows each month's length, leap years included", () => {
    expect(periodMinutes(monthPeriod("2026-02"))).toBe(28 * 1440);
    expect(periodMinutes(monthPeriod("2028-02"))).toBe(29 * 1440);
    expect(periodMinutes(monthPeriod("2026-11"))).toBe(30 * 1440);
    expect(periodMinutes(monthPeriod("2026-12"))).toBe(31 * 1440);
  });

  it("has 24-hour days all year: a DST change in Europe or the US does not show", () => {
    const march = monthPeriod("2026-03");
    expect(daysOf(march)).toHaveLength(31);
    expect(daysOf(march).every((d, i, all) => i === 0 || d - (all[i - 1] ?? 0) === 86_400_000)).toBe(true);
  });

  it("defaults to the last whole month, across a year's end", () => {
    expect(previousMonth(Date.parse("2027-01-01T02:00:00Z"))).toBe("2026-12");
    expect(previousMonth(Date.parse("2026-11-15T12:00:00Z"))).toBe("2026-10");
  });

  it("recognises a custom period that is exactly a month, and names any other by its bounds", () => {
    expect(customPeriod(Date.parse("2026-10-01T00:00:00Z"), Date.parse("2026-11-01T00:00:00Z")).month).toBe(
      "2026-10",
    );
    const day = customPeriod(Date.parse("2026-10-05T00:00:00Z"), Date.parse("2026-10-06T00:00:00Z"));
    expect(day.month).toBeUndefined();
    expect(day.label).toBe("2026-10-05T00:00:00Z .. 2026-10-06T00:00:00Z");
  });

  it("refuses what is not a month or not a period", () => {
    for (const bad of ["2026-13", "2026-1", "26-10", "october"])
      expect(() => monthPeriod(bad)).toThrow(PeriodInvalidError);
    expect(() => customPeriod(10, 5)).toThrow(PeriodInvalidError);
  });
});
