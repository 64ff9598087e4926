import { describe, expect, it } from "vitest";
import { mapConcurrent } from "./map-concurrent.js";

describe("concurrency cap", () => {
  it("never has more than the cap in flight, and keeps the input order", async () => {
    // Prepare: each call waits until the test releases it.
    const releases: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const run = async (item: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return item * 10;
    };

    // Act: release calls one by one, as fast as they start.
    const mapping = mapConcurrent([1, 2, 3, 4, 5, 6, 7], 3, run);
    for (let released = 0; released < 7; released++) {
      while (releases.length === 0) await Promise.resolve();
      expect(inFlight).toBeLessThanOrEqual(3);
      releases.shift()?.();
    }
    const results = await mapping;

    // Assess
    expect(most).toBe(3);
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it("runs everything with a cap of zero or an empty list", async () => {
    // Act
    const capped = await mapConcurrent([1, 2], 0, async (n) => n + 1);
    const empty = await mapConcurrent([], 4, async (n: number) => n);

    // Assess
    expect(capped).toEqual([2, 3]);
    expect(empty).toEqual([]);
  });
});
