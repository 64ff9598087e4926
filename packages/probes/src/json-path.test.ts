import { describe, expect, it } from "vitest";
import { JsonPathError, parseJsonPath, readJsonPath } from "./json-path.js";

describe("JSON path subset", () => {
  it("reads dotted names, quoted names and array positions", () => {
    // Prepare
    const doc = { items: [{ state: "up" }, { "odd key": 2 }], status: false };

    // Act
    const reads = [
      readJsonPath(doc, "$.items[0].state"),
      readJsonPath(doc, "$.items[1]['odd key']"),
      readJsonPath(doc, '$["status"]'),
      readJsonPath(doc, "$"),
    ];

    // Assess
    expect(reads).toEqual([
      { found: true, value: "up" },
      { found: true, value: 2 },
      { found: true, value: false },
      { found: true, value: doc },
    ]);
  });

  it("says not found for a missing step instead of throwing", () => {
    // Act
    const reads = [
      readJsonPath({ a: 1 }, "$.b"),
      readJsonPath({ a: [1] }, "$.a[3]"),
      readJsonPath({ a: 1 }, "$.a.b"),
      readJsonPath({}, "$.constructor"),
    ];

    // Assess
    expect(reads.every((r) => !r.found)).toBe(true);
  });

  it("rejects paths it cannot read", () => {
    // Act / Assess
    expect(() => parseJsonPath("status")).toThrow(JsonPathError);
    expect(() => parseJsonPath("$.items[?(@.x)]")).toThrow(JsonPathError);
  });
});
