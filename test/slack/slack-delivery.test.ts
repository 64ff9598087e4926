import { commandSite } from "@idp-failover/core";
import { webhookTestSecret } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approver, type SlackWorld, siteId, startSlackWorld } from "./harness.js";

/*
 * The deliverer with the real Web API client against the Slack stand-in, fed by the real evaluator
 * through the outbox: threads, updates, and Slack failing in each of the ways it does.
 */

const webhookSecret = webhookTestSecret("delivery-test");

let world: SlackWorld;

beforeEach(async () => {
  world = await startSlackWorld(webhookSecret);
});

afterEach(async () => {
  await world.close();
});

const deliver = () => world.deliver();

const failedOver = async () => (await world.site.stateName()) === "secondary-active";

/** The failover's thread: exactly one top-level message about it, whatever order things arrived in. */
function incidentRoot() {
  const roots = world.slack
    .rootMessages()
    .filter((m) => [m.text, ...m.history.map((h) => h.text)].some((t) => /Fail(ing|ed) over/.test(t)));
  if (roots.length !== 1 || !roots[0]) {
    throw new Error(
      `expected one failover thread, got: ${world.slack
        .rootMessages()
        .map((m) => m.text)
        .join(" | ")}`,
    );
  }
  return roots[0];
}

describe("Slack delivery", () => {
  it("posts a failover as one thread and turns its first message into the failed-over summary", async () => {
    // Prepare
    await world.site.step({ okta: "ok" });
    // Act
    await world.site.stepUntil({ okta: "down" }, failedOver, 50, async () => {
      await deliver();
    });
    await deliver();
    // Assess
    const root = incidentRoot();
    expect(root.text).toContain("Failed over login.acme.example.com: okta → entra");
    const rootText = JSON.stringify(root.blocks);
    expect(rootText).toContain("`C000001`");
    expect(rootText).toContain("*INSYNC*");
    expect(rootText).toContain("`oidc-discovery` http-5xx 503 in 212 ms");
    expect(rootText).toContain("`jwks` timeout in 5000 ms");
    expect(rootText).toMatch(/\*us-east-1\*: down[\s\S]*\*us-west-2\*: down[\s\S]*\*eu-west-1\*: down/);
    expect(root.history.map((h) => h.text)).toEqual([
      expect.stringContaining("Failing over login.acme.example.com"),
    ]);
    const replies = world.slack.replies(root.ts);
    expect(replies.map((r) => r.text)).toEqual([
      expect.stringContaining("DNS in sync: entra serves login.acme.example.com"),
    ]);
    // Webhooks got the same intents, signed.
    const kinds = world.receiver.accepted().map((b) => b.kind);
    expect(kinds).toEqual(expect.arrayContaining(["failing-over", "failed-over"]));
    expect(world.receiver.received.every((r) => r.verified)).toBe(true);
  });

  it("fails over while Slack is down, and posts the thread once Slack is back", async () => {
    world.slack.failAll({ kind: "server-error", status: 503 });
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil({ okta: "down" }, failedOver, 50, async () => {
      await deliver();
    });
    expect(world.slack.messages).toHaveLength(0);
    expect(world.receiver.accepted().map((b) => b.kind)).toEqual(
      expect.arrayContaining(["failing-over", "failed-over"]),
    );

    world.slack.clearFaults();
    world.site.clock.advance(10 * 60_000);
    await deliver();
    await deliver();

    // Both messages are out, in one thread, the failed-over summary on top; nothing is left behind.
    const root = incidentRoot();
    expect(root.text).toContain("Failed over");
    expect(JSON.stringify(root.blocks)).toContain("`C000001`");
    expect(world.slack.replies(root.ts)).toHaveLength(1);
    const pending = [...world.site.outbox.deliveries.values()].filter((d) => d.deliveredAt === undefined);
    expect(pending).toEqual([]);
  });

  it("lets a later message start the thread when an earlier one is held back, and marks the latecomer", async () => {
    // Prepare: everything decided, nothing delivered; the "failing over" message is held for an hour.
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil({ okta: "down" }, failedOver);
    const held = [...world.site.outbox.deliveries.values()].find(
      (d) => d.channel === "slack" && d.intent.kind === "failing-over",
    );
    if (!held) throw new Error("no failing-over delivery");
    await world.site.outbox.markFailed(
      held,
      world.site.clock.now(),
      "held by the test",
      world.site.clock.now() + 3_600_000,
    );
    // Act
    await deliver();
    world.site.clock.advance(3_600_000);
    await deliver();
    // Assess
    const root = incidentRoot();
    expect(root.text).toContain("Failed over");
    expect(JSON.stringify(root.blocks)).toContain("What each region saw of okta");
    const [late] = world.slack.replies(root.ts);
    expect(late?.text).toContain("Failing over");
    expect(JSON.stringify(late?.blocks)).toContain("Delivered late");
  });

  it("reschedules at Retry-After on a 429 instead of sleeping through it", async () => {
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil({ okta: "down" }, failedOver);
    world.slack.failNext({ kind: "rate-limited", retryAfterSeconds: 900 });

    const first = await deliver();
    const slackResults = first.results.filter((r) => r.channel === "slack");
    expect(slackResults.length).toBeGreaterThan(1);
    for (const result of slackResults) {
      expect(result).toMatchObject({ outcome: "retry", nextAttemptAt: world.site.clock.now() + 900_000 });
    }
    expect(world.slack.calls.filter((c) => c.method === "chat.postMessage").map((c) => c.answer)).toEqual([
      "429",
    ]);

    world.site.clock.advance(899_000);
    expect((await deliver()).results.filter((r) => r.channel === "slack")).toEqual([]);
    world.site.clock.advance(1000);
    await deliver();
    expect(incidentRoot().text).toContain("Failed over");
  });

  it("keeps retrying through invalid_auth, so alerts go out once the token is fixed", async () => {
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil({ okta: "down" }, failedOver);
    world.slack.failAll({ kind: "platform-error", error: "invalid_auth" });

    const report = await deliver();
    expect(report.results.find((r) => r.channel === "slack")).toMatchObject({
      outcome: "retry",
      error: "Slack error: invalid_auth",
    });

    world.slack.clearFaults();
    world.site.clock.advance(60_000);
    await deliver();
    await deliver();
    expect(incidentRoot().text).toContain("Failed over");
  });

  it("reports an aborted failback in the thread and on the approval message, with the reason", async () => {
    // Prepare: approved failback under way.
    const approvalId = await world.site.reachFailbackPending(async () => {
      await deliver();
    });
    await deliver();
    const outcome = await commandSite(world.site.evaluator, world.site.config, siteId, {
      kind: "approve",
      approvalId,
      actor: `slack:${approver}`,
    });
    expect(outcome.kind).toBe("applied");
    await world.site.step({ okta: "ok" });
    await deliver();
    // Act: Okta fails during the first step.
    await world.site.stepUntil({ okta: "down" }, failedOver, 20, async () => {
      await deliver();
    });
    // Assess
    const root = incidentRoot();
    const aborted = world.slack.replies(root.ts).find((m) => m.text.includes("Failback aborted"));
    expect(aborted?.text).toMatch(/Failback aborted: okta (degraded|down) during failback step 1/);
    expect(aborted?.replyBroadcast).toBe(true);
    const approval = world.slack.messages.find((m) => m.text.includes("Approve failback of"));
    expect(JSON.stringify(approval?.blocks)).toContain("*Failback aborted*");
    expect(approval?.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("falls back to plain text when Slack refuses the blocks, so the alert still gets out", async () => {
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil(
      { okta: "down" },
      async () => (await world.site.stateName()) === "failing-over",
    );
    world.slack.failNext({ kind: "platform-error", error: "invalid_blocks" }, { method: "chat.postMessage" });

    const report = await deliver();

    expect(report.results.filter((r) => r.channel === "slack").map((r) => r.outcome)).toEqual(["delivered"]);
    const posted = world.slack.calls.filter((c) => c.method === "chat.postMessage");
    expect(posted.map((c) => [c.answer, c.params.blocks === undefined])).toEqual([
      ["invalid_blocks", false],
      ["ok", true],
    ]);
    expect(world.slack.rootMessages().map((m) => m.text)).toContain(
      "[acme] Failing over login.acme.example.com: okta → entra",
    );
  });

  it("never posts twice when a delivery fails halfway (posted, then the update failed)", async () => {
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil(
      { okta: "down" },
      async () => (await world.site.stateName()) === "failing-over",
      50,
      async () => {
        await deliver();
      },
    );
    await deliver();
    world.slack.failNext({ kind: "server-error", status: 502 }, { method: "chat.update" });
    await world.site.stepUntil({ okta: "down" }, failedOver);

    const first = await deliver();
    expect(first.results.find((r) => r.kind === "failed-over" && r.channel === "slack")?.outcome).toBe(
      "retry",
    );
    world.site.clock.advance(60_000);
    await deliver();

    const root = incidentRoot();
    expect(world.slack.replies(root.ts)).toHaveLength(1);
    expect(root.text).toContain("Failed over");
  });
});
