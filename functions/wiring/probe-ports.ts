import type { Logger } from "@aws-lambda-powertools/logger";
import {
  createAwsAdapters,
  DynamoDataPlaneStore,
  EventBridgeEvaluatorTrigger,
  LambdaShardProber,
  SqsProbeQueue,
} from "@idp-failover/aws";
import {
  createTrackerMemory,
  dataPlaneSites,
  ProbeTicks,
  probeShards,
  type ShardProber,
} from "@idp-failover/core";
import { LatchReader } from "@idp-failover/orchestration/latch-reader";
import type { ProbeTickDeps } from "@idp-failover/orchestration/probe-round";
import type { ShardWorkerDeps } from "@idp-failover/orchestration/probe-shard";
import {
  createProbeMemory,
  inProcessProber,
  prepareRound,
  regionHealthCheck,
  resolvePublicly,
} from "@idp-failover/probes";
import { type Deployment, required } from "./deployment.js";

/*
 * A probe region's ports, built once per cold start from the deployment (SST links, this region's
 * resources, linked secrets), on the wall clock. Apart from the home functions' ports, so the probe
 * bundle carries no Slack or report code. The probe function probes its region's sites itself while
 * they are one shard, and invokes the region's shard worker once per shard when they are split
 * (core's `probeFanout`; the stacks deploy the worker from the same config).
 */

/** A probe region's ports: its tick queue and data-plane table, the home table and bus. */
export function probeRegionPorts(
  { config, home, region, dataPlaneTable, probeQueueUrl, probeShardFunction, secret, redactor }: Deployment,
  logger: Logger,
): { deps: ProbeTickDeps; ready: Promise<void> } {
  const homeAdapters = createAwsAdapters({ ...home, redactor });
  const shards = probeShards(config);
  const prober: ShardProber =
    shards.length > 1
      ? new LambdaShardProber({
          functionName: required(probeShardFunction, "the probe shard worker function"),
          region,
        })
      : inProcessProber(config, { region, secrets: secret, memory: createProbeMemory(), now: Date.now });
  const deps: ProbeTickDeps = {
    config,
    region,
    ticks: new ProbeTicks(),
    queue: new SqsProbeQueue({ queueUrl: required(probeQueueUrl, "the probe queue") }),
    prober,
    shards,
    regionHealth: regionHealthCheck(config, { region, now: Date.now }),
    store: homeAdapters.store,
    // Only a deployment with a data plane has the table (the stacks deploy it for such sites).
    ...(dataPlaneSites(config).length > 0
      ? {
          dataPlane: {
            latches: new LatchReader(homeAdapters.store, 30_000, (site, error) =>
              logger.warn("latch read failed", { site, error }),
            ),
            items: new DynamoDataPlaneStore({ tableName: required(dataPlaneTable, "the data-plane table") }),
            written: new Map(),
          },
        }
      : {}),
    trackers: createTrackerMemory(),
    publicDns: {
      resolve: (hostname, type) =>
        resolvePublicly(hostname, type, { servers: config.publicDns?.servers ?? [] }),
      observed: new Map(),
    },
    evaluator: new EventBridgeEvaluatorTrigger({
      eventBusName: home.eventBusName,
      client: homeAdapters.clients.eventbridge,
      region,
    }),
    clock: { now: Date.now },
  };
  // Loads the vendor SDKs the config's probes need (the Okta SDK takes ~1 s) once, at cold start;
  // a coordinator probes nothing itself.
  return { deps, ready: shards.length > 1 ? Promise.resolve() : prepareRound(config) };
}

/** A shard worker's ports: what it probes with. It writes nothing (its probe function records). */
export function probeShardPorts({ config, region, secret }: Deployment): {
  deps: ShardWorkerDeps;
  ready: Promise<void>;
} {
  const deps = { config, region, probe: { secrets: secret, memory: createProbeMemory(), now: Date.now } };
  return { deps, ready: prepareRound(config) };
}
