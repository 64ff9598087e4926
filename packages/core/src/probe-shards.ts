import * as z from "./zod-mini.js";

/*
 * The fan-out of a region's probe round: the sites are split into shards that probe side by side, so
 * a round of a thousand sites fits in the cadence (how many shards: `probeFanout` in
 * deployment-sizing.ts; how they run: docs/probes.md, "Fan-out").
 *
 * A site's shard is chosen by rendezvous hashing on its id: of the shards 0..count-1, the one whose
 * hash with the site's id is highest. The choice depends on the site's id and the count only, never
 * on the other sites or their order, so adding or removing a site moves no other site; and when the
 * count changes, only the sites the new layout must move do move (about 1 in count+1 when it grows by
 * one). A shard that falls silent takes only its own sites stale: each shard's heartbeat speaks for
 * the sites it covers (record-round.ts).
 */

export interface ProbeShard {
  /** 0-based. */
  index: number;
  /** How many shards the region's sites are split into. */
  count: number;
  /** The ids of the sites this shard probes, in config order. */
  sites: string[];
}

/**
 * What the probe function asks a shard's worker: probe these sites of this region at round start
 * `at` (the site ids travel with it, so a worker never needs to agree on the layout).
 */
export const shardRequestSchema = z.object({
  region: z.string().check(z.minLength(1)),
  at: z.number().check(z.int(), z.nonnegative()),
  shard: z.number().check(z.int(), z.nonnegative()),
  shards: z.number().check(z.int(), z.positive()),
  sites: z.array(z.string()),
});
export type ShardRequest = z.infer<typeof shardRequestSchema>;

export function shardRequest(region: string, shard: ProbeShard, at: number): ShardRequest {
  return { region, at, shard: shard.index, shards: shard.count, sites: shard.sites };
}

/** The shard (0-based) a site belongs to when a region's sites are split into `count`. */
export function shardOf(siteId: string, count: number): number {
  if (count <= 1) return 0;
  let best = 0;
  let bestScore = -1;
  for (let index = 0; index < count; index++) {
    const score = mix(fnv1a(`${index}\u0000${siteId}`));
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return best;
}

/** Every shard of a layout of `count`, each with its sites (a shard may be empty when sites are few). */
export function assignShards(siteIds: readonly string[], count: number): ProbeShard[] {
  const shards: ProbeShard[] = Array.from({ length: Math.max(1, count) }, (_, index) => ({
    index,
    count: Math.max(1, count),
    sites: [],
  }));
  for (const id of siteIds) shards[shardOf(id, count)]?.sites.push(id);
  return shards;
}

/**
 * The heartbeat item a region's shard writes (see record-round.ts): the region's name alone for a
 * region that is not split (the item it always had), `{region}#{index}/{count}` for a shard.
 */
export function heartbeatKey(heartbeat: { region: string; shard: number; shards: number }): string {
  return heartbeat.shards <= 1
    ? heartbeat.region
    : `${heartbeat.region}#${heartbeat.shard}/${heartbeat.shards}`;
}

/** How people read a shard: "shard 3 of 12". */
export function shardLabel(shard: Pick<ProbeShard, "index" | "count">): string {
  return `shard ${shard.index + 1} of ${shard.count}`;
}

/** FNV-1a, 32 bits: spreads ids well enough once mixed; a placement, not a secret. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** MurmurHash3's finalizer: every input bit moves every output bit, so near-equal ids land apart. */
function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
