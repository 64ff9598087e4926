import { InMemoryMessageRefs, InMemoryStore, type SiteState } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../packages/runtime/src/dashboard/dashboard-snapshot.js";
import { drillConfig } from "../../packages/runtime/src/drill/drill-config.js";
import { idleDrillIdps } from "../support/drill-idps.js";

/*
 * The dashboard's snapshot, built from a store and the Slack message refs (in memory): a pending
 * failback request can be approved from the dashboard once its message is in Slack, as in Slack.
 */

const config = drillConfig(idleDrillIdps);
const now = Date.parse("2026-03-02T09:10:00Z");

const pending: SiteState = {
  site: "example",
  version: 7,
  state: "failback-pending",
  since: "2026-03-02T09:05:00.000Z",
  active: "entra",
  weights: { okta: 0, entra: 100 },
  observed: {},
  alerts: {},
  approval: {
    id: "example.a1",
    requestedAt: "2026-03-02T09:05:00.000Z",
    expiresAt: "2026-03-02T13:05:00.000Z",
  },
};

async function snapshotOf(refs: InMemoryMessageRefs) {
  const store = new InMemoryStore();
  await store.saveState(pending, 0);
  return buildSnapshot({
    kind: "drill",
    title: "drill",
    config,
    store,
    refs,
    clock: { now: () => now },
    recent: () => [],
    lastRound: () => undefined,
    approval: { as: "U0DRILLOPS" },
  });
}

describe("the dashboard's snapshot", () => {
  it("offers a pending failback request for approval only once its message is posted in Slack", async () => {
    // Prepare
    const refs = new InMemoryMessageRefs();

    // Act
    const before = await snapshotOf(refs);
    await refs.remember("example", "approval:example.a1", { channel: "C0IDPFAIL", ts: "1700000000.000100" });
    const after = await snapshotOf(refs);

    // Assess
    expect(before.sites[0]?.state?.approval).toEqual({ ...pending.approval, inSlack: false });
    expect(after.sites[0]?.state?.approval).toEqual({ ...pending.approval, inSlack: true });
    expect(after.sites[0]?.state).toMatchObject({
      name: "failback-pending",
      weights: { okta: 0, entra: 100 },
    });
  });

  it("shows every region as stale before any round, under each provider", async () => {
    // Act
    const snapshot = await snapshotOf(new InMemoryMessageRefs());

    // Assess
    const grid = snapshot.sites[0]?.providers.map((p) => [p.id, p.regions.map((r) => r.verdict)]);
    expect(grid).toEqual([
      ["okta", ["stale", "stale", "stale"]],
      ["entra", ["stale", "stale", "stale"]],
    ]);
  });
});
