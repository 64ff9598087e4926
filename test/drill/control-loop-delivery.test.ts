import {
  InMemoryDns,
  InMemoryEvents,
  InMemoryMessageRefs,
  InMemoryOutbox,
  InMemoryStore,
  type NotificationIntent,
} from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { createTestCa, startTeamsWorkflowStandIn } from "@idp-failover/stand-ins";
import { expect, it } from "vitest";
import { CompressedClock } from "../../packages/runtime/src/loop/compressed-clock.js";
import { ControlLoop } from "../../packages/runtime/src/loop/control-loop.js";
import { LoopFeed } from "../../packages/runtime/src/loop/loop-feed.js";

/*
 * In `idpctl run` and the drill, as in a deployment, a channel that does not answer never holds up
 * the evaluator: an evaluation pass starts delivery and goes on.
 */

it("finishes an evaluation pass while a Teams workflow hangs, and its delivery is settled when the loop stops", async () => {
  // Prepare: a Teams channel whose workflow never answers, one notification due.
  const ca = await createTestCa();
  const teams = await startTeamsWorkflowStandIn({ ca });
  teams.answerNext({ hang: true });
  const config = testConfig({ sites: ["acme"], alerting: { teams: { webhookUrlRef: "TEAMS_URL" } } });
  const clock = new CompressedClock(1);
  const outbox = new InMemoryOutbox();
  const intent = {
    id: "acme:1:frozen",
    site: "acme",
    at: new Date(clock.now()).toISOString(),
    kind: "frozen",
    by: "operator:ops",
    reason: "maintenance",
  } as NotificationIntent;
  await outbox.enqueue([intent], ["teams"], clock.now());
  const loop = new ControlLoop({
    config,
    ports: {
      store: new InMemoryStore(),
      dns: new InMemoryDns(clock),
      events: new InMemoryEvents(),
      outbox,
      messageRefs: new InMemoryMessageRefs(),
    },
    clock,
    feed: new LoopFeed(clock),
    secrets: () => undefined,
    ca: ca.certPem,
    teams: [{ channel: "teams", webhookUrl: teams.webhookUrl, allowPrivate: true }],
  });

  try {
    // Act
    await loop.evaluation.pass();
    const duringPass = [...outbox.deliveries.values()].map((d) => d.attempts);
    await teams.close(); // the hung request fails: the delivery is recorded for a retry

    // Assess: the pass did not wait for the channel
    expect(duringPass).toEqual([0]);
  } finally {
    await loop.stop(5000);
  }
  expect([...outbox.deliveries.values()].map((d) => d.attempts)).toEqual([1]);
});
