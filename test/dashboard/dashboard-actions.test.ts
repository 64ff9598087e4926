import {
  FakeClock,
  InMemoryMessageRefs,
  InMemoryStore,
  inMemoryEvaluatorDeps,
  localOperator,
  type Operator,
  verifiedOperator,
} from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { controlActions } from "../../packages/runtime/src/dashboard/dashboard-actions.js";
import { drillConfig } from "../../packages/runtime/src/drill/drill-config.js";
import { LoopFeed } from "../../packages/runtime/src/loop/loop-feed.js";
import { idleDrillIdps } from "../support/drill-idps.js";

/*
 * The dashboard's buttons on the real use case (`commandSite`) over in-memory ports: freeze and
 * unfreeze are operator commands audited under the operator's identity, each outcome goes on the timeline
 * and wakes the loop; without a Slack signing path, Approve failback says why it cannot.
 */

const config = drillConfig(idleDrillIdps);

function dashboard(operator: Operator = localOperator("ana")) {
  const clock = new FakeClock(Date.parse("2026-03-02T09:00:00Z"));
  const store = new InMemoryStore();
  const deps = inMemoryEvaluatorDeps(store, clock);
  const feed = new LoopFeed(clock);
  let pokes = 0;
  const actions = controlActions({
    config,
    deps,
    refs: new InMemoryMessageRefs(),
    feed,
    approval: { kind: "unavailable", reason: "SLACK_SIGNING_SECRET is not set: the click cannot be signed" },
    operator,
    poke: () => {
      pokes += 1;
    },
  });
  return { actions, store, feed, pokes: () => pokes };
}

describe("the dashboard's controls", () => {
  it("freeze and unfreeze the site as the operator, on the timeline, waking the loop each time", async () => {
    // Prepare
    const { actions, store, feed, pokes } = dashboard();

    // Act
    const frozen = await actions.freeze("example", "maintenance on the IdPs");
    const stateWhileFrozen = (await store.loadState("example"))?.state;
    const again = await actions.freeze("example", "twice");
    const unfrozen = await actions.unfreeze("example", "maintenance done");

    // Assess
    expect(frozen).toEqual({ ok: true, message: "example is frozen" });
    expect(stateWhileFrozen?.frozen).toMatchObject({ by: "local:ana", reason: "maintenance on the IdPs" });
    expect(again.ok).toBe(false);
    expect(again.message).toMatch(/^freeze refused: /);
    expect(unfrozen).toEqual({ ok: true, message: "example is primary-active" });
    expect(feed.all().map((e) => e.text)).toEqual([
      "local:ana [unverified] froze the site: maintenance on the IdPs",
      again.message,
      "local:ana [unverified] unfroze the site: maintenance done",
    ]);
    expect(pokes()).toBe(3);
  });

  it("record a local operator as unverified in the audit trail", async () => {
    // Prepare
    const { actions, store } = dashboard(localOperator("ana"));

    // Act
    await actions.freeze("example", "maintenance");

    // Assess
    const [record] = await store.listAudit("example", 0, Date.parse("2027-01-01T00:00:00Z"));
    expect(record).toMatchObject({ actor: "local:ana", identity: { verifiedBy: "none", localUser: "ana" } });
  });

  it("record the AWS identity behind a dashboard on AWS, with the display name beside it", async () => {
    // Prepare
    const arn = "arn:aws:sts::123456789012:assumed-role/Oncall/alice";
    const operator = verifiedOperator({ arn, account: "123456789012", userId: "AROAEXAMPLE:alice" }, "Alice");
    const { actions, store, feed } = dashboard(operator);

    // Act
    await actions.freeze("example", "maintenance");

    // Assess
    const [record] = await store.listAudit("example", 0, Date.parse("2027-01-01T00:00:00Z"));
    expect(record).toMatchObject({
      actor: `operator:${arn}`,
      identity: { verifiedBy: "sts", arn, account: "123456789012" },
      displayName: "Alice",
    });
    expect(feed.all()[0]?.text).toBe(`operator:${arn} (Alice) froze the site: maintenance`);
  });

  it("refuse a site the config does not have", async () => {
    // Prepare
    const { actions, feed } = dashboard();

    // Act
    const answer = await actions.freeze("elsewhere", "maintenance");

    // Assess
    expect(answer).toEqual({ ok: false, message: "no site elsewhere" });
    expect(feed.all()).toEqual([]);
  });

  it("say why Approve failback cannot be pressed when there is no Slack signing path", async () => {
    // Prepare
    const { actions, pokes } = dashboard();

    // Act
    const answer = await actions.approve("example", "example.a1");

    // Assess
    expect(answer).toEqual({
      ok: false,
      message: "SLACK_SIGNING_SECRET is not set: the click cannot be signed",
    });
    expect(pokes()).toBe(0);
  });
});
