import { approvalActions, handleSlackInteraction } from "@idp-failover/slack";
import { webhookTestSecret } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approver, type SlackWorld, startSlackWorld } from "./harness.js";

/*
 * An outage replayed through the real core, end to end on 127.0.0.1: Okta fails in every region,
 * the evaluator fails over to Entra, Okta recovers, the approval request appears in the incident's
 * thread, an approver's signed click approves it, and the stepped failback reports into the same
 * thread until it is done. Slack is the stand-in behind the real WebClient; a webhook receiver
 * verifies every signed event. The steps share one story, so they run in order on shared state.
 */

const webhookSecret = webhookTestSecret("end-to-end");
let world: SlackWorld;

beforeAll(async () => {
  world = await startSlackWorld(webhookSecret);
});

afterAll(async () => {
  await world?.close();
});

const slackClient = () => world.slackClient();

async function deliver(): Promise<void> {
  const report = await world.deliver();
  const failed = report.results.filter((r) => r.outcome !== "delivered");
  if (failed.length > 0) throw new Error(`delivery failed: ${JSON.stringify(failed)}`);
}

const stateIs = (name: string) => async () => (await world.site.stateName()) === name;

function incidentThread() {
  const incidentId = (world.site.store.incidents.values().next().value ?? { id: "" }).id;
  const root = world.slack.rootMessages().find((m) => m.text.includes("Fail") && m.text.includes("over"));
  if (!root) throw new Error("no incident thread");
  return { incidentId, root, replies: () => world.slack.replies(root.ts) };
}

describe("an Okta outage, from failover to approved failback, in one Slack thread", () => {
  let approvalTs = "";

  it("fails over and posts what each region saw, the DNS change and when it reached INSYNC", async () => {
    await world.site.step({ okta: "ok" });
    await world.site.stepUntil({ okta: "down" }, stateIs("secondary-active"), 50, deliver);

    const { root } = incidentThread();
    expect(root.text).toBe("[acme] Failed over login.acme.example.com: okta → entra (DNS in sync)");
    const blocks = JSON.stringify(root.blocks);
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"])
      expect(blocks).toContain(`*${region}*: down`);
    expect(blocks).toContain("`oidc-discovery` http-5xx 503 in 212 ms: HTTP 503 from okta discovery");
    expect(blocks).toContain(`\`${world.site.evaluator.dns.changes[0]?.id}\``);
    const failedOver = [...world.site.outbox.deliveries.values()].find(
      (d) => d.intent.kind === "failed-over",
    )?.intent;
    if (failedOver?.kind !== "failed-over") throw new Error("no failed-over intent");
    expect(Date.parse(failedOver.insyncAt)).toBeGreaterThanOrEqual(
      world.site.evaluator.dns.changes[0]?.insyncAt ?? Infinity,
    );
    expect(blocks).toContain(`*INSYNC*\\n<!date^${Date.parse(failedOver.insyncAt) / 1000}^`);
    // Core hands the incident's evidence to the failed-over intent (the message is rendered from it).
    expect(failedOver.evidence?.map((r) => r.region)).toEqual(["us-east-1", "us-west-2", "eu-west-1"]);
  });

  it("asks for approval in the incident's thread, shown in the channel too, once Okta has been healthy", async () => {
    await world.site.stepUntil({ okta: "ok" }, stateIs("failback-pending"), 100, deliver);

    const { root, replies } = incidentThread();
    const approval = replies().find((m) => m.blocks.some((b) => b.type === "actions"));
    expect(approval).toBeDefined();
    approvalTs = approval?.ts ?? "";
    expect(approval?.threadTs).toBe(root.ts);
    expect(approval?.replyBroadcast).toBe(true);
    const text = JSON.stringify(approval?.blocks);
    expect(text).toContain("Approve failback");
    expect(text).toContain("Snooze 1 h");
    expect(text).toContain("Stay on secondary");
    expect(text).toContain("Expires <!date^");
  });

  it("approves failback on an approver's signed click and says so on the message", async () => {
    const timestamp = Math.floor(world.site.clock.now() / 1000);
    const request = world.slack.blockActionsRequest({
      ts: approvalTs,
      actionId: approvalActions.approve,
      userId: approver,
      timestamp,
    });

    const response = await handleSlackInteraction(
      { rawBody: request.rawBody, headers: request.headers, nowSeconds: timestamp },
      {
        signingSecret: world.slack.signingSecret,
        config: world.site.config,
        evaluator: world.site.evaluator,
        slack: slackClient(),
      },
    );

    expect(response.status).toBe(200);
    expect(await world.site.stateName()).toBe("failing-back");
    const message = world.slack.message(approvalTs);
    expect(message?.blocks.some((b) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(message?.blocks)).toContain(`*Approved* by <@${approver}>`);
  });

  it("reports each failback step and the end in the same thread, updating the approval message", async () => {
    await world.site.stepUntil({ okta: "ok" }, stateIs("primary-active"), 100, deliver);
    await deliver();

    const { root, replies } = incidentThread();
    const texts = replies().map((m) => m.text);
    expect(texts).toContain("[acme] Failback started: okta 10% · entra 90%");
    const steps = texts.filter((t) => t.includes("Failback step"));
    expect(steps).toEqual([
      "[acme] Failback step 1 of 3 in sync: okta 10% · entra 90%",
      "[acme] Failback step 2 of 3 in sync: okta 50% · entra 50%",
      "[acme] Failback step 3 of 3 in sync: okta 100% · entra 0%",
    ]);
    expect(texts.at(-2)).toBe("[acme] Failback complete: okta serves login.acme.example.com again");
    // The incident is resolved once, last in its thread, and the channel sees it.
    expect(texts.at(-1)).toMatch(/^\[acme\] Incident resolved: okta /);
    expect(replies().at(-1)?.replyBroadcast).toBe(true);

    // The approval message followed along: approved, each step, then done.
    const approval = world.slack.message(approvalTs);
    const statuses = [...(approval?.history ?? []), approval]
      .map((v) => JSON.stringify(v?.blocks ?? []))
      .filter((b) => b.includes("failback_status"));
    expect(
      statuses.map((s) => /\*(Approved|Failback step \d of \d|Failback complete)\*/.exec(s)?.[1]),
    ).toEqual([
      "Approved",
      "Failback step 1 of 3",
      "Failback step 2 of 3",
      "Failback step 3 of 3",
      "Failback complete",
    ]);
    // The thread's first message says the incident is over.
    expect(JSON.stringify(world.slack.message(root.ts)?.blocks)).toContain("*Resolved*");
    // Nothing about this incident went to the channel outside its thread.
    expect(world.slack.rootMessages().filter((m) => m.ts > root.ts)).toEqual([]);
  });

  it("sent every event to the webhook too, each signed and verified", async () => {
    const kinds = world.receiver.accepted().map((b) => b.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "failing-over",
        "failed-over",
        "failback-requested",
        "failback-progress",
        "failback-done",
      ]),
    );
    expect(world.receiver.received.every((r) => r.verified)).toBe(true);
    expect(world.receiver.accepted().map((b) => b.id)).toEqual(
      [...world.site.outbox.deliveries.values()]
        .filter((d) => d.channel === "webhook:ops")
        .map((d) => d.intent.id),
    );
  });
});
