import { approvalActions, createSlackClient, handleSlackInteraction } from "@idp-failover/slack";
import { type SlackStandIn, startSlackStandIn } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  approveClickRequest,
  pressApproveFailback,
} from "../../packages/runtime/src/dashboard/slack-approval.js";
import { approver, groupMember, harnessConfig, onCallGroup, SiteHarness, siteId } from "../slack/harness.js";

/*
 * The dashboard's Approve failback goes through Slack's signed interaction path: the real handler
 * verifies the signature, checks the approver, applies the answer with one conditional write and
 * updates the approval message in Slack (the stand-in behind the real WebClient).
 */

const signingSecret = "dashboard-test-signing-secret";
let slack: SlackStandIn;

beforeAll(async () => {
  slack = await startSlackStandIn({ signingSecret, userGroups: { [onCallGroup]: [groupMember] } });
});
afterAll(async () => {
  await slack?.close();
});

const client = () => createSlackClient(slack.token, { slackApiUrl: slack.apiUrl, timeoutMs: 5000 });
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A site whose failback request is pending, its approval message posted in Slack. */
async function pendingFailback(): Promise<{ site: SiteHarness; approvalId: string }> {
  const site = new SiteHarness(harnessConfig());
  const deliver = async () => {
    await site.deliver({ slack: client() });
  };
  const approvalId = await site.reachFailbackPending(deliver);
  await deliver();
  return { site, approvalId };
}

function deps(site: SiteHarness, secret = signingSecret) {
  return { signingSecret: secret, config: site.config, evaluator: site.evaluator, slack: client() };
}

describe("Approve failback from the dashboard", () => {
  it("approves through the signed interaction handler and updates the approval message in Slack", async () => {
    // Prepare
    const { site, approvalId } = await pendingFailback();
    const ref = await site.refs.recall(siteId, `approval:${approvalId}`);

    // Act
    const outcome = await pressApproveFailback(
      { site: siteId, approvalId, userId: approver, nowSeconds: nowSeconds() },
      deps(site),
      site.refs,
    );

    // Assess
    expect(outcome).toEqual({ kind: "applied", state: "failing-back" });
    expect((await site.state()).lastApproval).toMatchObject({ id: approvalId, by: `slack:${approver}` });
    const message = slack.message(ref?.ts ?? "");
    expect(JSON.stringify(message?.blocks)).toContain("*Approved* by <@U0APPROVER>");
  });

  it("refuses a user who is not an approver, and changes nothing", async () => {
    // Prepare
    const { site, approvalId } = await pendingFailback();

    // Act
    const outcome = await pressApproveFailback(
      { site: siteId, approvalId, userId: "U0STRANGER", nowSeconds: nowSeconds() },
      deps(site),
      site.refs,
    );

    // Assess
    expect(outcome).toEqual({ kind: "refused", reason: "not an approver" });
    expect(await site.stateName()).toBe("failback-pending");
  });

  it("acts on an approval once: the second press is refused with the state machine's reason", async () => {
    // Prepare
    const { site, approvalId } = await pendingFailback();
    const click = { site: siteId, approvalId, userId: approver, nowSeconds: nowSeconds() };
    await pressApproveFailback(click, deps(site), site.refs);

    // Act
    const again = await pressApproveFailback(click, deps(site), site.refs);

    // Assess
    expect(again.kind).toBe("refused");
    expect(await site.stateName()).toBe("failing-back");
  });

  it("sends the block_actions request Slack sends for a click on the approval message", async () => {
    // Prepare
    const { site, approvalId } = await pendingFailback();
    const ref = await site.refs.recall(siteId, `approval:${approvalId}`);
    const now = nowSeconds();

    // Act
    const request = await approveClickRequest(
      { site: siteId, approvalId, userId: approver, nowSeconds: now },
      signingSecret,
      site.refs,
    );

    // Assess
    const payload = JSON.parse(new URLSearchParams(request.rawBody).get("payload") ?? "{}");
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: approver },
      container: { type: "message", message_ts: ref?.ts, channel_id: ref?.channel },
      actions: [{ type: "button", action_id: approvalActions.approve }],
    });
    expect(JSON.parse(payload.actions[0].value)).toEqual({ site: siteId, approvalId });
    expect(request.headers["x-slack-request-timestamp"]).toBe(String(now));
    expect(request.headers["x-slack-signature"]).toMatch(/^v0=[0-9a-f]{64}$/);
  });

  it("is rejected by the handler when signed with another secret: no side door", async () => {
    // Prepare
    const { site, approvalId } = await pendingFailback();
    const now = nowSeconds();
    const forged = await approveClickRequest(
      { site: siteId, approvalId, userId: approver, nowSeconds: now },
      "not-the-app-signing-secret",
      site.refs,
    );

    // Act
    const response = await handleSlackInteraction(
      { rawBody: forged.rawBody, headers: forged.headers, nowSeconds: now },
      deps(site),
    );

    // Assess
    expect(response.status).toBe(401);
    expect(await site.stateName()).toBe("failback-pending");
  });
});
