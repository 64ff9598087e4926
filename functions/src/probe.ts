import {
  createAwsAdapters,
  DynamoDataPlaneStore,
  EventBridgeEvaluatorTrigger,
  SqsProbeQueue,
} from "@idp-failover/aws";
import { createTrackerMemory, ProbeTicks, parseProbeTick } from "@idp-failover/core";
import {
  LatchReader,
  type ProbeWorkerDeps,
  probeWatchdog,
  runProbeTick,
  withDeadline,
} from "@idp-failover/orchestration";
import { createProbeMemory, prepareRound, resolvePublicly, runRegionRound } from "@idp-failover/probes";
import type { Context, SQSEvent } from "aws-lambda";
import { deployment, required } from "../wiring/deployment.js";
import { createLogger, createMetrics, MetricUnit, metricNames } from "../wiring/observability.js";

/*
 * probe: one function per probe region, reserved concurrency 1. An SQS message is one tick of the
 * chain (see probe-worker.ts); the one-minute CronV2 invocation is the watchdog that re-seeds it.
 */

const logger = createLogger();
const metrics = createMetrics();
let deps: ProbeWorkerDeps | undefined;
let prepared: Promise<void> | undefined;

function wire(): ProbeWorkerDeps {
  const { config, home, region, dataPlaneTable, probeQueueUrl, secret } = deployment();
  const homeAdapters = createAwsAdapters(home);
  const memory = createProbeMemory();
  return {
    config,
    region,
    ticks: new ProbeTicks(),
    queue: new SqsProbeQueue({ queueUrl: required(probeQueueUrl, "the probe queue") }),
    runRound: (at) => runRegionRound(config, { region, at, secrets: secret, memory }),
    home: homeAdapters.store,
    latches: new LatchReader(homeAdapters.store, 30_000, (site, error) =>
      logger.warn("latch read failed", { site, error }),
    ),
    dataPlane: new DynamoDataPlaneStore({ tableName: required(dataPlaneTable, "the data-plane table") }),
    evaluator: new EventBridgeEvaluatorTrigger({
      eventBusName: home.eventBusName,
      client: homeAdapters.clients.eventbridge,
      region,
    }),
    now: Date.now,
    written: new Map(),
    trackers: createTrackerMemory(),
    resolvePublicly: (hostname, type) =>
      resolvePublicly(hostname, type, { servers: config.publicDns?.servers ?? [] }),
    dnsObserved: new Map(),
  };
}

export async function handler(event: SQSEvent | { kind?: string }, context: Context): Promise<void> {
  deps ??= wire();
  // Loads the vendor SDKs the config's probes need (the Okta SDK takes ~1 s) once, at cold start.
  prepared ??= prepareRound(deps.config);
  await prepared;
  if (!("Records" in event)) {
    logger.info("watchdog", { chain: await probeWatchdog(deps) });
    return;
  }
  for (const record of event.Records) {
    const tick = parseProbeTick(record.body);
    if (!tick) {
      logger.error("dropping a malformed tick message", { body: record.body.slice(0, 200) });
      continue;
    }
    // Errors are logged, never thrown: a retried message would start a second chain.
    const report = await withDeadline(
      runProbeTick(deps, tick.tick),
      context.getRemainingTimeInMillis() - 3_000,
      "probe round",
    ).catch((error: unknown) => logger.error("probe round failed", { tick: tick.tick, error }));
    if (!report || report.kind === "duplicate") continue;
    for (const r of report.round.results)
      metrics.addMetric(metricNames.probeLatency, MetricUnit.Milliseconds, r.latencyMs);
    if (report.changes > 0)
      metrics.addMetric(metricNames.regionVerdictChanges, MetricUnit.Count, report.changes);
    if (report.wakeError) logger.warn("could not wake the evaluator", { error: report.wakeError });
    metrics.publishStoredMetrics();
  }
}
