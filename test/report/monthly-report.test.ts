import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EventBridgePublisher } from "@idp-failover/aws";
import { domainEventSchema, InMemoryMessageRefs } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { SlackReportDelivery, sendMonthlyReport } from "@idp-failover/report";
import { createSlackClient } from "@idp-failover/slack";
import {
  type EventBridgeStandIn,
  type SlackStandIn,
  startEventBridgeStandIn,
  startSlackStandIn,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { novemberStore } from "../../packages/report/src/test-support.js";
import { testCredentials } from "../aws/dynalite.js";

/*
 * The scheduled monthly report: last month's report built from the store, a Slack summary with the
 * HTML in its thread (real WebClient, files.uploadV2 against the Slack stand-in) and one event per
 * site on the bus (real EventBridge client against its stand-in). Each part fails on its own.
 */

const bus = "idp-failover";
const now = Date.parse("2026-12-01T02:00:00Z");
let slack: SlackStandIn;
let eventbridge: EventBridgeStandIn;
let client: EventBridgeClient;

beforeAll(async () => {
  [slack, eventbridge] = await Promise.all([startSlackStandIn(), startEventBridgeStandIn({ buses: [bus] })]);
  client = new EventBridgeClient({
    region: "us-east-1",
    endpoint: eventbridge.url,
    credentials: testCredentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await Promise.all([slack?.close(), eventbridge?.close()]);
});
afterEach(() => {
  slack.clearFaults();
  eventbridge.clearFaults();
});

async function send(sites = ["acme"], deliveries?: InMemoryMessageRefs) {
  const store = await novemberStore(sites[0]);
  for (const other of sites.slice(1)) {
    const more = await novemberStore(other);
    await store.putRollups([...more.rollups.values()]);
    for (const incident of more.incidents.values()) await store.putIncident(incident);
  }
  return sendMonthlyReport({
    store,
    config: testConfig({ sites }),
    now,
    delivery: new SlackReportDelivery({
      client: createSlackClient(slack.token, { slackApiUrl: slack.apiUrl, timeoutMs: 10_000 }),
      channel: "#idp-failover",
    }),
    ...(deliveries ? { deliveries } : {}),
    events: new EventBridgePublisher({ client, eventBusName: bus, maxAttempts: 1 }),
  });
}

describe("the monthly report", () => {
  it("posts last month's headline numbers to Slack with the HTML report in the thread, and publishes an event per site", async () => {
    // Act
    const result = await send(["acme", "second"]);
    // Assess: the report is November's.
    expect(result.report.period.month).toBe("2026-11");
    expect(result.delivery).toMatchObject({ kind: "delivered" });
    expect(result.events).toEqual({ kind: "published", count: 2 });
    // The summary: one message with each site's numbers.
    const ref = result.delivery?.kind === "delivered" ? result.delivery.ref : {};
    const summary = slack.message(ref.ts ?? "");
    expect(summary?.channel).toBe("C0IDPFAIL");
    const blocksText = JSON.stringify(summary?.blocks);
    expect(blocksText).toContain("SLA report: November 2026 (UTC)");
    expect(blocksText).toContain("99.7917%");
    expect(blocksText).toContain("service credit eligible");
    expect(summary?.text).toContain("login.second.example.com");
    // The attachment: the same HTML, in the summary's thread.
    const file = slack.files.find((f) => f.id === ref.fileId);
    expect(file).toMatchObject({
      filename: "idp-sla-report-2026-11.html",
      completed: true,
      channel: "C0IDPFAIL",
      threadTs: ref.ts,
    });
    expect(file?.content?.toString("utf8")).toBe(result.html);
    // The events: one per site, the documented detail type, a detail core's schema accepts.
    const events = eventbridge.events(bus).filter((e) => e.detailType === "SLA Report Published");
    expect(events.map((e) => e.detail.site).sort()).toEqual(["acme", "second"]);
    const { schemaVersion, ...detail } = events[0]?.detail ?? {};
    expect(schemaVersion).toBe(1);
    const event = domainEventSchema.parse(detail);
    expect(event).toMatchObject({ type: "report-published", period: { label: "2026-11" }, incidents: 1 });
  });

  it("posts a month's summary once, however often a retried run sends it", async () => {
    // Prepare
    const deliveries = new InMemoryMessageRefs();
    const first = await send(["acme"], deliveries);
    const posted = slack.calls.filter((c) => c.method === "chat.postMessage").length;

    // Act
    const retried = await send(["acme"], deliveries);

    // Assess
    expect(slack.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(posted);
    expect(retried.delivery).toEqual(first.delivery);
  });

  it("still publishes the events when Slack is down, and says the summary was not posted", async () => {
    slack.failAll({ kind: "server-error", status: 503 });
    const before = eventbridge.events(bus).length;
    const result = await send();
    expect(result.delivery).toMatchObject({ kind: "failed", stage: "summary" });
    expect(result.events).toEqual({ kind: "published", count: 1 });
    expect(eventbridge.events(bus).length).toBe(before + 1);
  });

  it("keeps the posted summary and says where it is when the upload is refused", async () => {
    slack.failNext(
      { kind: "platform-error", error: "not_allowed_token_type" },
      { method: "files.getUploadURLExternal" },
    );
    const result = await send();
    expect(result.delivery).toMatchObject({ kind: "failed", stage: "attachment" });
    const ref = result.delivery?.kind === "failed" ? result.delivery.ref : undefined;
    expect(ref?.ts && slack.message(ref.ts)).toBeTruthy();
    expect(result.delivery?.kind === "failed" && result.delivery.message).toContain("not_allowed_token_type");
  });

  it("still delivers to Slack when the bus refuses the events", async () => {
    eventbridge.failNextRequests(1, "AccessDeniedException", 400);
    const result = await send();
    expect(result.delivery).toMatchObject({ kind: "delivered" });
    expect(result.events).toMatchObject({ kind: "failed" });
    expect(result.events?.kind === "failed" && result.events.message).toContain("AccessDenied");
  });
});
