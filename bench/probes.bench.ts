/*
 * `npm run bench probes`: one region round of 50 sites x 2 providers x 4 probes against the local
 * Okta and Entra stand-ins answering in 50 ms (wall time, peak memory), and the bundled size of the
 * probe code a Lambda would ship. The stand-ins run in a child process so the runner's memory is
 * measured alone. Target: a round in well under the cadence (under 3 s at these numbers).
 */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { lambdaRuntime, parseConfig } from "@idp-failover/core";
import { createProbeMemory, envSecrets, prepareRound, runRegionRound } from "@idp-failover/probes";
import {
  createTestCa,
  entraStandInProvider,
  oktaStandInProvider,
  standInProbeSecrets,
  startEntraStandIn,
  startOktaStandIn,
} from "@idp-failover/stand-ins";
import { build } from "esbuild";

const sites = 50;
const latencyMs = 50;
const here = dirname(fileURLToPath(import.meta.url));

interface StandIns {
  ca: string;
  okta: string;
  entra: string;
}

if (process.argv[2] === "--stand-ins") {
  await serveStandIns();
} else {
  await main();
}

async function serveStandIns(): Promise<void> {
  const ca = await createTestCa();
  const [okta, entra] = await Promise.all([
    startOktaStandIn({ ca, latencyMs, authorizationServers: ids("aus"), rateLimit: 100_000 }),
    startEntraStandIn({ ca, latencyMs, tenants: ids("tenant") }),
  ]);
  process.send?.({ ca: ca.certPem, okta: okta.url, entra: entra.url } satisfies StandIns);
  process.on("disconnect", () => {
    void Promise.all([okta.close(), entra.close()]).then(() => process.exit(0));
  });
}

function ids(prefix: string): string[] {
  return Array.from({ length: sites }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--stand-ins"], { execArgv: ["--import", "tsx"] });
  try {
    const urls = await new Promise<StandIns>((resolve, reject) => {
      child.once("message", (message) => resolve(message as StandIns));
      child.once("exit", (code) => reject(new Error(`stand-ins exited with ${code}`)));
    });
    await benchRound(urls);
    await benchBundle();
  } finally {
    stop(child);
  }
}

async function benchRound(urls: StandIns): Promise<void> {
  const config = benchConfig(urls);
  const secrets = envSecrets(standInProbeSecrets);
  const memory = createProbeMemory();
  const probes = config.sites.reduce((n, s) => n + s.providers.reduce((m, p) => m + p.probes.length, 0), 0);
  process.stdout.write(
    `workload: 1 region round, ${sites} sites x 2 providers (Okta, Entra) x 4 probes = ${probes} probes; stand-ins answer in ${latencyMs} ms over HTTPS\n`,
  );
  const loading = performance.now();
  await prepareRound(config);
  process.stdout.write(
    `start-up: probe SDKs loaded in ${Math.round(performance.now() - loading)} ms (once per process)\n`,
  );
  for (const label of ["first round (no cached tokens or clients)", "second round (same process)"]) {
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const round = await runRegionRound(config, {
      region: "bench",
      secrets,
      ca: urls.ca,
      memory,
      now: Date.now,
    });
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const failed = round.results.filter((r) => !r.ok);
    const latencies = round.results.map((r) => r.latencyMs).sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? 0;
    process.stdout.write(
      `${label}: wall ${Math.round(wall)} ms for ${round.results.length} results (${failed.length} failed), ` +
        `probe latency p95 ${p95} ms; runner CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms; ` +
        `RSS peak ${mb(peak)} (+${mb(peak - baseline)} over the round's start)\n`,
    );
    if (failed.length > 0) {
      process.stdout.write(`  first failure: ${JSON.stringify(failed[0])}\n`);
      process.exitCode = 1;
    }
  }
  process.stdout.write(`target: a round under 3000 ms (cadence ${config.policy.cadenceSeconds} s)\n`);
}

function benchConfig(urls: StandIns) {
  const parsed = parseConfig({
    sites: Array.from({ length: sites }, (_, i) => {
      const as = `aus${String(i).padStart(3, "0")}`;
      const tenant = `tenant${String(i).padStart(3, "0")}`;
      return {
        id: `site-${i}`,
        hostname: `login${i}.example.com`,
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        providers: [
          oktaStandInProvider(urls.okta, {
            authorizationServer: as,
            probes: ["oidc-discovery", "jwks", "token", "okta-api"],
          }),
          entraStandInProvider(urls.entra, { tenantId: tenant }),
        ],
      };
    }),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

/** What a probe Lambda would ship: the runner and every probe kind, bundled and minified for the Lambda runtime (Node.js 24). */
async function benchBundle(): Promise<void> {
  const result = await build({
    stdin: {
      contents: 'export { createProbeMemory, envSecrets, runRegionRound } from "@idp-failover/probes";',
      resolveDir: join(here, ".."),
      loader: "ts",
    },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: lambdaRuntime.esbuildTarget,
    minify: true,
    write: false,
    outdir: join(here, "..", ".bench-out"),
    logLevel: "silent",
  });
  const files = result.outputFiles.map((f) => ({
    name: f.path.split("/").at(-1) ?? f.path,
    bytes: f.contents.length,
    gzip: gzipSync(f.contents).length,
  }));
  const entry = files.find((f) => f.name === "stdin.js");
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const totalGzip = files.reduce((n, f) => n + f.gzip, 0);
  process.stdout.write(
    `bundle (esbuild, minified, esm, ${lambdaRuntime.esbuildTarget}): ${kb(total)} in ${files.length} file(s), ${kb(totalGzip)} gzipped; ` +
      `loaded by every round: ${kb(entry?.bytes ?? 0)} (${kb(entry?.gzip ?? 0)} gzipped); ` +
      `the rest is the Okta SDK, loaded only when an okta-api probe is configured\n`,
  );
}

function stop(child: ChildProcess): void {
  if (child.connected) child.disconnect();
  setTimeout(() => child.kill(), 2000).unref();
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}
