import { testConfig, testConfigInput } from "@idp-failover/core/testing";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsWorld, busName, homeLink, startAwsWorld } from "../aws/fixtures.js";
import { lambdaContext, setLambdaEnvironment } from "./lambda-context.js";

/*
 * The deployed report function with its Powertools idempotency middleware, its record in the home
 * table (dynalite): Lambda retries a failed asynchronous invocation with the same event, and a run
 * that already published must not publish (or post) the month again. A run that failed must run again.
 */

const config = testConfig();
let world: AwsWorld;
let invoke: (event: unknown, context: Context) => Promise<unknown>;
const handler = (event: unknown) => invoke(event, lambdaContext("report"));
const published = () =>
  world.eventbridge
    .events(busName)
    .filter((e) => e.detailType === "SLA Report Published")
    .map((e) => (e.detail as { period: { label: string } }).period.label);

beforeAll(async () => {
  world = await startAwsWorld(config);
  setLambdaEnvironment({
    region: "us-east-1",
    dynamoEndpoint: world.dynamo.endpoint,
    links: { IdpFailover: { config: testConfigInput(), home: homeLink(world) } },
    env: { AWS_ENDPOINT_URL_EVENTBRIDGE: world.eventbridge.url },
  });
  ({ handler: invoke } = await import("../../functions/src/report.js"));
});

afterAll(async () => {
  await world.close();
});

describe("the report function", () => {
  it("reports the month before the schedule fired, once, however often the same event arrives", async () => {
    const first = await handler({ scheduledAt: "2026-12-01T06:00:00Z" });
    const retry = await handler({ scheduledAt: "2026-12-01T06:00:00Z" });
    expect(published()).toEqual(["2026-11"]);
    expect(retry).toEqual(first);
    expect(first).toEqual({ period: "2026-11", delivery: "off", events: "published" });
  });

  it("runs again for another month asked for by hand", async () => {
    await handler({ month: "2026-10" });
    expect(published()).toEqual(["2026-11", "2026-10"]);
  });

  it("runs a failed event again: a run that did not deliver leaves no idempotency record behind", async () => {
    world.eventbridge.failNextRequests(50, "InternalFailure");
    await expect(handler({ scheduledAt: "2026-10-01T06:00:00Z" })).rejects.toThrow(/not fully delivered/);
    world.eventbridge.clearFaults();
    await handler({ scheduledAt: "2026-10-01T06:00:00Z" });
    expect(published()).toEqual(["2026-11", "2026-10", "2026-09"]);
  });
});
