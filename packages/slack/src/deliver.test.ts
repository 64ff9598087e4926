import { FakeClock, InMemoryOutbox, type NotificationIntent } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import {
  type DeliveryOptions,
  defaultRetryPolicy,
  deliverNotifications,
  type RetryPolicy,
} from "./deliver.js";
import type { NotificationSender, SendOutcome } from "./notification-sender.js";

/** A channel whose answers the test scripts, recording what it was asked to send. */
class ScriptedSender implements NotificationSender {
  readonly sent: string[] = [];
  constructor(private readonly answer: (intent: NotificationIntent) => SendOutcome) {}
  async send(intent: NotificationIntent): Promise<SendOutcome> {
    this.sent.push(intent.id);
    return this.answer(intent);
  }
}

const t0 = Date.parse("2026-03-02T09:00:00.000Z");

function intents(n: number): NotificationIntent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `example:${i + 1}:provider-recovered`,
    site: "example",
    at: new Date(t0 + i).toISOString(),
    kind: "provider-recovered" as const,
    provider: "okta",
    was: "down" as const,
  }));
}

/** `n` intents enqueued for `channels`, and one delivery run over them with the senders given by channel. */
async function setup(n: number, channels: string[]) {
  const clock = new FakeClock(t0);
  const outbox = new InMemoryOutbox();
  await outbox.enqueue(intents(n), channels, t0);
  const deliver = (senders: Record<string, NotificationSender>, options?: DeliveryOptions) =>
    deliverNotifications({ outbox, clock, senders: new Map(Object.entries(senders)) }, options);
  return { clock, outbox, deliver };
}

const ok = (): SendOutcome => ({ kind: "sent" });
const down = (): SendOutcome => ({ kind: "retry", message: "HTTP 503" });

