import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testConfig } from "@idp-failover/core/testing";
import { monthPeriod, reportFromStore } from "@idp-failover/report";
import { describe, expect, it } from "vitest";
import { novemberStore } from "../../packages/report/src/test-support.js";

/*
 * docs/report-schema.md is the JSON report's contract: every field a report carries is documented
 * there, named in a code span, so a field added to the code without its line in the doc fails here.
 */

const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "report-schema.md"), "utf8");

/**
 * The names the page documents: identifiers inside its `code spans`, the example block left out (an
 * example shows a field, it does not say what it means), so "to" counts only where it is named.
 */
function documentedNames(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, "");
  const names = new Set<string>();
  for (const span of prose.matchAll(/`([^`]+)`/g))
    for (const name of span[1]?.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []) names.add(name);
  return names;
}

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
    const documented = documentedNames(doc);
    const missing = [...keysOf(JSON.parse(JSON.stringify(report)))].filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });
});
