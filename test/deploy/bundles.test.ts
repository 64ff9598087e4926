import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleHandler, handlerFiles, handlers, repoRoot } from "./bundle-functions.js";

/* Each Lambda bundles on its own with esbuild, and no development dependency ends up inside. */

const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
const devOnly = new Set(
  [
    ...Object.keys(rootPackage.devDependencies),
    "@types/aws-lambda",
    "vitest",
    "dynalite",
    "@idp-failover/stand-ins",
    "playwright-core",
  ].filter((name) => name !== "sst"),
);

describe("function bundles", () => {
  it("has a file for every handler", () => {
    expect(handlerFiles().sort()).toEqual(handlers.map((h) => `${h}.ts`).sort());
  });

  it.each(handlers)("bundles %s without dev dependencies or the AWS SDK", async (handler) => {
    const report = await bundleHandler(handler);
    expect(report.bytes).toBeGreaterThan(1000);
    expect(report.packages.filter((p) => devOnly.has(p))).toEqual([]);
    expect(report.packages.filter((p) => p.startsWith("@aws-sdk/"))).toEqual([]);
  });

  it("keeps the verdict endpoint free of the probe and Slack code it does not run", async () => {
    const report = await bundleHandler("verdict");
    expect(report.packages).not.toContain("@okta/okta-sdk-nodejs");
    expect(report.packages).not.toContain("@slack/web-api");
    expect(report.packages).not.toContain("@microsoft/microsoft-graph-client");
  });

  it.each(handlers)("bundles %s on zod/mini alone, never classic zod", async (handler) => {
    // One validation dialect (test/repo/validation-dialect.test.ts checks the sources); this checks
    // that no dependency of ours brings classic zod's API (~190 KB) into a function either.
    const report = await bundleHandler(handler);
    expect(report.inputs.filter((input) => input.includes("node_modules/zod/v4/classic/"))).toEqual([]);
  });

  it("keeps the readiness run's vendor SDKs out of the evaluator (they load only in readiness)", async () => {
    const report = await bundleHandler("evaluate");
    expect(report.packages).not.toContain("@okta/okta-sdk-nodejs");
    expect(report.packages).not.toContain("@microsoft/microsoft-graph-client");
  });

  it("keeps the probe on zod/mini, English messages included, without classic zod", async () => {
    // Classic zod's API (~190 KB) alone would put the probe over its size target; one schema of ours
    // written with it, or a package index that re-exports one, brings it all back.
    const report = await bundleHandler("probe");
    expect(report.inputs.filter((input) => input.includes("node_modules/zod/v4/classic/"))).toEqual([]);
    expect(report.inputs.some((input) => input.includes("node_modules/zod/v4/mini/"))).toBe(true);
    expect(report.inputs.some((input) => input.endsWith("node_modules/zod/v4/locales/en.js"))).toBe(true);
  });
});
