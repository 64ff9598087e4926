/*
 * bench/status: many sites at a glance, 1,000 sites against DynamoDB (dynalite, in this process).
 *
 * Each site has two providers probed from three regions and has been evaluated once (its state item
 * exists); 10 of them failed over. Then, as an operator would:
 *   idpctl status          every site in one line, trouble first (readSiteOverview + formatOverview);
 *   dashboard page 1       the dashboard's snapshot: every site read for the order, 12 in full.
 * For each: wall time, CPU of the whole process (dynalite included), and DynamoDB calls per site
 * counted by an SDK middleware (logical calls; SDK retries not counted).
 */

import { DynamoStore } from "@idp-failover/aws";
import { evaluateSite, InMemoryMessageRefs, inMemoryEvaluatorDeps, mapConcurrent } from "@idp-failover/core";
import { testConfig, testTrackers } from "@idp-failover/core/testing";
import { readSiteOverview } from "@idp-failover/orchestration";
import { formatOverview } from "../packages/cli/src/commands/status.js";
import { buildSnapshot } from "../packages/runtime/src/dashboard/dashboard-snapshot.js";
import { countCommands, startDynalite } from "../test/aws/dynalite.js";

const siteCount = 1000;
const failedOver = 10;
const t0 = Date.parse("2026-12-04T12:00:10.000Z");

const config = testConfig({
  // 1,000 sites need 4,000 Route 53 health checks: an account with a raised quota.
  dataPlane: { healthCheckQuota: 10_000 },
  sites: Array.from({ length: siteCount }, (_, i) => `site-${i}`),
  policy: { staleAfterSeconds: 86_400 },
});

async function main(): Promise<void> {
  const dynamo = await startDynalite("bench-status");
  const client = dynamo.client();
  const calls = countCommands(client);
  const store = new DynamoStore({ tableName: dynamo.tableName, client });
  // The views read at one moment: a clock that stays there.
  const clock = { now: () => t0 };
  const deps = inMemoryEvaluatorDeps(store, clock, { insyncAfterMs: 0 });

  // Prepare: trackers everywhere, one evaluation per site (the last sites' okta down: they fail over).
  await mapConcurrent(config.sites, 32, async (site) => {
    const down = Number(site.id.slice(5)) >= siteCount - failedOver;
    for (const tracker of testTrackers(site.id, t0, { okta: down })) await store.saveTracker(tracker);
    await evaluateSite(deps, config, site.id);
  });

  const measure = async (work: () => Promise<void>) => {
    calls.clear();
    const cpu = process.cpuUsage();
    const start = performance.now();
    await work();
    const used = process.cpuUsage(cpu);
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const detail = [...calls.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op.replace("Command", "")} ${n}`)
      .join(", ");
    return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, total, detail };
  };

  let lines = 0;
  let first = "";
  const status = await measure(async () => {
    const summaries = await readSiteOverview({ store }, config, { now: t0 });
    const text = formatOverview(summaries);
    lines = text.split("\n").length;
    first = text.split("\n")[1] ?? "";
  });
  const dashboard = await measure(async () => {
    await buildSnapshot({
      kind: "run",
      title: "bench",
      config,
      store,
      refs: new InMemoryMessageRefs(),
      clock,
      recent: () => [],
      lastRound: () => undefined,
      approval: { as: "U0BENCH" },
    });
  });
  client.destroy();
  await dynamo.close();

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `many sites at a glance: ${siteCount.toLocaleString("en")} sites (2 providers x 3 regions each, ${failedOver} failed over), DynamoDB on dynalite in this process (CPU includes dynalite's)\n`,
  );
  process.stdout.write(
    `  ${"view".padEnd(18)} ${"wall".padStart(8)} ${"cpu".padStart(8)}  calls/site  calls\n`,
  );
  for (const [name, m] of [
    ["idpctl status", status],
    ["dashboard page 1", dashboard],
  ] as const) {
    process.stdout.write(
      `  ${name.padEnd(18)} ${s(m.wallMs).padStart(8)} ${s(m.cpuMs).padStart(8)}  ${(m.total / siteCount).toFixed(3).padStart(10)}  ${m.detail}\n`,
    );
  }
  process.stdout.write(
    `status printed ${lines} lines; the first site: ${first.replace(/\s+/g, " ").slice(0, 90)}\n`,
  );
}

await main();
