import { describe, expect, it } from "vitest";
import { nextTick, ProbeTicks, parseProbeTick } from "./probe-ticks.js";

describe("probe ticks", () => {
  it("schedules the next round on the cadence grid, skipping ahead when late", () => {
    expect(nextTick(1_000_000, 10)).toBe(1_010_000);
    expect(nextTick(1_004_999, 10)).toBe(1_010_000);
    expect(nextTick(1_037_500, 10)).toBe(1_040_000);
  });

  it("merges two chains: the second copy of a tick is dropped", () => {
    const ticks = new ProbeTicks();
    expect(ticks.accept(1_010_000)).toBe(true);
    expect(ticks.accept(1_010_000)).toBe(false);
    expect(ticks.accept(1_000_000)).toBe(false);
    expect(ticks.accept(1_020_000)).toBe(true);
  });

  it("parses a tick message and refuses anything else", () => {
    expect(parseProbeTick('{"tick":1010000}')).toEqual({ tick: 1_010_000 });
    expect(parseProbeTick('{"tick":"soon"}')).toBeUndefined();
    expect(parseProbeTick("not json")).toBeUndefined();
  });
});
