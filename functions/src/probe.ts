import { probeWatchdog, runProbeMessage } from "@idp-failover/orchestration/probe-round";
import type { Context, SQSEvent } from "aws-lambda";
import { deployment } from "../wiring/deployment.js";
import { createLogger, createMetrics, lambdaHandler } from "../wiring/observability.js";
import { probeRegionPorts } from "../wiring/probe-ports.js";
import { recordProbeMessage } from "../wiring/telemetry.js";

/*
 * probe: one function per probe region, reserved concurrency 1. An SQS message is one tick of the
 * chain (packages/orchestration/src/probe-round.ts): it probes the region's sites itself, or, when
 * they are split into shards, invokes the region's probe-shard function once per shard and records
 * what they answer. The one-minute CronV2 invocation is the watchdog that re-seeds the chain.
 */

const logger = createLogger();
const metrics = createMetrics(logger);
let region: ReturnType<typeof probeRegionPorts> | undefined;

export const handler = lambdaHandler(
  { logger, metrics },
  async (event: SQSEvent | { kind?: string }, context: Context) => {
    region ??= probeRegionPorts(deployment(), logger);
    await region.ready;
    if (!("Records" in event)) {
      logger.info("watchdog", { chain: await probeWatchdog(region.deps) });
      return;
    }
    const budgetMs = context.getRemainingTimeInMillis() - 3_000;
    for (const record of event.Records)
      recordProbeMessage(await runProbeMessage(region.deps, record.body, budgetMs), logger, metrics);
  },
);
