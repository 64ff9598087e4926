import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { testConfig, testConfigInput, testTrackers, testZoneId } from "@idp-failover/core/testing";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsWorld, busName, homeLink, startAwsWorld } from "../aws/fixtures.js";
import { lambdaContext, setLambdaEnvironment } from "./lambda-context.js";

/*
 * The deployed evaluate function, as Lambda runs it: the config and home resources arrive as SST's
 * `IdpFailover` link, the SDK finds DynamoDB (dynalite), Route 53 and EventBridge (the stand-ins)
 * through AWS_ENDPOINT_URL_*. One site fails over; the other's state item is unreadable; a third
 * (`solo`) has no data plane (`dataPlane: false`) and fails over through the control plane alone.
 */

const sites = ["acme", "crash", "solo"];
const config = testConfig({ sites });
/** The linked config document: `solo` without a data plane (no health checks, no verdict items). */
function linkedConfig(): Record<string, unknown> {
  const document = testConfigInput({ sites });
  for (const site of document.sites as Array<Record<string, unknown>>) {
    if (site.id === "solo") site.dataPlane = false;
  }
  return document;
}
let world: AwsWorld;
let invoke: (event: unknown, context: Context) => Promise<void>;
const handler = (event: unknown) => invoke(event, lambdaContext("evaluate"));

beforeAll(async () => {
  world = await startAwsWorld(config);
  setLambdaEnvironment({
    region: "us-east-1",
    dynamoEndpoint: world.dynamo.endpoint,
    links: { IdpFailover: { config: linkedConfig(), home: homeLink(world) } },
    env: {
      AWS_ENDPOINT_URL_ROUTE_53: world.route53.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: world.eventbridge.url,
    },
  });
  ({ handler: invoke } = await import("../../functions/src/evaluate.js"));
});

afterAll(async () => {
  await world.close();
});

async function oktaDownEverywhere(site: string): Promise<void> {
  const store = world.adapters().store;
  for (const tracker of testTrackers(site, Date.now(), { okta: true })) await store.saveTracker(tracker);
}

/** What a probe region sends when a region verdict of `site` changed. */
const probeEvent = (site: string, region: string) => ({
  "detail-type": "Probe Verdicts Changed",
  source: "idp-failover.probe",
  detail: { sites: [site], region },
});

const weights = (hostname: string) =>
  Object.fromEntries(world.route53.records(testZoneId, hostname).map((r) => [r.setIdentifier, r.weight]));

describe("the evaluate function", () => {
  it("fails a site over when a probe's event names it: weights moved in Route 53, the transition on the bus", async () => {
    // Prepare
    await oktaDownEverywhere("acme");

    // Act
    await handler(probeEvent("acme", "eu-west-1"));

    // Assess
    expect(weights("login.acme.example.com")).toEqual({ okta: 0, entra: 100 });
    expect(
      world.eventbridge
        .events(busName)
        .filter((e) => e.detailType === "Failover State Changed" && e.detail.site === "acme")
        .map((e) => e.detail.to),
    ).toContain("failing-over");
  });

  it("fails over a site without a data plane the same way: the control plane moves its weights", async () => {
    // Prepare
    await oktaDownEverywhere("solo");

    // Act
    await handler(probeEvent("solo", "us-east-1"));

    // Assess
    expect(weights("login.solo.example.com")).toEqual({ okta: 0, entra: 100 });
  });

  it("on the schedule, fails (for the errors alarm) naming the site it could not evaluate", async () => {
    // Prepare: a state item that does not parse.
    const admin = world.dynamo.client();
    await admin.send(
      new PutItemCommand({
        TableName: world.dynamo.tableName,
        Item: { PK: { S: "SITE#crash" }, SK: { S: "STATE" }, version: { N: "1" }, state: { S: "{not json" } },
      }),
    );
    admin.destroy();
    await oktaDownEverywhere("crash");

    // Act + Assess
    await expect(handler({})).rejects.toThrow(/^evaluation failed for crash$/);
    expect(weights("login.crash.example.com")).toEqual({ okta: 100, entra: 0 });
  });
});
