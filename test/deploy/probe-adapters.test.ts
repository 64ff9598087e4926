import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  EventBridgeEvaluatorTrigger,
  probeEventSource,
  probeRoundDetailType,
  SqsProbeQueue,
} from "@idp-failover/aws";
import { parseProbeTick } from "@idp-failover/core";
import { type SqsStandIn, startEventBridgeStandIn, startSqsStandIn } from "@idp-failover/stand-ins";
import { describe, expect, it } from "vitest";
import { testCredentials } from "../aws/dynalite.js";

/* The probe chain's adapters with their real SDK clients against local stand-ins. */

/** Runs `work` with an SQS stand-in (on `now`, if given) and a queue on it through the real SQS client. */
async function withQueue(
  work: (sqs: SqsStandIn, queue: SqsProbeQueue) => Promise<void>,
  now?: () => number,
): Promise<void> {
  const sqs = await startSqsStandIn(now ? { now } : {});
  const client = new SQSClient({ region: "us-west-2", endpoint: sqs.url, credentials: testCredentials });
  try {
    await work(sqs, new SqsProbeQueue({ queueUrl: `${sqs.url}/123456789012/ticks`, client }));
  } finally {
    client.destroy();
    await sqs.close();
  }
}

describe("SqsProbeQueue", () => {
  it("sends the next tick delayed to its moment, and sees the chain idle only when nothing waits", async () => {
    let now = 1_000_000;
    await withQueue(
      async (sqs, queue) => {
        expect(await queue.isIdle()).toBe(true);
        await queue.schedule(1_010_000, now + 400);
        expect(sqs.messages).toEqual([expect.objectContaining({ delaySeconds: 10 })]);
        expect(parseProbeTick(sqs.messages[0]?.body ?? "")).toEqual({ tick: 1_010_000 });
        expect(await queue.isIdle()).toBe(false);
        now = 1_010_500;
        expect(sqs.receiveDue(now)).toHaveLength(1);
        expect(await queue.isIdle()).toBe(true);
      },
      () => now,
    );
  });

  it("sees a tick being handled (in flight, not yet deleted) as a running chain", async () => {
    await withQueue(async (sqs, queue) => {
      sqs.inFlight = 1;
      expect(await queue.isIdle()).toBe(false);
    });
  });

  it("never asks SQS for a delay beyond 15 minutes or below zero", async () => {
    await withQueue(async (sqs, queue) => {
      await queue.schedule(5_000_000, 1_000_000);
      await queue.schedule(1_000_000, 2_000_000);
      expect(sqs.messages.map((m) => m.delaySeconds)).toEqual([900, 0]);
    });
  });
});

describe("EventBridgeEvaluatorTrigger", () => {
  it("puts one event naming the sites on the home bus", async () => {
    const bus = await startEventBridgeStandIn({ buses: ["idp-failover"] });
    const client = new EventBridgeClient({
      region: "us-east-1",
      endpoint: bus.url,
      credentials: testCredentials,
    });
    try {
      await new EventBridgeEvaluatorTrigger({
        eventBusName: "idp-failover",
        client,
        region: "eu-west-1",
      }).wake(["acme"], "acme/okta up->down");
      expect(bus.events("idp-failover")).toEqual([
        expect.objectContaining({
          source: probeEventSource,
          detailType: probeRoundDetailType,
          detail: { sites: ["acme"], region: "eu-west-1", reason: "acme/okta up->down" },
        }),
      ]);
    } finally {
      client.destroy();
      await bus.close();
    }
  });
});
