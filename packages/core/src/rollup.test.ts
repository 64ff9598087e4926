import { describe, expect, it } from "vitest";
import {
  closeMinutes,
  currentValue,
  type RollupState,
  recordChange,
  rollupKey,
  toRollupVerdict,
} from "./rollup.js";

const M = Date.parse("2026-06-01T00:00:00Z");
const minute = 60_000;

function started(at: number, values: Record<string, "up" | "down" | "degraded" | "unknown">): RollupState {
  let state: RollupState = { upTo: at, base: {}, changes: [] };
  for (const [key, verdict] of Object.entries(values)) state = recordChange(state, at, key, verdict);
  return state;
}

describe("minute rollups", () => {
  it("splits a minute between the verdicts it saw, to the millisecond", () => {
    let state = started(M, { okta: "up", "okta@us-east-1": "up" });
    state = recordChange(state, M + 20_500, "okta", "down");
    const { closed } = closeMinutes(state, M + minute, "acme", ["okta"], ["us-east-1"]);

    expect(closed).toEqual([
      {
        site: "acme",
        provider: "okta",
        minute: new Date(M).toISOString(),
        global: { up: 20.5, down: 39.5 },
        regions: { "us-east-1": { up: 60 } },
      },
    ]);
  });

  it("closes every whole minute of a long quiet spell and keeps the open one", () => {
    const state = started(M, { okta: "down" });
    const { closed, state: after } = closeMinutes(state, M + 90 * minute + 5_000, "acme", ["okta"], []);

    expect(closed).toHaveLength(90);
    expect(closed.every((r) => r.global.down === 60)).toBe(true);
    expect(after.upTo).toBe(M + 90 * minute);
    expect(currentValue(after, "okta")).toBe("down");
    expect(after.changes).toEqual([]);
  });

  it("counts the seconds before monitoring started as unknown by leaving them out", () => {
    const state = started(M + 45_000, { okta: "up" });
    const { closed } = closeMinutes(state, M + minute, "acme", ["okta"], []);
    expect(closed[0]?.global).toEqual({ up: 15 });
  });

  it("treats a key never observed as unknown", () => {
    const state = started(M, { okta: "up" });
    const { closed } = closeMinutes(state, M + minute, "acme", ["okta", "entra"], []);
    expect(closed.find((r) => r.provider === "entra")?.global).toEqual({ unknown: 60 });
  });

  it("closes at most maxMinutes at once, and the rest later", () => {
    const state = started(M, { okta: "up" });
    const first = closeMinutes(state, M + 100 * minute, "acme", ["okta"], [], 60);
    const second = closeMinutes(first.state, M + 100 * minute, "acme", ["okta"], [], 60);
    expect(first.closed).toHaveLength(60);
    expect(second.closed).toHaveLength(40);
  });

  it("counts an impaired monitor and a stale region as unknown, never as up or down", () => {
    let state = started(M, { okta: "up", "okta@us-east-1": "up" });
    state = recordChange(state, M + 30_000, "okta", toRollupVerdict("impaired"));
    state = recordChange(state, M + 30_000, "okta@us-east-1", toRollupVerdict("stale"));
    const { closed } = closeMinutes(state, M + minute, "acme", ["okta"], ["us-east-1"]);

    expect(closed[0]?.global).toEqual({ up: 30, unknown: 30 });
    expect(closed[0]?.regions).toEqual({ "us-east-1": { up: 30, unknown: 30 } });
  });

  it("ignores a change to the value a key already has", () => {
    const state = started(M, { [rollupKey("okta", "eu-west-1")]: "up" });
    expect(recordChange(state, M + 1, "okta@eu-west-1", "up")).toBe(state);
  });
});
