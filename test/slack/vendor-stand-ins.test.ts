import {
  createTestCa,
  pagerDutyStandInRoutingKey,
  startPagerDutyStandIn,
  startTeamsWorkflowStandIn,
} from "@idp-failover/stand-ins";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/http-call.js";

/*
 * The PagerDuty and Teams stand-ins on the wire, as the vendors document them, so the senders' tests
 * and the drill are checked against the vendors' rules rather than against our own sender.
 */

let ca: Awaited<ReturnType<typeof createTestCa>>;
beforeAll(async () => {
  ca = await createTestCa();
});

const post = (url: string, body: unknown) =>
  call(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ca: ca.certPem,
  });

describe("the PagerDuty Events API v2 stand-in", () => {
  const trigger = {
    routing_key: pagerDutyStandInRoutingKey,
    event_action: "trigger",
    dedup_key: "k-1",
    payload: { summary: "login down", source: "login.example.com", severity: "critical" },
  };

  it("answers 202 with the dedup_key, and refuses what PagerDuty refuses with 400 and the reasons", async () => {
    // Prepare
    const pd = await startPagerDutyStandIn({ ca });
    try {
      // Act
      const accepted = await post(pd.eventsUrl, trigger);
      const tooLong = await post(pd.eventsUrl, {
        ...trigger,
        payload: { ...trigger.payload, summary: "x".repeat(1025), severity: "fatal" },
      });
      const noKey = await post(pd.eventsUrl, { event_action: "resolve" });
      const notJson = await post(pd.eventsUrl, "{");

      // Assess
      expect([accepted.status, JSON.parse(accepted.body)]).toEqual([
        202,
        { status: "success", message: "Event processed", dedup_key: "k-1" },
      ]);
      expect(tooLong.status).toBe(400);
      expect(JSON.parse(tooLong.body).errors).toEqual([
        "'payload.summary' is longer than 1024 characters",
        "'payload.severity' must be one of critical, error, warning, info",
      ]);
      expect(JSON.parse(noKey.body).errors).toEqual([
        "'routing_key' must be 32 characters",
        "'dedup_key' is required to acknowledge or resolve",
      ]);
      expect(notJson.status).toBe(400);
    } finally {
      await pd.close();
    }
  });

  it("drops an acknowledge with no open alert, and opens a new alert when a resolved key triggers again", async () => {
    const pd = await startPagerDutyStandIn({ ca });
    try {
      const event = (event_action: string) => ({ ...trigger, event_action });
      await post(pd.eventsUrl, event("acknowledge"));
      await post(pd.eventsUrl, event("trigger"));
      await post(pd.eventsUrl, event("resolve"));
      await post(pd.eventsUrl, event("trigger"));

      expect(pd.received.map((r) => r.effect)).toEqual(["dropped", "opened", "resolved", "opened"]);
      expect(pd.alerts().map((a) => a.status)).toEqual(["resolved", "triggered"]);
    } finally {
      await pd.close();
    }
  });
});

describe("the Teams Workflows webhook stand-in", () => {
  const card = { type: "AdaptiveCard", version: "1.4", body: [{ type: "TextBlock", text: "hi" }] };
  const message = {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card }],
  };

  it("accepts a message with an Adaptive Card (202) and refuses a wrong signature, a MessageCard and 28 KB", async () => {
    // Prepare
    const teams = await startTeamsWorkflowStandIn({ ca });
    try {
      // Act
      const accepted = await post(teams.webhookUrl, message);
      const unsigned = await post(teams.webhookUrl.replace(/sig=[^&]+/, "sig=forged"), message);
      const messageCard = await post(teams.webhookUrl, { "@type": "MessageCard", text: "hi" });
      const large = await post(teams.webhookUrl, {
        ...message,
        attachments: [
          {
            ...message.attachments[0],
            content: { ...card, body: [{ type: "TextBlock", text: "x".repeat(29_000) }] },
          },
        ],
      });

      // Assess
      expect([accepted.status, accepted.body]).toEqual([202, ""]);
      expect([unsigned.status, messageCard.status, large.status]).toEqual([401, 400, 413]);
      expect(teams.cards()).toEqual([card]);
    } finally {
      await teams.close();
    }
  });
});
