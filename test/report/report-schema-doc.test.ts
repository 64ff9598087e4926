import { readFileSync } from "node:fs";
import { join } from "node:path";
import { monthPeriod, reportFromStore } from "@idp-failover/report";
import { describe, expect, it } from "vitest";
import { novemberStore, testConfig } from "../../packages/report/src/test-support.js";

/*
 * docs/report-schema.md is the JSON report's contract: every field a report carries is documented
 * there, so a field added to the code without its line in the doc fails here.
 */

const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "report-schema.md"), "utf8");

function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, out);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      out.add(key);
      keysOf(inner, out);
    }
  }
  return out;
}

describe("docs/report-schema.md", () => {
  it("documents every field of the JSON report", async () => {
    const report = await reportFromStore(await novemberStore(), testConfig(), monthPeriod("2026-11"), {
      now: Date.parse("2026-12-01T02:00:00Z"),
    });
    const missing = [...keysOf(JSON.parse(JSON.stringify(report)))].filter((key) => !doc.includes(key));
    expect(missing).toEqual([]);
  });
});
