import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { lambdaRuntime } from "@idp-failover/core";
import { build, type Metafile } from "esbuild";

/*
 * Bundles each Lambda handler the way the stacks deploy it (esbuild, minified ESM for the Lambda runtime (Node.js 24), the
 * AWS SDK left to the runtime), in memory, and reports its size and the packages inside. Used by
 * the bundle test (no dev dependency may end up in a function) and by bench/bundles.
 */

export const repoRoot = resolve(import.meta.dirname, "../..");
export const handlersDir = join(repoRoot, "functions", "src");

/** Handler files: every module in functions/src that exports `handler` by convention of its name. */
export const handlers = [
  "probe",
  "probe-shard",
  "verdict",
  "evaluate",
  "notify",
  "slack-interactions",
  "report",
  "readiness",
] as const;
export type HandlerName = (typeof handlers)[number];

/**
 * Vendor SDKs the probe loads only for the probe kinds that need them (okta-api, graph-health): they
 * ship beside the bundle as node_modules (SST's `nodejs.install`), so the bundle every round loads
 * stays small. Must match stacks/probes.ts; the readiness function installs the same two
 * (stacks/readiness.ts).
 */
export const probeInstalled = ["@okta/okta-sdk-nodejs", "@microsoft/microsoft-graph-client"];

/** Bundle-size targets from the issue, in bytes. */
export const targets: Partial<Record<HandlerName, number>> = {
  probe: 300 * 1024,
  "probe-shard": 300 * 1024,
  verdict: 100 * 1024,
};

export interface BundleReport {
  handler: HandlerName;
  bytes: number;
  /** npm packages with code in the bundle (by name). */
  packages: string[];
  /** Files with code in the bundle, relative to the repo, `/`-separated. */
  inputs: string[];
}

export async function bundleHandler(handler: HandlerName): Promise<BundleReport> {
  const result = await build({
    entryPoints: [join(handlersDir, `${handler}.ts`)],
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    platform: "node",
    target: lambdaRuntime.esbuildTarget,
    format: "esm",
    external: [
      "@aws-sdk/*",
      ...(handler === "probe" || handler === "probe-shard" || handler === "readiness" ? probeInstalled : []),
    ],
    banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
    logLevel: "silent",
  });
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
  return { handler, bytes, packages: packagesIn(result.metafile), inputs: inputsIn(result.metafile) };
}

function packagesIn(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replaceAll("\\", "/"));
    if (match?.[1]) names.add(match[1]);
  }
  return [...names].sort();
}

function inputsIn(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path.replaceAll("\\", "/")),
  );
}

/** Handlers present on disk (the list above, checked, so a renamed file fails loudly). */
export function handlerFiles(): string[] {
  return readdirSync(handlersDir).filter((f) => handlers.some((h) => f === `${h}.ts`));
}
