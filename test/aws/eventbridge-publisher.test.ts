import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EventBridgePublisher, EventPublishError, eventSource } from "@idp-failover/aws";
import type { DomainEvent } from "@idp-failover/core";
import { type EventBridgeStandIn, startEventBridgeStandIn } from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testCredentials } from "./dynalite.js";

/*
 * EventBridgePublisher with the real EventBridge client against the stand-in (JSON 1.1): batches of
 * ten, the documented envelope, partial failures retried for the failed entries only.
 */

const bus = "idp-failover";
let eventbridge: EventBridgeStandIn;
let clients: EventBridgeClient[] = [];

beforeAll(async () => {
  eventbridge = await startEventBridgeStandIn({ buses: [bus] });
});
afterAll(async () => {
  await eventbridge?.close();
});
afterEach(() => {
  eventbridge.clearFaults();
  for (const c of clients) c.destroy();
  clients = [];
});

let counter = 0;
function verdictEvent(): DomainEvent {
  counter++;
  return {
    type: "verdict-changed",
    id: `acme:v${counter}:0`,
    site: "acme",
    at: "2026-03-01T12:00:00.000Z",
    provider: "okta",
    from: "up",
    to: "down",
    regions: { "us-east-1": "down", "us-west-2": "down", "eu-west-1": "up" },
  };
}

function publisher(
  options: { maxAttempts?: number; sdkAttempts?: number; busName?: string } = {},
): EventBridgePublisher {
  const client = new EventBridgeClient({
    region: "us-east-1",
    endpoint: eventbridge.url,
    credentials: testCredentials,
    maxAttempts: options.sdkAttempts ?? 1,
  });
  clients.push(client);
  return new EventBridgePublisher({
    client,
    eventBusName: options.busName ?? bus,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    sleep: async () => {},
  });
}

const published = (ids: string[]) => eventbridge.events(bus).filter((e) => ids.includes(String(e.detail.id)));

describe("EventBridgePublisher", () => {
  it("publishes each event once on the bus with source, detail-type and a versioned detail", async () => {
    // Prepare
    const event: DomainEvent = {
      type: "state-changed",
      id: "acme:7:0",
      site: "acme",
      at: "2026-03-01T12:00:10.000Z",
      from: "primary-active",
      to: "failing-over",
      reason: "okta down in us-east-1, us-west-2",
      actor: "evaluator",
      version: 7,
      weights: { okta: 0, entra: 100 },
      incidentId: "acme-20260301-120010000",
    };

    // Act
    await publisher().publish([event]);

    // Assess
    const [stored] = published(["acme:7:0"]);
    expect(stored).toMatchObject({
      bus,
      source: eventSource,
      detailType: "Failover State Changed",
      time: "2026-03-01T12:00:10.000Z",
      detail: { schemaVersion: 1, ...event },
    });
  });

  it("sends at most ten entries per call", async () => {
    // Prepare
    const events = Array.from({ length: 23 }, verdictEvent);
    const before = eventbridge.count("PutEvents");

    // Act
    await publisher().publish(events);

    // Assess
    const calls = eventbridge.requests.slice(-3).map((r) => r.entries);
    expect(eventbridge.count("PutEvents") - before).toBe(3);
    expect(calls).toEqual([10, 10, 3]);
    expect(published(events.map((e) => e.id))).toHaveLength(23);
  });

  it("retries only the entries that failed in a partial failure", async () => {
    // Prepare: the first two entries of the next call fail (InternalFailure, then ThrottlingException).
    const events = Array.from({ length: 5 }, verdictEvent);
    eventbridge.failNextEntries(1, "InternalFailure");
    eventbridge.failNextEntries(1, "ThrottlingException", "Rate exceeded");

    // Act
    await publisher().publish(events);

    // Assess
    expect(eventbridge.requests.slice(-2).map((r) => r.entries)).toEqual([5, 2]);
    const ids = published(events.map((e) => e.id)).map((e) => e.detail.id);
    expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
  });

  it("throws after the last attempt when entries keep failing", async () => {
    // Prepare
    const events = Array.from({ length: 3 }, verdictEvent);
    eventbridge.failNextEntries(3 * 3, "InternalFailure");

    // Act
    const publishing = publisher({ maxAttempts: 3 }).publish(events);

    // Assess
    await expect(publishing).rejects.toBeInstanceOf(EventPublishError);
    await expect(publishing).rejects.toThrow(
      /3 event\(s\) not accepted .* after 3 attempts: InternalFailure/,
    );
  });

  it("does not retry an entry the bus refuses for good", async () => {
    // Prepare
    eventbridge.failNextEntries(
      1,
      "NotAuthorizedForSourceException",
      "not authorized for source idp-failover",
    );
    const before = eventbridge.count("PutEvents");

    // Act
    const publishing = publisher().publish([verdictEvent()]);

    // Assess
    await expect(publishing).rejects.toThrow(/refused by bus .*NotAuthorizedForSourceException/);
    expect(eventbridge.count("PutEvents") - before).toBe(1);
  });

  it("retries a throttled call as a whole", async () => {
    // Prepare
    eventbridge.failNextRequests(2, "ThrottlingException");
    const event = verdictEvent();

    // Act
    await publisher().publish([event]);

    // Assess
    expect(published([event.id])).toHaveLength(1);
  });

  it("finds out whether its bus exists, which PutEvents never tells", async () => {
    // Prepare
    const misnamed = publisher({ busName: "no-such-bus" });

    // Act
    const found = await publisher().findBus();
    const missing = await misnamed.findBus();
    await misnamed.publish([verdictEvent()]);

    // Assess
    expect(found).toEqual({ kind: "found" });
    expect(missing).toEqual({ kind: "missing", message: "there is no event bus no-such-bus" });
    expect(eventbridge.dropped.at(-1)?.bus).toBe("no-such-bus");
  });

  it("says when it cannot tell whether its bus exists", async () => {
    // Prepare
    eventbridge.failNextRequests(1, "AccessDeniedException", 400);

    // Act
    const check = await publisher().findBus();

    // Assess
    expect(check).toMatchObject({ kind: "unknown", message: expect.stringMatching(/AccessDeniedException/) });
  });
});
