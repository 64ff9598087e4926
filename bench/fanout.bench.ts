/*
 * `npm run bench -- fanout [--sites 1000] [--latency 150] [--via lambda|in-process] [--json]`: one
 * probe region's round over many sites, split into shards as the deployment splits them (core's
 * `probeFanout`), through the real code: the probe round use case (`probeRound`: shards side by
 * side, each recorded as it answers, into an in-memory store), the shard worker use case
 * (`probeShardRequest` -> `runRegionRound`), and, with `--via lambda` (the default), the coordinator's
 * LambdaShardProber with the real Lambda client invoking the workers through the Lambda stand-in.
 * The Okta and Entra stand-ins answer every request `--latency` ms late over HTTPS, in a child
 * process so the round's CPU is measured alone.
 *
 * Each site: Okta and Entra, each with discovery, key set and client-credentials token probes (6).
 * The first round warms what a warm Lambda keeps (connections, token caches, SDKs); the second is the
 * measured one. The figures feed core's `probeRoundModel` (deployment-sizing.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { LambdaShardProber } from "@idp-failover/aws";
import {
  createTrackerMemory,
  InMemoryStore,
  parseConfig,
  probeFanout,
  probeShards,
  type ShardProber,
} from "@idp-failover/core";
import { type ProbeRoundDeps, probeRound, probeShardRequest } from "@idp-failover/orchestration";
import { createProbeMemory, envSecrets, inProcessProber, prepareRound } from "@idp-failover/probes";
import {
  createTestCa,
  entraStandInProvider,
  LambdaStandIn,
  oktaStandInProvider,
  standInProbeSecrets,
  startEntraStandIn,
  startOktaStandIn,
} from "@idp-failover/stand-ins";

const args = parseArgs(process.argv.slice(2));
const region = "us-east-1";
const workerName = "idp-failover-probe-shard-bench";

interface StandIns {
  ca: string;
  okta: string;
  entra: string;
}

if (args.standIns) await serveStandIns();
else if (args.shardWorker) await serveShards();
else await main();

function parseArgs(argv: string[]) {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const via = value("--via") ?? "lambda";
  if (via !== "lambda" && via !== "in-process") throw new Error(`--via: lambda or in-process, not ${via}`);
  return {
    sites: Number(value("--sites") ?? 1000),
    latencyMs: Number(value("--latency") ?? 150),
    via,
    json: argv.includes("--json"),
    /** Processes the shard workers run in (each like a Lambda instance): one per core by default. */
    workers: Number(value("--workers") ?? availableParallelism()),
    standIns: argv.includes("--stand-ins"),
    shardWorker: argv.includes("--shard-worker"),
  };
}

function ids(prefix: string): string[] {
  return Array.from({ length: args.sites }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);
}

async function serveStandIns(): Promise<void> {
  const ca = await createTestCa();
  const [okta, entra] = await Promise.all([
    startOktaStandIn({
      ca,
      latencyMs: args.latencyMs,
      authorizationServers: ids("aus"),
      rateLimit: 1_000_000,
    }),
    startEntraStandIn({ ca, latencyMs: args.latencyMs, tenants: ids("tenant") }),
  ]);
  process.send?.({ ca: ca.certPem, okta: okta.url, entra: entra.url } satisfies StandIns);
  process.on("disconnect", () => {
    void Promise.all([okta.close(), entra.close()]).then(() => process.exit(0));
  });
}

/** What a shard worker probes with, as the deployed one does (its probe memory kept between rounds). */
async function shardWorker(urls: StandIns) {
  const config = benchConfig(urls);
  await prepareRound(config);
  const probe = {
    secrets: envSecrets(standInProbeSecrets),
    ca: urls.ca,
    memory: createProbeMemory(),
    now: Date.now,
  };
  return { config, region, probe };
}

interface ShardCall {
  id: number;
  event: unknown;
}
/** `cpuMs`: the worker process's CPU since it started (its requests overlap: no per-request figure). */
type ShardReply = { id: number; cpuMs: number } & ({ round: unknown } | { error: string });

