import { InMemoryStore, initialSiteState, type SiteState } from "@idp-failover/core";
import { testConfig, testSite } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { LatchReader } from "./latch-reader.js";

/* The latch a probe region writes into its data-plane items, read from the home region's state. */

const site = testSite(testConfig());
const t0 = Date.parse("2026-05-04T09:00:00Z");

function failedOver(version: number): SiteState {
  return {
    ...initialSiteState(site, t0),
    version,
    state: "secondary-active",
    active: "entra",
    weights: { okta: 0, entra: 100 },
  };
}

/** The home store, with a switch that makes every read fail (the home region unreachable). */
function homeStore() {
  const store = new InMemoryStore();
  const home = { reads: 0, down: false };
  const reader = {
    loadState: async (id: string) => {
      home.reads++;
      if (home.down) throw new Error("connect ETIMEDOUT dynamodb.us-east-1.amazonaws.com");
      return store.loadState(id);
    },
  };
  return { store, home, reader };
}

describe("LatchReader", () => {
  it("reads the home state at most once per period", async () => {
    // Prepare
    const { store, home, reader } = homeStore();
    await store.saveState(failedOver(1), 0);
    const latches = new LatchReader(reader, 30_000);

    // Act
    const first = await latches.state("acme", t0);
    await store.saveState({ ...failedOver(2), state: "failing-back", weights: { okta: 10, entra: 90 } }, 1);
    const cached = await latches.state("acme", t0 + 29_000);
    const reread = await latches.state("acme", t0 + 30_000);

    // Assess
    expect(first?.state).toBe("secondary-active");
    expect(cached?.state).toBe("secondary-active");
    expect(reread?.state).toBe("failing-back");
    expect(home.reads).toBe(2);
  });

  it("keeps the last state read while the home region cannot be read, and reports each failure", async () => {
    // Prepare
    const { store, home, reader } = homeStore();
    await store.saveState(failedOver(1), 0);
    const errors: string[] = [];
    const latches = new LatchReader(reader, 30_000, (id) => errors.push(id));
    await latches.state("acme", t0);

    // Act
    home.down = true;
    const during = await latches.state("acme", t0 + 60_000);
    const later = await latches.state("acme", t0 + 120_000);

    // Assess
    expect(during?.state).toBe("secondary-active");
    expect(later?.state).toBe("secondary-active");
    expect(errors).toEqual(["acme", "acme"]);
  });

  it("has no latch to offer when the home region was never read", async () => {
    const { home, reader } = homeStore();
    home.down = true;
    expect(await new LatchReader(reader).state("acme", t0)).toBeUndefined();
  });
});
