import {
  InMemoryDns,
  InMemoryEvents,
  InMemoryMessageRefs,
  InMemoryOutbox,
  InMemoryStore,
} from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { CompressedClock } from "../../packages/runtime/src/loop/compressed-clock.js";
import { ControlLoop } from "../../packages/runtime/src/loop/control-loop.js";
import { LoopFeed } from "../../packages/runtime/src/loop/loop-feed.js";
import { expectNoSecretIn, leakedSecret, leakyErrorText, leakyStateChange } from "./leaks.js";

/*
 * The local runtime (`idpctl run`, the drill): the control loop builds its redactor from the config's
 * references and its secret source, and puts it in front of its store, bus, outbox and timeline,
 * the one place that runtime redacts.
 */

describe("what the local control loop writes and shows", () => {
  it("holds no form of a configured secret: the store, the events and the timeline", async () => {
    // Prepare
    const clock = new CompressedClock(1);
    const store = new InMemoryStore();
    const events = new InMemoryEvents();
    const feed = new LoopFeed(clock);
    const loop = new ControlLoop({
      config: testConfig(),
      ports: {
        store,
        dns: new InMemoryDns(clock),
        events,
        outbox: new InMemoryOutbox(),
        messageRefs: new InMemoryMessageRefs(),
      },
      clock,
      feed,
      // The test config's Slack signing secret reference, read through the loop's secret source.
      secrets: (ref) => (ref === "SLACK_SIGNING_SECRET" ? leakedSecret : undefined),
      regions: [],
    });
    const leak = leakyErrorText();
    const at = new Date(clock.now()).toISOString();

    // Act
    await loop.deps.store.appendAudit([
      { site: "acme", at, seq: 1, actor: "evaluator", action: "note", reason: leak },
    ]);
    await loop.deps.events.publish([leakyStateChange(at)]);
    feed.emit({ kind: "problem", tone: "bad", text: `evaluation failed: ${leak}` });

    // Assess
    const written = JSON.stringify({ audit: store.audit, events: events.events });
    const shown = JSON.stringify(feed.recent());
    expect(written).toContain("[redacted]");
    expect(shown).toContain("[redacted]");
    expectNoSecretIn(written);
    expectNoSecretIn(shown);
  });
});
