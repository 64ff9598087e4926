import type { ProbeRound } from "@idp-failover/core";
import { probeShardRequest } from "@idp-failover/orchestration/probe-shard";
import { deployment } from "../wiring/deployment.js";
import { createLogger, lambdaHandler } from "../wiring/observability.js";
import { probeShardPorts } from "../wiring/probe-ports.js";

/*
 * probe-shard: one function per probe region, deployed when the region's sites are split into shards
 * (core's `probeFanout`). The region's probe function invokes it once per shard and round
 * (RequestResponse) and records what it answers; it probes the shard's sites and writes nothing. It
 * logs no line a round: the probe function logs the whole round's summary, and each silent shard with
 * its error. An error here makes only this shard's sites silent for the round.
 */

const logger = createLogger();
let ports: ReturnType<typeof probeShardPorts> | undefined;

export const handler = lambdaHandler({ logger }, async (event: unknown): Promise<ProbeRound> => {
  ports ??= probeShardPorts(deployment());
  await ports.ready;
  return probeShardRequest(ports.deps, event);
});