function cpuMsSoFar(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** A shard worker process: the shard worker use case, one request a message, answered by id. */
async function serveShards(): Promise<void> {
  const urls = JSON.parse(process.env.FANOUT_STAND_INS ?? "{}") as StandIns;
  const worker = await shardWorker(urls);
  process.on("message", (call: ShardCall) => {
    const reply = (outcome: { round: unknown } | { error: string }) =>
      process.send?.({ id: call.id, cpuMs: cpuMsSoFar(), ...outcome } satisfies ShardReply);
    void probeShardRequest(worker, call.event).then(
      (round) => reply({ round }),
      (error: unknown) => reply({ error: String(error) }),
    );
  });
  process.send?.({ cpuMs: cpuMsSoFar() });
  process.on("disconnect", () => process.exit(0));
}

/** Starts `count` shard worker processes; `invoke` sends a shard request to one (by shard index). */
async function startWorkers(urls: StandIns, count: number) {
  // Each worker's CPU since it started, as its last message said (exact between rounds: it idles).
  const cpuByWorker: number[] = [];
  const children = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const child = fork(fileURLToPath(import.meta.url), ["--shard-worker"], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, FANOUT_STAND_INS: JSON.stringify(urls) },
      });
      await new Promise<void>((ready, failed) => {
        child.once("message", (hello: { cpuMs: number }) => {
          cpuByWorker[index] = hello.cpuMs;
          ready();
        });
        child.once("exit", (code) => failed(new Error(`shard worker exited with ${code}`)));
      });
      return child;
    }),
  );
  const pending = new Map<number, (reply: ShardReply) => void>();
  children.forEach((child, index) => {
    child.on("message", (reply: ShardReply) => {
      cpuByWorker[index] = Math.max(cpuByWorker[index] ?? 0, reply.cpuMs);
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
  });
  let next = 0;
  return {
    children,
    /** CPU the workers have used, ms. */
    cpuMs: () => cpuByWorker.reduce((n, ms) => n + ms, 0),
    invoke(event: { shard: number }): Promise<unknown> {
      const id = next++;
      const child = children[event.shard % children.length] as ChildProcess;
      return new Promise((resolve, reject) => {
        pending.set(id, (reply) =>
          "round" in reply ? resolve(reply.round) : reject(new Error(reply.error)),
        );
        child.send({ id, event } satisfies ShardCall);
      });
    },
  };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), "--stand-ins"], {
    execArgv: ["--import", "tsx"],
  });
  const lambda = await LambdaStandIn.start();
  const spawned: ChildProcess[] = [];
  const client = new LambdaClient({
    region,
    endpoint: lambda.url,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
    maxAttempts: 1,
  });
  try {
    const urls = await new Promise<StandIns>((resolve, reject) => {
      child.once("message", (message) => resolve(message as StandIns));
      child.once("exit", (code) => reject(new Error(`stand-ins exited with ${code}`)));
    });
    const config = benchConfig(urls);
    // In-process: the coordinator probes each shard itself. Through Lambda: each shard request goes
    // through the stand-in to a worker process, like the deployed fan-out's worker instances.
    const shards = probeShards(config);
    // As deployed: a region of one shard is probed by the coordinator itself, never invoked.
    const workers =
      args.via === "lambda" && shards.length > 1 ? await startWorkers(urls, args.workers) : undefined;
    if (workers) for (const child of workers.children) spawned.push(child);
    lambda.define(workerName, (event) => {
      if (!workers) throw new Error("no shard workers");
      return workers.invoke(event as { shard: number });
    });
    const prober: ShardProber = workers
      ? new LambdaShardProber({ functionName: workerName, region, client })
      : await (async () => {
          const worker = await shardWorker(urls);
          return inProcessProber(worker.config, { ...worker.probe, region });
        })();
    const fanout = probeFanout(config);
    const deps: ProbeRoundDeps = {
      config,
      region,
      prober,
      shards,
      store: new InMemoryStore(),
      trackers: createTrackerMemory(),
      // No regionHealth: the stand-ins play the vendors, not the region's canaries.
      evaluator: { wake: async () => undefined },
      clock: { now: Date.now },
    };
    const cadenceMs = config.policy.cadenceSeconds * 1000;
    const warm = await measure(() => probeRound(deps, Date.now()), workers?.cpuMs);
    const measured = await measure(() => probeRound(deps, Date.now() + cadenceMs), workers?.cpuMs);
    const report = measured.value;
    // The largest shard again, alone: what its worker takes when nothing else shares the machine's
    // CPU, as each deployed worker has its own (Lambda gives every instance its share of a vCPU).
    const largest = shards.reduce((a, b) => (b.sites.length > a.sites.length ? b : a));
    const alone = await measure(
      () => prober.probe(largest, Date.now() + 2 * cadenceMs, new AbortController().signal),
      workers?.cpuMs,
    );
    const failed = report.results.filter((r) => !r.ok);
    const silent = report.shards.filter((s) => s.kind === "silent");
    const latencies = report.results.map((r) => r.latencyMs).sort((a, b) => a - b);
    const shardSizes = report.shards.map((s) => s.shard.sites.length);
    const figures = {
      workload: `1 region, 1 round of ${args.sites} sites x (Okta + Entra) x (discovery, keys, token) = ${report.results.length} probes; stand-ins answer ${args.latencyMs} ms late over HTTPS; shards ${workers ? `invoked through the Lambda stand-in, answered by ${args.workers} worker process(es)` : "in this process"}, all on this machine (${availableParallelism()} cores, shared)`,
      sites: args.sites,
      probes: report.results.length,
      shards: report.shards.length,
      sitesPerShard: { min: Math.min(...shardSizes), max: Math.max(...shardSizes) },
      roundSeconds: seconds(measured.wallMs),
      cadenceSeconds: config.policy.cadenceSeconds,
      withinCadence: measured.wallMs <= cadenceMs,
      cpuSeconds: seconds(measured.cpuMs),
      cpuMsPerProbe: round2(measured.cpuMs / Math.max(1, report.results.length)),
      /** This process: the round's use case, the Lambda client, and the stand-in's side of Invoke. */
      coordinatorCpuSeconds: seconds(measured.coordinatorCpuMs),
      probeLatencyMs: { p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), max: pct(latencies, 1) },
      failedProbes: failed.length,
      silentShards: silent.length,
      firstRound: { roundSeconds: seconds(warm.wallMs), cpuSeconds: seconds(warm.cpuMs) },
      largestShardAlone: {
        sites: largest.sites.length,
        probes: alone.value.results.length,
        seconds: seconds(alone.wallMs),
        cpuSeconds: seconds(alone.cpuMs),
      },
      model: {
        shards: fanout.shards,
        roundSeconds: seconds(fanout.roundMs),
        shardMemoryMb: fanout.proberMemoryMb,
      },
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    } else {
      const f = figures;
      process.stdout.write(
        `workload: ${f.workload}\n` +
          `round: ${f.roundSeconds} s against a ${f.cadenceSeconds} s cadence (${f.withinCadence ? "within" : "OVER"}); ` +
          `${f.shards} shards of ${f.sitesPerShard.min}-${f.sitesPerShard.max} sites; ${f.probes} probes, ${f.failedProbes} failed, ${f.silentShards} silent shards\n` +
          `CPU: ${f.cpuSeconds} s for the round (${f.cpuMsPerProbe} ms a probe, coordinator and workers together; the coordinator's part ${f.coordinatorCpuSeconds} s); ` +
          `probe latency p50 ${f.probeLatencyMs.p50} ms, p95 ${f.probeLatencyMs.p95} ms, max ${f.probeLatencyMs.max} ms\n` +
          `first round (cold connections and tokens): ${f.firstRound.roundSeconds} s, CPU ${f.firstRound.cpuSeconds} s\n` +
          `the largest shard alone (${f.largestShardAlone.sites} sites, ${f.largestShardAlone.probes} probes): ${f.largestShardAlone.seconds} s, CPU ${f.largestShardAlone.cpuSeconds} s\n` +
          `model (deployment-sizing.ts): ${f.model.shards} shards at ${f.model.shardMemoryMb} MB, a round of ${f.model.roundSeconds} s on Lambda\n`,
      );
    }
    if (failed.length > 0) {
      process.stderr.write(`first failure: ${JSON.stringify(failed[0])}\n`);
      process.exitCode = 1;
    }
    if (silent.length > 0 || !figures.withinCadence) process.exitCode = 1;
  } finally {
    client.destroy();
    await lambda.close();
    for (const process of [child, ...spawned]) stop(process);
  }
}

