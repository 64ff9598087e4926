import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { configRedactor, type NotificationIntent, type ProbeResult } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsWorld, busName, startAwsWorld } from "../aws/fixtures.js";
import { expectNoSecretIn, leakedRef, leakedSecret, leakyErrorText, leakyStateChange } from "./leaks.js";

/*
 * The store and the bus as a deployed function writes them (createAwsAdapters with the function's
 * redactor), with the real SDK clients against dynalite and the EventBridge stand-in: an error that
 * echoes a client secret in every encoding reaches neither, in any form.
 */

const config = testConfig();
// The runtime's redactor: the config's references (and one more, as a probe's clientSecretRef) read through its secret reader.
const redactor = configRedactor({ ...config, probe: { clientSecretRef: leakedRef } }, (ref) =>
  ref === leakedRef ? leakedSecret : undefined,
);
const at = "2026-03-01T12:00:00.000Z";
let world: AwsWorld;

beforeAll(async () => {
  world = await startAwsWorld(config);
});
afterAll(async () => {
  await world.close();
});

async function tableText(): Promise<string> {
  const client = world.dynamo.client();
  const scan = await client.send(new ScanCommand({ TableName: world.dynamo.tableName }));
  client.destroy();
  return JSON.stringify(scan.Items);
}

describe("what a function writes to its table and bus", () => {
  it("holds no form of a secret an error echoed: probe outcomes, audit, outbox errors, events", async () => {
    // Prepare
    const aws = world.adapters({ redactor });
    const leak = leakyErrorText();
    const result: ProbeResult = {
      site: "acme",
      provider: "okta",
      region: "us-east-1",
      probe: "token",
      kind: "token",
      criticality: "critical",
      at,
      ok: false,
      latencyMs: 80,
      status: 400,
      error: { class: "auth", message: leak },
    };
    const intent: NotificationIntent = {
      kind: "dns-error",
      id: "acme:9:dns-error",
      site: "acme",
      at,
      message: leak,
      rejected: false,
      weights: { okta: 0, entra: 100 },
    };

    // Act
    await aws.store.putResults([result]);
    await aws.store.appendAudit([
      { site: "acme", at, seq: 9, actor: "evaluator", action: "dns-error", reason: leak },
    ]);
    await aws.outbox.enqueue([intent], ["slack"], Date.parse(at));
    const [delivery] = await aws.outbox.due(Date.parse(at) + 1, 10);
    if (!delivery) throw new Error("the intent is not due");
    await aws.outbox.markFailed(delivery, Date.parse(at) + 2, `Slack said: ${leak}`, Date.parse(at) + 60_000);
    await aws.events.publish([leakyStateChange(at)]);

    // Assess
    const stored = await tableText();
    expect(stored).toContain("[redacted]");
    expectNoSecretIn(stored);
    const published = JSON.stringify(world.eventbridge.events(busName));
    expect(published).toContain("[redacted]");
    expectNoSecretIn(published);
  });
});
