import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.js";
import { typeScriptFiles } from "./import-graph.js";
import { maxTestMs, suiteRuleBreaks } from "./suite-rules.js";

const root = join(import.meta.dirname, "..", "..");

/** Test files, and the support modules beside them under test/. */
function testCode(): string[] {
  return typeScriptFiles(root, ["packages", "functions", "stacks", "test"]).filter(
    (file) => file.endsWith(".test.ts") || file.startsWith(join(root, "test")),
  );
}

describe("the suite's rules", () => {
  it("no test is allowed over a minute, and no test code sleeps on timers of its own", () => {
    // Prepare
    const files = testCode();

    // Act
    const breaks = suiteRuleBreaks(root, files);

    // Assess
    expect(files.length).toBeGreaterThan(80);
    expect(breaks.map((b) => `${b.file}:${b.line}: ${b.rule}`)).toEqual([]);
  });

  it("gives a test no more than a minute by default", () => {
    // Act
    const testTimeout = config.test?.testTimeout;

    // Assess
    expect(testTimeout).toBeLessThanOrEqual(maxTestMs);
  });

  it("finds a long test in each form it can be written, and a sleep", () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "suite-rules-"));
    const file = join(directory, "slow.test.ts");
    writeFileSync(
      file,
      [
        'it("a", async () => {}, 120_000);',
        'it.concurrent("b", async () => {}, 61000);',
        'it.each([1])("c %s", async () => {}, 90_000);',
        'test("d", { timeout: 300_000 }, async () => {});',
        'it("e", async () => {}, 60_000);',
        'it("f", async () => { await new Promise((r) => setTimeout(r, 50)); });',
      ].join("\n"),
    );
    try {
      // Act
      const breaks = suiteRuleBreaks(directory, [file]);

      // Assess
      expect(breaks.map((b) => b.line)).toEqual([1, 2, 3, 4, 6]);
      expect(breaks[4]?.rule).toMatch(/^setTimeout in test code/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