/** Wall time and CPU (this process's, and the workers' when they report theirs) of `work`. */
async function measure<T>(
  work: () => Promise<T>,
  workersCpuMs: () => number = () => 0,
): Promise<{ value: T; wallMs: number; cpuMs: number; coordinatorCpuMs: number }> {
  globalThis.gc?.();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const workersBefore = workersCpuMs();
  const value = await work();
  const used = process.cpuUsage(cpu);
  const coordinatorCpuMs = (used.user + used.system) / 1000;
  const cpuMs = coordinatorCpuMs + workersCpuMs() - workersBefore;
  return { value, wallMs: performance.now() - started, cpuMs, coordinatorCpuMs };
}

function benchConfig(urls: StandIns) {
  const tenants = ids("tenant");
  const openId = ["oidc-discovery", "jwks", "token"] as const;
  const parsed = parseConfig({
    sites: ids("aus").map((authorizationServer, i) => ({
      id: `site-${String(i).padStart(4, "0")}`,
      hostname: `login${i}.example.com`,
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      providers: [
        oktaStandInProvider(urls.okta, { authorizationServer, probes: openId }),
        entraStandInProvider(urls.entra, { ...(tenants[i] ? { tenantId: tenants[i] } : {}), probes: openId }),
      ],
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues.slice(0, 3)));
  return parsed.config;
}

function stop(child: ChildProcess): void {
  if (child.connected) child.disconnect();
  setTimeout(() => child.kill(), 2000).unref();
}

function pct(sorted: number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
