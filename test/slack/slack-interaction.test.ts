import { createHmac } from "node:crypto";
import {
  approvalActions,
  createSlackClient,
  handleSlackInteraction,
  type SlackInteractionDeps,
} from "@idp-failover/slack";
import { type SlackStandIn, startSlackStandIn } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approver, groupMember, harnessConfig, onCallGroup, SiteHarness } from "./harness.js";

/*
 * The interactions endpoint end to end: Slack's signed `block_actions` request (built by the stand-in
 * from the approval message it holds), the handler, the real state machine, and the message update.
 */

const stranger = "U0STRANGER";

let slack: SlackStandIn;
let site: SiteHarness;
let logs: Array<Record<string, unknown>>;
let approvalId: string;
let approvalTs: string;

beforeEach(async () => {
  slack = await startSlackStandIn({ userGroups: { [onCallGroup]: [groupMember] } });
  site = new SiteHarness(harnessConfig());
  logs = [];
  approvalId = await site.reachFailbackPending(deliver);
  await deliver();
  const message = slack.messages.find((m) => m.blocks.some((b) => b.type === "actions"));
  if (!message) throw new Error("no approval message posted");
  approvalTs = message.ts;
});

afterEach(async () => {
  await slack.close();
});

const client = () => createSlackClient(slack.token, { slackApiUrl: slack.apiUrl, timeoutMs: 5000 });

async function deliver(): Promise<void> {
  await site.deliver({ slack: client() });
}

function deps(): SlackInteractionDeps {
  return {
    signingSecret: slack.signingSecret,
    config: site.config,
    evaluator: site.evaluator,
    slack: client(),
    log: (entry) => logs.push(entry),
  };
}

const nowSeconds = () => Math.floor(site.clock.now() / 1000);

function clickRequest(actionId: string, userId: string, timestamp = nowSeconds()) {
  return slack.blockActionsRequest({ ts: approvalTs, actionId, userId, timestamp });
}

async function click(actionId: string, userId: string) {
  const request = clickRequest(actionId, userId);
  return handleSlackInteraction(
    { rawBody: request.rawBody, headers: request.headers, nowSeconds: nowSeconds() },
    deps(),
  );
}

/** Sends a click built earlier (from the message as it was then), signed now as Slack would. */
async function sendLater(request: { rawBody: string }) {
  const headers = signed(request.rawBody);
  return handleSlackInteraction({ rawBody: request.rawBody, headers, nowSeconds: nowSeconds() }, deps());
}

function signed(rawBody: string, timestamp = nowSeconds(), secret = slack.signingSecret) {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
  return { "X-Slack-Request-Timestamp": String(timestamp), "X-Slack-Signature": signature };
}

const approvalMessage = () => {
  const message = slack.message(approvalTs);
  if (!message) throw new Error("approval message gone");
  return message;
};
const ephemeralsFor = (user: string) => slack.ephemerals.filter((e) => e.user === user).map((e) => e.text);

