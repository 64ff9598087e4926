import type { Logger } from "@aws-lambda-powertools/logger";
import {
  createAwsAdapters,
  DynamoDataPlaneStore,
  EventBridgeEvaluatorTrigger,
  SqsProbeQueue,
} from "@idp-failover/aws";
import { createTrackerMemory, ProbeTicks } from "@idp-failover/core";
import { LatchReader } from "@idp-failover/orchestration/latch-reader";
import type { ProbeTickDeps } from "@idp-failover/orchestration/probe-round";
import { createProbeMemory, prepareRound, resolvePublicly, runRegionRound } from "@idp-failover/probes";
import { type Deployment, required } from "./deployment.js";

/*
 * A probe region's ports, built once per cold start from the deployment (SST links, this region's
 * resources, linked secrets), on the wall clock. Apart from the home functions' ports, so the probe
 * bundle carries no Slack or report code.
 */

/** A probe region's ports: its tick queue and data-plane table, the home table and bus. */
export function probeRegionPorts(
  { config, home, region, dataPlaneTable, probeQueueUrl, secret }: Deployment,
  logger: Logger,
): { deps: ProbeTickDeps; ready: Promise<void> } {
  const homeAdapters = createAwsAdapters(home);
  const memory = createProbeMemory();
  const deps: ProbeTickDeps = {
    config,
    region,
    ticks: new ProbeTicks(),
    queue: new SqsProbeQueue({ queueUrl: required(probeQueueUrl, "the probe queue") }),
    runRound: (at) => runRegionRound(config, { region, at, secrets: secret, memory, now: Date.now }),
    store: homeAdapters.store,
    dataPlane: {
      latches: new LatchReader(homeAdapters.store, 30_000, (site, error) =>
        logger.warn("latch read failed", { site, error }),
      ),
      items: new DynamoDataPlaneStore({ tableName: required(dataPlaneTable, "the data-plane table") }),
      written: new Map(),
    },
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
  // Loads the vendor SDKs the config's probes need (the Okta SDK takes ~1 s) once, at cold start.
  return { deps, ready: prepareRound(config) };
}