describe("deliverNotifications", () => {
  it("delivers each due notification once per channel, in order, and marks it delivered", async () => {
    // Prepare
    const { outbox, deliver } = await setup(3, ["slack", "webhook:ops"]);
    const slack = new ScriptedSender(ok);
    const ops = new ScriptedSender(ok);
    const senders = { slack, "webhook:ops": ops };
    // Act
    await deliver(senders);
    const again = await deliver(senders);
    // Assess
    expect(slack.sent).toEqual([
      "example:1:provider-recovered",
      "example:2:provider-recovered",
      "example:3:provider-recovered",
    ]);
    expect(ops.sent).toEqual(slack.sent);
    expect(again.results).toEqual([]);
    expect([...outbox.deliveries.values()].every((d) => d.deliveredAt === t0)).toBe(true);
  });

  it("keeps delivering to the other channels while one is down, and retries the dead one with backoff", async () => {
    const { outbox, deliver } = await setup(3, ["slack", "webhook:dead"]);
    const slack = new ScriptedSender(ok);
    const dead = new ScriptedSender(down);
    const report = await deliver({ slack, "webhook:dead": dead });

    expect(slack.sent).toHaveLength(3);
    // One attempt per run on a failing channel: its other deliveries wait untouched.
    expect(dead.sent).toEqual(["example:1:provider-recovered"]);
    expect(report.skipped).toBe(2);
    const failed = [...outbox.deliveries.values()].find(
      (d) => d.channel === "webhook:dead" && d.attempts === 1,
    );
    expect(failed?.nextAttemptAt).toBe(t0 + (defaultRetryPolicy.backoffSeconds[0] ?? 0) * 1000);
    expect(failed?.lastError).toBe("HTTP 503");
  });

  it("waits for Retry-After on a rate-limited channel, for the whole batch, and then goes on in order", async () => {
    const { clock, deliver } = await setup(3, ["slack"]);
    let limited = true;
    const slack = new ScriptedSender(() =>
      limited ? { kind: "retry", message: "Slack rate limit", retryAfterMs: 120_000 } : { kind: "sent" },
    );
    const senders = { slack };

    const first = await deliver(senders);
    expect(first.results.map((r) => [r.outcome, r.nextAttemptAt])).toEqual([
      ["retry", t0 + 120_000],
      ["retry", t0 + 120_000],
      ["retry", t0 + 120_000],
    ]);
    expect(slack.sent).toHaveLength(1);

    limited = false;
    clock.advance(60_000);
    expect((await deliver(senders)).results).toEqual([]);
    clock.advance(60_000);
    await deliver(senders);
    expect(slack.sent).toEqual([
      "example:1:provider-recovered",
      "example:1:provider-recovered",
      "example:2:provider-recovered",
      "example:3:provider-recovered",
    ]);
  });

  it("never uses up the retries of messages that only waited behind a rate limit", async () => {
    const { clock, outbox, deliver } = await setup(3, ["slack"]);
    const retry: RetryPolicy = { maxAttempts: 2, backoffSeconds: [1], maxRetryAfterSeconds: 60 };
    let limited = true;
    const slack = new ScriptedSender(() =>
      limited ? { kind: "retry", message: "Slack rate limit", retryAfterMs: 10_000 } : { kind: "sent" },
    );
    const senders = { slack };

    // Two rate-limited runs: each tries one message; the others only wait behind it.
    for (let run = 0; run < 2; run++) {
      await deliver(senders, { retry });
      clock.advance(10_000);
    }
    const deliveries = [...outbox.deliveries.values()];
    const waited = deliveries.filter((d) => d.attempts === 0);

    expect(deliveries.reduce((n, d) => n + d.attempts, 0)).toBe(2);
    expect(waited.length).toBeGreaterThan(0);
    expect(
      waited.every((d) => !d.abandoned && d.lastError === "not attempted: the channel is rate limited"),
    ).toBe(true);
    limited = false;
    await deliver(senders, { retry });
    for (const d of waited) expect(outbox.deliveries.get(`${d.intent.id}|slack`)?.deliveredAt).toBeDefined();
  });

  it("gives up after the bounded number of attempts and keeps the record", async () => {
    const { clock, outbox, deliver } = await setup(1, ["webhook:dead"]);
    const retry: RetryPolicy = { maxAttempts: 3, backoffSeconds: [1, 2], maxRetryAfterSeconds: 60 };
    const dead = new ScriptedSender(down);
    const senders = { "webhook:dead": dead };
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const report = await deliver(senders, { retry });
      outcomes.push(...report.results.map((r) => r.outcome));
      clock.advance(10_000);
    }
    expect(outcomes).toEqual(["retry", "retry", "abandoned"]);
    const [delivery] = outbox.deliveries.values();
    expect(delivery).toMatchObject({ abandoned: true, attempts: 3, lastError: "HTTP 503" });
  });

  it("abandons at once what the channel refuses for good, and waits on a channel nobody configured", async () => {
    const { deliver } = await setup(1, ["slack", "webhook:gone"]);
    const slack = new ScriptedSender(() => ({
      kind: "rejected",
      message: "Slack refused the message: msg_too_long",
    }));
    const report = await deliver({ slack });
    expect(report.results.map((r) => [r.channel, r.outcome]).sort()).toEqual([
      ["slack", "abandoned"],
      ["webhook:gone", "retry"],
    ]);
    expect(report.results.find((r) => r.channel === "webhook:gone")?.error).toContain(
      "no sender for channel webhook:gone",
    );
  });

  it("treats a sender that throws as a failed attempt, not a crashed run", async () => {
    const { deliver } = await setup(1, ["slack", "webhook:ops"]);
    const broken: NotificationSender = {
      send: async () => {
        throw new TypeError("bug in a sender");
      },
    };
    const ops = new ScriptedSender(ok);
    const report = await deliver({ slack: broken, "webhook:ops": ops });
    expect(report.results.find((r) => r.channel === "slack")).toMatchObject({
      outcome: "retry",
      error: "TypeError: bug in a sender",
    });
    expect(ops.sent).toHaveLength(1);
  });
});
