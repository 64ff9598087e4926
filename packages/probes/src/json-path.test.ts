import { probeSpecSchema } from "@idp-failover/core";
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

  it("is the subset the config accepts: a path the probe cannot read never gets past validation", () => {
    // Prepare
    const paths = [
      "$",
      "$.status",
      "$.items[0].state",
      "$['odd key']",
      '$["x"][12]._a-b',
      "status",
      "$.",
      "$.items[?(@.x)]",
      "$..status",
      "$.items[*]",
      "$[-1]",
      "$.a b",
    ];
    const readable = (path: string) => {
      try {
        parseJsonPath(path);
        return true;
      } catch {
        return false;
      }
    };
    const accepted = (path: string) =>
      probeSpecSchema.safeParse({ kind: "http", url: "https://x.example/health", jsonPath: path }).success;

    // Act
    const disagreements = paths.filter((path) => readable(path) !== accepted(path));

    // Assess
    expect(disagreements).toEqual([]);
    expect(paths.filter(accepted)).toHaveLength(5);
  });
});
