import { describe, expect, it } from "vitest";
import { belowBudget, readRateLimit } from "./okta-api.js";

function headers(values: Record<string, string>) {
  return { get: (name: string) => values[name] ?? null };
}

describe("Okta rate-limit budget", () => {
  it("reads Okta's x-rate-limit headers, reset in epoch seconds", () => {
    // Act
    const state = readRateLimit(
      headers({
        "x-rate-limit-limit": "600",
        "x-rate-limit-remaining": "42",
        "x-rate-limit-reset": "1767261660",
      }),
      0,
    );

    // Assess
    expect(state).toEqual({ limit: 600, remaining: 42, resetAt: 1_767_261_660_000 });
  });

  it("ignores answers without the headers", () => {
    expect(readRateLimit(headers({}), 0)).toBeUndefined();
  });

  it("is below budget only under the threshold and before the reset", () => {
    // Prepare
    const state = { limit: 100, remaining: 10, resetAt: 60_000 };

    // Act / Assess
    expect(belowBudget(state, 20, 1_000)).toBe(true);
    expect(belowBudget(state, 10, 1_000)).toBe(false);
    expect(belowBudget(state, 20, 60_000)).toBe(false);
  });
});
