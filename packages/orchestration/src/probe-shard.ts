import { type Config, type ProbeRound, shardRequestSchema } from "@idp-failover/core";
import { type RegionRoundOptions, runRegionRound } from "@idp-failover/probes";

/*
 * A shard's worker (the probe fan-out, docs/probes.md "Fan-out"): the region's probe function asks it
 * to probe one shard of the region's sites at one round start, and it answers with the shard's round.
 * It writes nothing: the probe function records what every shard found, so the trackers, the
 * heartbeats and the evaluator's wake-ups stay in one place. The deployed worker is a Lambda invoked
 * synchronously (functions/src/probe-shard.ts); `npm run bench -- fanout` runs it in this process.
 */

export class ShardRequestError extends Error {
  override name = "ShardRequestError";
}

export interface ShardWorkerDeps {
  config: Config;
  /** The region this worker runs in: a request for another region is refused. */
  region: string;
  /** How it probes (secrets, the probe memory kept between rounds, the clock). */
  probe: Omit<RegionRoundOptions, "region" | "at" | "sites" | "providers" | "skipCanaries">;
}

/**
 * Probes the shard `event` names. A malformed request or one for another region throws (the invoker
 * sees a function error and takes the shard as silent); sites the worker's config does not know are
 * left out, so a coordinator running a newer config than its worker gets no heartbeat for that shard
 * and its sites go stale, rather than being reported healthy unprobed.
 */
export async function probeShardRequest(deps: ShardWorkerDeps, event: unknown): Promise<ProbeRound> {
  const parsed = shardRequestSchema.safeParse(event);
  if (!parsed.success) {
    throw new ShardRequestError(`not a shard request: ${parsed.error.message.slice(0, 300)}`);
  }
  const request = parsed.data;
  if (request.region !== deps.region) {
    throw new ShardRequestError(`a shard request for ${request.region} reached the worker in ${deps.region}`);
  }
  return runRegionRound(deps.config, {
    ...deps.probe,
    region: deps.region,
    at: request.at,
    sites: request.sites,
    // The probe function checks the region's canaries once a round, for every shard.
    skipCanaries: true,
  });
}
