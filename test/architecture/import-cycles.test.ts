import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findKnots, importGraph, typeScriptFiles } from "./import-graph.js";

const root = join(import.meta.dirname, "..", "..");

describe("import cycles", () => {
  it("no module imports its way back to itself, type-only imports included", () => {
    // Prepare
    const files = typeScriptFiles(root, ["packages", "functions", "stacks", "test", "bench"]);
    const graph = importGraph(root, files);

    // Act
    const knots = findKnots(graph);

    // Assess: the modules of each knot and one cycle through them, so the failure says what to move.
    expect(files.length).toBeGreaterThan(100);
    expect(
      knots.map(({ modules, cycle }) => `${modules.join(", ")}; for one: ${cycle.join(" -> ")}`),
    ).toEqual([]);
  });

  it("finds a cycle made only of type imports, and names every module on it", () => {
    // Prepare: a -> b -> c -> a, all `import type`, plus d importing a (outside the cycle).
    const directory = mkdtempSync(join(tmpdir(), "import-cycles-"));
    try {
      writeFileSync(join(directory, "a.ts"), 'import type { B } from "./b.js";\nexport type A = B;\n');
      writeFileSync(join(directory, "b.ts"), 'import type { C } from "./c.js";\nexport type B = C;\n');
      writeFileSync(join(directory, "c.ts"), 'import { type A } from "./a.js";\nexport type C = A | 1;\n');
      writeFileSync(join(directory, "d.ts"), 'import type { A } from "./a.js";\nexport type D = A;\n');
      const graph = importGraph(directory, typeScriptFiles(directory, ["."]));

      // Act
      const knots = findKnots(graph);

      // Assess
      expect(knots).toEqual([{ modules: ["a.ts", "b.ts", "c.ts"], cycle: ["a.ts", "b.ts", "c.ts", "a.ts"] }]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("finds a module that imports itself, and no cycle in a tree", () => {
    // Prepare
    const graph = new Map([
      ["self.ts", ["self.ts", "leaf.ts"]],
      ["root.ts", ["leaf.ts", "other.ts"]],
      ["other.ts", ["leaf.ts"]],
      ["leaf.ts", []],
    ]);

    // Act
    const knots = findKnots(graph);

    // Assess
    expect(knots).toEqual([{ modules: ["self.ts"], cycle: ["self.ts", "self.ts"] }]);
  });
});
