import { testConfig } from "@idp-failover/core/testing";
import {
  approvalActions,
  createSlackClient,
  handleSlackInteraction,
  type SlackInteractionDeps,
  signSlackRequest,
} from "@idp-failover/slack";
import { type SlackStandIn, startSlackStandIn } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approver, SiteHarness } from "./harness.js";

/*
 * An MSP's deployment with two customers, each with its own people and channels: acme in the MSP's
 * own Slack workspace (its own channel and approvers), globex in its own workspace (its own Slack
 * app: bot token and signing secret). Two Slack stand-ins are the two workspaces; the messages, the
 * clicks and the approver checks go through the real delivery and interaction code.
 */

const acmeApprover = "U0ACMEOPS";
const globexApprover = "U0GLOBEXOPS";

const config = testConfig({
  sites: ["acme", "globex"],
  alerting: { slack: { channel: "#noc", approvers: { users: [approver] } } },
  siteSettings: {
    acme: { alerting: { slack: { channel: "#acme-idp", approvers: { users: [acmeApprover] } } } },
    globex: {
      alerting: {
        slack: {
          channel: "#globex-idp",
          botTokenRef: "GLOBEX_SLACK_BOT_TOKEN",
          signingSecretRef: "GLOBEX_SLACK_SIGNING_SECRET",
          approvers: { users: [globexApprover] },
        },
      },
    },
  },
});

let msp: SlackStandIn;
let globexSlack: SlackStandIn;
let world: SiteHarness;

beforeEach(async () => {
  msp = await startSlackStandIn({ channels: { noc: "C0NOC", "acme-idp": "C0ACME" } });
  globexSlack = await startSlackStandIn({
    token: "xoxb-globex",
    signingSecret: "globex-signing-secret",
    channels: { "globex-idp": "C0GLOBEX" },
  });
  world = new SiteHarness(config, ["acme", "globex"]);
  await world.reachFailbackPending(deliver);
  await deliver();
});

afterEach(async () => {
  await Promise.all([msp.close(), globexSlack.close()]);
});

/** The bots by token reference, as the notify function builds them from its linked secrets. */
function bots() {
  const client = (standIn: SlackStandIn) =>
    createSlackClient(standIn.token, { slackApiUrl: standIn.apiUrl, timeoutMs: 5000 });
  return new Map([
    ["SLACK_BOT_TOKEN", client(msp)],
    ["GLOBEX_SLACK_BOT_TOKEN", client(globexSlack)],
  ]);
}

async function deliver(): Promise<void> {
  await world.deliver({ slack: bots() });
}

function deps(): SlackInteractionDeps {
  return {
    signingSecret: new Map([
      ["SLACK_SIGNING_SECRET", msp.signingSecret],
      ["GLOBEX_SLACK_SIGNING_SECRET", globexSlack.signingSecret],
    ]),
    config,
    evaluator: world.evaluator,
    slack: bots(),
  };
}

const nowSeconds = () => Math.floor(world.clock.now() / 1000);

function approvalTs(standIn: SlackStandIn): string {
  const message = standIn.messages.find((m) => m.blocks.some((b) => b.type === "actions"));
  if (!message) throw new Error("no approval message posted");
  return message.ts;
}

/** A click on Approve failback in `standIn`'s workspace, signed by `signer`'s app (Slack's own by default). */
async function approve(standIn: SlackStandIn, userId: string, signer: SlackStandIn = standIn) {
  const timestamp = nowSeconds();
  const request = standIn.blockActionsRequest({
    ts: approvalTs(standIn),
    actionId: approvalActions.approve,
    userId,
    timestamp,
  });
  const headers = {
    ...request.headers,
    "x-slack-signature": signSlackRequest(signer.signingSecret, timestamp, request.rawBody),
  };
  return handleSlackInteraction({ rawBody: request.rawBody, headers, nowSeconds: timestamp }, deps());
}

const textsIn = (standIn: SlackStandIn) => standIn.messages.map((m) => m.text).join("\n");

describe("notifications of many sites", () => {
  it("go to each site's own channel, in its own workspace, and nowhere else", () => {
    // Assess
    const acme = msp.rootMessages("C0ACME");
    const globex = globexSlack.rootMessages("C0GLOBEX");
    expect(acme.length).toBeGreaterThan(0);
    expect(globex.length).toBeGreaterThan(0);
    expect(acme.every((m) => m.text.includes("acme") && !m.text.includes("globex"))).toBe(true);
    expect(globex.every((m) => m.text.includes("globex") && !m.text.includes("acme"))).toBe(true);
    expect(msp.rootMessages("C0NOC")).toEqual([]);
    expect(textsIn(msp)).not.toContain("globex");
    const globexChannels = new Set(globexSlack.calls.map((c) => c.params.channel));
    expect([...globexChannels].every((c) => c === "#globex-idp" || c === "C0GLOBEX")).toBe(true);
  });
});

describe("approvals of many sites", () => {
  it("refuses another site's approver, and takes the site's own", async () => {
    // Act: globex's approver, also in the MSP's workspace, presses Approve on acme's request.
    const refused = await approve(msp, globexApprover);
    const stateAfterRefusal = await world.stateName("acme");
    const accepted = await approve(msp, acmeApprover);

    // Assess
    expect(refused.status).toBe(200);
    expect(stateAfterRefusal).toBe("failback-pending");
    expect(msp.ephemerals.find((e) => e.user === globexApprover)?.text).toMatch(
      new RegExp(`only approvers can answer failback requests: <@${acmeApprover}>`),
    );
    expect(world.store.audit).toContainEqual(
      expect.objectContaining({ site: "acme", actor: `slack:${globexApprover}`, reason: "not an approver" }),
    );
    expect(accepted.status).toBe(200);
    expect(await world.stateName("acme")).toBe("failing-back");
    expect(await world.stateName("globex")).toBe("failback-pending");
  });

  it("refuses a click on a site's button that another site's Slack app signed", async () => {
    // Act: acme's request, acme's approver, but signed by globex's app (another workspace).
    const response = await approve(msp, acmeApprover, globexSlack);

    // Assess
    expect(response.status).toBe(200);
    expect(await world.stateName("acme")).toBe("failback-pending");
    expect(world.store.audit).toContainEqual(
      expect.objectContaining({ site: "acme", reason: "signed by another Slack app" }),
    );
  });

  it("answers a site's click through its own app: the approval message in its workspace says who approved", async () => {
    // Prepare
    const ts = approvalTs(globexSlack);

    // Act
    const response = await approve(globexSlack, globexApprover);

    // Assess
    expect(response.status).toBe(200);
    expect(await world.stateName("globex")).toBe("failing-back");
    expect(JSON.stringify(globexSlack.message(ts)?.blocks ?? [])).toContain(
      `*Approved* by <@${globexApprover}>`,
    );
    expect(msp.calls.filter((c) => c.method === "chat.update" && c.params.channel === "C0GLOBEX")).toEqual(
      [],
    );
  });

  it("refuses a request that no configured app signed", async () => {
    // Act
    const timestamp = nowSeconds();
    const request = msp.blockActionsRequest({
      ts: approvalTs(msp),
      actionId: approvalActions.approve,
      userId: acmeApprover,
      timestamp,
    });
    const headers = {
      ...request.headers,
      "x-slack-signature": signSlackRequest("not-ours", timestamp, request.rawBody),
    };
    const response = await handleSlackInteraction(
      { rawBody: request.rawBody, headers, nowSeconds: timestamp },
      deps(),
    );

    // Assess
    expect(response.status).toBe(401);
    expect(await world.stateName("acme")).toBe("failback-pending");
  });
});
