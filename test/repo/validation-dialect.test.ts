import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * One validation dialect: zod/mini, imported as `import * as z from "@idp-failover/core/zod-mini"`.
 * That module is the one place that names zod itself (it loads mini and zod's English messages), so
 * classic zod (`"zod"`, `"zod/v4"`, `"zod/v4/classic"`) cannot come back through a new file, a test
 * helper or a stack, and only core depends on the zod package (docs/design.md, "Schemas on zod/mini").
 */

const repoRoot = join(import.meta.dirname, "../..");
const roots = ["packages", "functions", "stacks", "test", "bench", "sst.config.ts"];
const skipped = new Set(["node_modules", ".sst", "dist", "coverage"]);
const sourceFile = /\.(ts|mts|cts|js|mjs|cjs)$/;
const theGateway = "packages/core/src/zod-mini.ts";

function sourceFiles(path: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return sourceFile.test(path) ? [path] : [];
  }
  return entries.filter((name) => !skipped.has(name)).flatMap((name) => sourceFiles(join(path, name)));
}

/** Every module specifier a file names: static and dynamic imports, re-exports, require. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1] ?? "");
  return found;
}

const isZod = (specifier: string) => specifier === "zod" || specifier.startsWith("zod/");

describe("one validation dialect", () => {
  it("imports zod only through core's zod-mini module", () => {
    // Prepare
    const files = roots.flatMap((root) => sourceFiles(join(repoRoot, root)));

    // Act
    const offenders = files.flatMap((file) => {
      const path = relative(repoRoot, file).replaceAll("\\", "/");
      if (path === theGateway || path === "test/repo/validation-dialect.test.ts") return [];
      const zod = specifiersOf(readFileSync(file, "utf8")).filter(isZod);
      return zod.map((specifier) => `${path} imports "${specifier}"`);
    });

    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });

  it("loads zod/mini and nothing of classic zod in the gateway", () => {
    const specifiers = specifiersOf(readFileSync(join(repoRoot, theGateway), "utf8")).filter(isZod);
    expect(specifiers.sort()).toEqual(["zod/locales", "zod/mini", "zod/mini"]);
  });

  it("declares the zod package in core alone", () => {
    // Prepare
    const manifests = ["functions", ...readdirSync(join(repoRoot, "packages")).map((p) => `packages/${p}`)];

    // Act
    const declaring = manifests.filter((dir) => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as Record<
        string,
        Record<string, string> | undefined
      >;
      return ["dependencies", "devDependencies", "peerDependencies"].some((field) => manifest[field]?.zod);
    });

    // Assess
    expect(declaring).toEqual(["packages/core"]);
  });
});
