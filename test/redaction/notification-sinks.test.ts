import { configRedactor, type NotificationIntent } from "@idp-failover/core";
import { createSlackClient } from "@idp-failover/slack";
import { localReceiverAllowance, webhookTestSecret } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SlackWorld, siteId, start, startSlackWorld } from "../slack/harness.js";
import { expectNoSecretIn, leakedSecret, leakyErrorText } from "./leaks.js";

/*
 * The deliverer with the real Slack Web API client against the Slack stand-in and a signed webhook
 * to a receiver: an intent whose text carries a secret an error echoed reaches neither channel in any
 * form, because the deliverer hands every sender (whatever its channel) the redacted intent.
 */

const webhookSecret = webhookTestSecret("redaction");
let world: SlackWorld;

beforeEach(async () => {
  world = await startSlackWorld(webhookSecret);
});
afterEach(async () => {
  await world.close();
});

describe("what a notification channel receives", () => {
  it("holds no form of a secret that an intent's text carried, on Slack or a webhook", async () => {
    // Prepare
    const redactor = configRedactor(world.site.config, (ref) =>
      ref === "SLACK_BOT_TOKEN" ? leakedSecret : undefined,
    );
    const intent: NotificationIntent = {
      kind: "dns-error",
      id: `${siteId}:9:dns-error`,
      site: siteId,
      at: new Date(start).toISOString(),
      message: leakyErrorText(),
      rejected: true,
      weights: { okta: 0, entra: 100 },
    };
    await world.site.outbox.enqueue([intent], ["slack", "webhook:ops"], start);

    // Act
    const report = await world.site.deliver({
      slack: world.slackClient(),
      webhooks: [{ name: "ops", url: world.receiver.url, secret: webhookSecret, ...localReceiverAllowance }],
      redactor,
    });

    // Assess
    expect(report.results.map((r) => r.outcome)).toEqual(["delivered", "delivered"]);
    const slackText = JSON.stringify(world.slack.calls.map((call) => call.params));
    const webhookText = JSON.stringify(world.receiver.accepted());
    expect(slackText).toContain("[redacted]");
    expect(webhookText).toContain("[redacted]");
    expectNoSecretIn(slackText);
    expectNoSecretIn(webhookText);
  });

  it("holds no form of a secret in a Slack call made outside the deliverer (an approval's reply, the report's post)", async () => {
    // Prepare: the client the interactions endpoint and the report run make, given the runtime's redactor.
    const redactor = configRedactor(world.site.config, (ref) =>
      ref === "SLACK_BOT_TOKEN" ? leakedSecret : undefined,
    );
    const client = createSlackClient(world.slack.token, { slackApiUrl: world.slack.apiUrl, redactor });

    // Act
    await client.chat.postMessage({
      channel: "#idp-failover",
      text: `could not approve: ${leakyErrorText()}`,
    });

    // Assess
    const sent = JSON.stringify(world.slack.calls.map((call) => call.params));
    expect(sent).toContain("[redacted]");
    expectNoSecretIn(sent);
  });
});
