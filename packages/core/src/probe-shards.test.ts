import { describe, expect, it } from "vitest";
import { assignShards, heartbeatKey, shardOf } from "./probe-shards.js";

/* How a region's sites are split into shards: deterministic, and stable as sites come and go. */

const ids = (n: number, prefix = "customer") => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe("shard assignment", () => {
  it("puts every site in exactly one shard, the same one every time", () => {
    const sites = ids(300);
    const shards = assignShards(sites, 7);
    expect(shards.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(shards.flatMap((s) => s.sites).sort()).toEqual([...sites].sort());
    expect(assignShards([...sites].reverse(), 7).map((s) => s.sites.sort())).toEqual(
      shards.map((s) => s.sites.sort()),
    );
  });

  it("moves no site when sites are added or removed, only when the shard count changes", () => {
    // Prepare
    const before = ids(500);
    const after = [...before.slice(50), ...ids(80, "new")];
    const shardIn = (layout: ReturnType<typeof assignShards>, id: string) =>
      layout.find((shard) => shard.sites.includes(id))?.index;
    // Act
    const [old, grown] = [assignShards(before, 12), assignShards(after, 12)];
    const moved = after.filter((id) => before.includes(id) && shardIn(old, id) !== shardIn(grown, id));
    const movedByCount = before.filter((id) => shardOf(id, 12) !== shardOf(id, 13));
    // Assess: none with the count kept; with one more shard, about 1 in 13 (only to the new one).
    expect(moved).toEqual([]);
    expect(movedByCount.length).toBeGreaterThan(500 / 13 / 2);
    expect(movedByCount.length).toBeLessThan((500 / 13) * 2);
    expect(new Set(movedByCount.map((id) => shardOf(id, 13)))).toEqual(new Set([12]));
  });

  it("splits a thousand sites within a fifth of even", () => {
    const sizes = assignShards(ids(1000), 10).map((s) => s.sites.length);
    expect(Math.max(...sizes)).toBeLessThan(120);
    expect(Math.min(...sizes)).toBeGreaterThan(80);
  });

  it("keeps the one-region heartbeat item for a region that is not split", () => {
    expect(heartbeatKey({ region: "eu-west-1", shard: 0, shards: 1 })).toBe("eu-west-1");
    expect(heartbeatKey({ region: "eu-west-1", shard: 3, shards: 8 })).toBe("eu-west-1#3/8");
  });
});