describe("Slack interactions", () => {
  it("starts failback when an approver presses Approve, and says on the message who approved and when", async () => {
    // Act
    const response = await click(approvalActions.approve, approver);
    // Assess
    expect(response.status).toBe(200);
    const state = await site.state();
    expect(state.state).toBe("failing-back");
    expect(state.failback).toMatchObject({ approvedBy: `slack:${approver}`, approvalId });
    const message = approvalMessage();
    expect(message.blocks.some((b) => b.type === "actions")).toBe(false);
    const status = JSON.stringify(message.blocks);
    expect(status).toContain(`*Approved* by <@${approver}> at <!date^${nowSeconds()}^`);
    expect(site.store.audit.some((a) => a.actor === `slack:${approver}` && a.to === "failing-back")).toBe(
      true,
    );
  });

  it("accepts a member of an approver user group, asking Slack for the group's members", async () => {
    const response = await click(approvalActions.approve, groupMember);
    expect(response.status).toBe(200);
    expect((await site.state()).state).toBe("failing-back");
    expect(
      slack.calls.some((c) => c.method === "usergroups.users.list" && c.params.usergroup === onCallGroup),
    ).toBe(true);
  });

  it("refuses anyone else, tells them who may answer, and changes nothing", async () => {
    const before = await site.state();
    const response = await click(approvalActions.approve, stranger);
    expect(response.status).toBe(200);
    expect(await site.state()).toEqual(before);
    expect(ephemeralsFor(stranger)).toEqual([
      expect.stringContaining(
        `only approvers can answer failback requests: <@${approver}>, <!subteam^${onCallGroup}>`,
      ),
    ]);
    expect(approvalMessage().blocks.some((b) => b.type === "actions")).toBe(true);
    expect(
      site.store.audit.some((a) => a.actor === `slack:${stranger}` && a.action === "refused:approve"),
    ).toBe(true);
  });

  it("refuses when the user group cannot be checked, rather than guessing", async () => {
    slack.failNext({ kind: "platform-error", error: "missing_scope" }, { method: "usergroups.users.list" });
    const before = await site.state();
    await click(approvalActions.approve, groupMember);
    expect(await site.state()).toEqual(before);
    expect(ephemeralsFor(groupMember)).toEqual([
      expect.stringContaining("could not check your approver membership (Slack said missing_scope)"),
    ]);
  });

  it("lets only one of a double click win, and tells the other click it was already approved", async () => {
    const [a, b] = await Promise.all([
      click(approvalActions.approve, approver),
      click(approvalActions.approve, approver),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const state = await site.state();
    expect(state.state).toBe("failing-back");
    expect(site.store.audit.filter((r) => r.to === "failing-back")).toHaveLength(1);
    expect(ephemeralsFor(approver)).toEqual([
      expect.stringContaining(`already approved by slack:${approver}`),
    ]);
  });

  it("answers a second approver and a replayed request 'already approved', changing nothing", async () => {
    const first = clickRequest(approvalActions.approve, approver);
    const secondView = clickRequest(approvalActions.approve, groupMember);
    await handleSlackInteraction(
      { rawBody: first.rawBody, headers: first.headers, nowSeconds: nowSeconds() },
      deps(),
    );
    const after = await site.state();

    // The second approver clicks the message as their client still showed it, seconds later.
    site.clock.advance(5_000);
    await sendLater(secondView);
    const replay = await handleSlackInteraction(
      { rawBody: first.rawBody, headers: first.headers, nowSeconds: nowSeconds() },
      deps(),
    );

    expect(replay.status).toBe(200);
    expect(await site.state()).toEqual(after);
    expect(ephemeralsFor(groupMember)).toEqual([
      expect.stringContaining(`already approved by slack:${approver}`),
    ]);
    expect(ephemeralsFor(approver)).toEqual([
      expect.stringContaining(`already approved by slack:${approver}`),
    ]);
  });

  it("refuses an expired request", async () => {
    const expiresAt = Date.parse((await site.state()).approval?.expiresAt ?? "");
    site.clock.set(expiresAt + 1000);
    const before = await site.state();
    await click(approvalActions.approve, approver);
    expect(await site.state()).toEqual(before);
    expect(ephemeralsFor(approver)).toEqual([expect.stringContaining("this failback request expired at")]);
  });

  it("refuses approval for a site whose primary failed again, and shows the request as cancelled", async () => {
    // Someone looks at the request; before they click, the primary fails again.
    const stale = clickRequest(approvalActions.approve, approver);
    await site.stepUntil({ okta: "down" }, async () => (await site.stateName()) === "secondary-active");
    await deliver();
    expect(approvalMessage().blocks.some((b) => b.type === "actions")).toBe(false);
    const before = await site.state();
    await sendLater(stale);
    expect(await site.state()).toEqual(before);
    expect(ephemeralsFor(approver)).toEqual([expect.stringContaining("already cancelled by evaluator")]);
    expect(JSON.stringify(approvalMessage().blocks)).toContain("*Cancelled* at");
    expect(approvalMessage().blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("snoozes for the configured time, or stays on the secondary for a day", async () => {
    await click(approvalActions.snooze, approver);
    const snoozed = await site.state();
    expect(snoozed.state).toBe("secondary-active");
    expect(Date.parse(snoozed.requestNotBefore ?? "")).toBe(site.clock.now() + 3_600_000);
    expect(JSON.stringify(approvalMessage().blocks)).toContain(`*Snoozed* by <@${approver}>`);

    // The next request, once the snooze is over, is declined.
    await site.stepUntil(
      { okta: "ok" },
      async () => (await site.stateName()) === "failback-pending",
      400,
      deliver,
    );
    await deliver();
    approvalTs = slack.messages.filter((m) => m.blocks.some((b) => b.type === "actions")).at(-1)?.ts ?? "";
    await click(approvalActions.decline, approver);
    const declined = await site.state();
    expect(declined.state).toBe("secondary-active");
    expect(Date.parse(declined.requestNotBefore ?? "")).toBe(site.clock.now() + 86_400_000);
    expect(JSON.stringify(approvalMessage().blocks)).toContain("*stay on the secondary*");
  });

  it("applies an approval even when Slack cannot be reached to update the message", async () => {
    slack.failAll({ kind: "server-error", status: 503 });
    const response = await click(approvalActions.approve, approver);
    expect(response.status).toBe(200);
    expect((await site.state()).state).toBe("failing-back");
  });

  it("rejects forged, stale, replayed-elsewhere and malformed requests, changing nothing and logging no secret", async () => {
    // Prepare
    const before = await site.state();
    const genuine = clickRequest(approvalActions.approve, stranger);
    const forApprover = genuine.rawBody.replace(stranger, approver);
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ["forged with another secret", forApprover, signed(forApprover, nowSeconds(), "not-the-secret"), 401],
      ["body changed after signing", forApprover, genuine.headers, 401],
      ["stale (more than five minutes old)", forApprover, signed(forApprover, nowSeconds() - 301), 401],
      ["from the future", forApprover, signed(forApprover, nowSeconds() + 301), 401],
      ["unsigned", forApprover, {}, 401],
      ["no payload field", "foo=bar", signed("foo=bar"), 400],
      ["payload is not JSON", "payload=%7Bnot-json", signed("payload=%7Bnot-json"), 400],
      ["block_actions without a user", noUser(forApprover), signed(noUser(forApprover)), 400],
      ["a button value we never wrote", badValue(forApprover), signed(badValue(forApprover)), 400],
    ];
    const callsBefore = slack.calls.length;
    // Act
    for (const [name, rawBody, headers, status] of cases) {
      const response = await handleSlackInteraction({ rawBody, headers, nowSeconds: nowSeconds() }, deps());
      // Assess
      expect(response.status, name).toBe(status);
    }
    expect(await site.state()).toEqual(before);
    expect(slack.calls.length).toBe(callsBefore);
    const logged = JSON.stringify(logs);
    for (const secret of [
      slack.signingSecret,
      "legacy-verification-token",
      "secret-response-token",
      genuine.headers["x-slack-signature"]?.slice(3) ?? "x",
    ]) {
      expect(logged).not.toContain(secret);
    }
    expect(logs.map((l) => l.problem)).toEqual([
      "signature-mismatch",
      "signature-mismatch",
      "stale-timestamp",
      "stale-timestamp",
      "missing-timestamp",
      "no-payload-field",
      "payload-not-json",
      expect.stringContaining("block_actions shape (user"),
      "bad-button-value",
    ]);
  });
});

function rewritePayload(rawBody: string, change: (payload: Record<string, unknown>) => void): string {
  const payload = JSON.parse(new URLSearchParams(rawBody).get("payload") ?? "{}") as Record<string, unknown>;
  change(payload);
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function noUser(rawBody: string): string {
  return rewritePayload(rawBody, (p) => {
    delete p.user;
  });
}

function badValue(rawBody: string): string {
  return rewritePayload(rawBody, (p) => {
    const [action] = p.actions as Array<Record<string, unknown>>;
    if (action) action.value = "approve-everything";
  });
}
