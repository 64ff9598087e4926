/*
 * bench/evaluator: one evaluator cycle over 1,000 sites against DynamoDB (dynalite, in this process).
 *
 * Each site has two providers probed from three regions. Three cycles, each the evaluate function's
 * pass over every site (`evaluateSites`: the probe regions' heartbeats read once, 32 sites at a time):
 *   steady          nothing changed since the last cycle (the common case): the decision is "hold";
 *   minute closes   the clock passed a minute: each site writes its minute rollups;
 *   mass failover   the primary is down everywhere: every site fails over (DNS in memory).
 * For each: wall time, CPU of the whole process (dynalite included, as it runs here), and DynamoDB
 * calls per site counted by an SDK middleware (logical calls; SDK retries not counted). The core's
 * share is the same cycles on the in-memory adapters: verdicts, decisions, rollups and the evaluator's
 * bookkeeping without any I/O. Peak memory is sampled during the DynamoDB cycles.
 */

import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoNotificationOutbox, DynamoStore, tableDefinition } from "@idp-failover/aws";
import {
  type Config,
  type DnsWeights,
  FakeClock,
  InMemoryDns,
  InMemoryEvents,
  InMemoryOutbox,
  InMemoryStore,
  mapConcurrent,
  type NotificationOutbox,
  notificationChannels,
  OutboxNotifier,
  type Store,
} from "@idp-failover/core";
import { testConfig, testTracker } from "@idp-failover/core/testing";
import { evaluateSites } from "@idp-failover/orchestration/evaluate-sites";
import { countCommands } from "../test/aws/dynalite.js";

const siteCount = 1000;
const concurrency = 32;
const regions = ["us-east-1", "us-west-2", "eu-west-1"];
const t0 = Date.parse("2026-03-01T12:00:10.000Z");

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;

/** `siteCount` sites of the shared test config; trackers are written once, so they stay fresh all run. */
function benchConfig(): Config {
  return testConfig({
    // 1,000 sites need 4,000 Route 53 health checks: an account with a raised quota.
    dataPlane: { healthCheckQuota: 10_000 },
    sites: Array.from({ length: siteCount }, (_, i) => `site-${i}`),
    regions,
    policy: { staleAfterSeconds: 86_400 },
  });
}

interface World {
  store: Store;
  outbox: NotificationOutbox;
  dns: DnsWeights;
  clock: FakeClock;
}

async function setHealth(config: Config, world: World, oktaDown: boolean, at: number): Promise<void> {
  const up = testTracker(at, false, config.policy);
  const okta = testTracker(at, oktaDown, config.policy);
  await mapConcurrent(config.sites, 64, async (site) => {
    for (const region of regions) {
      await world.store.saveTracker({ site: site.id, provider: "okta", region, tracker: okta });
      await world.store.saveTracker({ site: site.id, provider: "entra", region, tracker: up });
    }
  });
}

async function cycle(config: Config, world: World): Promise<void> {
  const deps = {
    store: world.store,
    dns: world.dns,
    events: new InMemoryEvents(),
    notifier: new OutboxNotifier(world.outbox, notificationChannels(config), world.clock),
    clock: world.clock,
  };
  // The evaluate function's pass (the heartbeats read once for every site, then each site).
  const outcomes = await evaluateSites(
    deps,
    config,
    config.sites.map((site) => site.id),
    concurrency,
  );
  const failed = outcomes.find((o) => "error" in o);
  if (failed && "error" in failed) throw failed.error;
}

interface Measure {
  wallMs: number;
  cpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/** The three cycles, after a first cycle that creates every site's state. */
async function runCycles(
  config: Config,
  world: World,
  observe: (name: string, work: () => Promise<void>) => Promise<Measure>,
): Promise<Record<string, Measure>> {
  await setHealth(config, world, false, t0);
  await cycle(config, world); // first evaluation: creates the state items
  world.clock.advance(5_000);
  const out: Record<string, Measure> = {};
  out.steady = await observe("steady", () => cycle(config, world));
  world.clock.advance(60_000);
  out["minute closes"] = await observe("minute closes", () => cycle(config, world));
  world.clock.advance(10_000);
  await setHealth(config, world, true, world.clock.now());
  out["mass failover"] = await observe("mass failover", () => cycle(config, world));
  return out;
}

async function main(): Promise<void> {
  const config = benchConfig();

  // The core's share: the same cycles on in-memory adapters.
  const memory = await runCycles(
    config,
    {
      store: new InMemoryStore({ keepResults: false }),
      outbox: new InMemoryOutbox(),
      dns: new InMemoryDns(new FakeClock(t0), 0),
      clock: new FakeClock(t0),
    },
    (_name, work) => measure(work),
  );

  // DynamoDB: dynalite in this process, the real SDK client with a call counter.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
  });
  const calls = countCommands(client);
  await client.send(new CreateTableCommand(tableDefinition("bench")));
  const clock = new FakeClock(t0);
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  const perCycle: Record<string, Map<string, number>> = {};
  globalThis.gc?.();
  const dynamo = await runCycles(
    config,
    {
      store: new DynamoStore({ tableName: "bench", client }),
      outbox: new DynamoNotificationOutbox({ tableName: "bench", client }),
      dns: new InMemoryDns(clock, 0),
      clock,
    },
    async (name, work) => {
      calls.clear();
      const measured = await measure(work);
      perCycle[name] = new Map(calls);
      return measured;
    },
  );
  clearInterval(sampler);
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `evaluator cycle over ${siteCount.toLocaleString("en")} sites (2 providers x 3 regions each), ${concurrency} sites at a time\n`,
  );
  process.stdout.write("DynamoDB (dynalite in this process; CPU includes dynalite's):\n");
  process.stdout.write(
    `  ${"cycle".padEnd(15)} ${"wall".padStart(8)} ${"cpu".padStart(8)}  calls/site  by operation\n`,
  );
  for (const [name, m] of Object.entries(dynamo)) {
    const ops = perCycle[name] ?? new Map<string, number>();
    const total = [...ops.values()].reduce((a, b) => a + b, 0);
    const detail = [...ops.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op.replace("Command", "")} ${(n / siteCount).toFixed(2)}`)
      .join(", ");
    process.stdout.write(
      `  ${name.padEnd(15)} ${s(m.wallMs).padStart(8)} ${s(m.cpuMs).padStart(8)}  ${(total / siteCount).toFixed(2).padStart(10)}  ${detail}\n`,
    );
  }
  process.stdout.write("core's share (same cycles on in-memory adapters; target < 2 s CPU per cycle):\n");
  for (const [name, m] of Object.entries(memory)) {
    process.stdout.write(`  ${name.padEnd(15)} ${s(m.wallMs).padStart(8)} ${s(m.cpuMs).padStart(8)}\n`);
  }
  // A fixed number a site: the pass reads the heartbeats once whatever the number of sites.
  const steady = [...(perCycle.steady ?? new Map<string, number>()).values()].reduce((a, b) => a + b, 0);
  const slowest = Math.max(...Object.values(memory).map((m) => m.cpuMs));
  process.stdout.write(
    `steady cycle: ${(steady / siteCount).toFixed(2)} DynamoDB calls a site (${steady} for ${siteCount.toLocaleString("en")} sites); ` +
      `core's slowest cycle ${s(slowest)} CPU (${slowest < 2000 ? "under" : "OVER"} the 2 s target)\n`,
  );
  if (slowest >= 2000) process.exitCode = 1;
  process.stdout.write(`peak memory during the DynamoDB cycles: rss ${mb(peakRss)}, heap ${mb(peakHeap)}\n`);
}

await main();
