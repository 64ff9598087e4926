import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { BatchIncompleteError, DynamoStore, keys, StoredItemInvalidError } from "@idp-failover/aws";
import type { ProbeResult, SiteState } from "@idp-failover/core";
import { testStoredTracker } from "@idp-failover/core/testing";
import { type DynamoFaultProxy, startDynamoFaultProxy } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite } from "./dynalite.js";

/*
 * What only the DynamoDB store does: throttling and unprocessed batch items retried, TTL on probe
 * results, late trackers refused, and items that do not parse reported rather than trusted.
 */

let dynamo: LocalDynamo;
let proxy: DynamoFaultProxy;
beforeAll(async () => {
  dynamo = await startDynalite();
  proxy = await startDynamoFaultProxy(dynamo.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  await dynamo?.close();
});

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
let n = 0;
const newSite = () => `dyn-${++n}`;

function state(site: string, version: number): SiteState {
  return {
    site,
    version,
    state: "primary-active",
    since: new Date(t0).toISOString(),
    active: "okta",
    weights: { okta: 100, entra: 0 },
    observed: {},
    alerts: {},
  };
}

function throughProxy(): DynamoStore {
  return new DynamoStore({
    tableName: dynamo.tableName,
    client: dynamo.client({ endpoint: proxy.url, maxAttempts: 3 }),
    batchRetry: { sleep: async () => {} },
  });
}

describe("DynamoStore", () => {
  it("retries a throttled state write and saves it once", async () => {
    // Prepare: the next two PutItem calls are throttled (the SDK's third attempt goes through).
    const store = throughProxy();
    const site = newSite();
    const before = proxy.calls.get("PutItem") ?? 0;
    proxy.throttleNext(2, "PutItem");

    // Act
    const outcome = await store.saveState(state(site, 1), 0);

    // Assess
    expect(outcome.kind).toBe("saved");
    expect((proxy.calls.get("PutItem") ?? 0) - before).toBe(3);
    expect((await store.loadState(site))?.state.version).toBe(1);
  });

  it("gives up with the AWS error when throttling outlasts the retries", async () => {
    // Prepare
    const store = throughProxy();
    proxy.throttleNext(3, "GetItem");

    // Act
    const loading = store.loadState(newSite());

    // Assess
    await expect(loading).rejects.toMatchObject({ name: "ProvisionedThroughputExceededException" });
  });

  it("writes batch items DynamoDB left unprocessed", async () => {
    // Prepare: 30 rounds (two batches); the first batch comes back entirely unprocessed.
    const store = throughProxy();
    const site = newSite();
    const results: ProbeResult[] = Array.from({ length: 30 }, (_, i) => ({
      site,
      provider: "okta",
      region: "us-east-1",
      probe: "p",
      kind: "http",
      criticality: "critical",
      at: new Date(t0 + i * 10_000).toISOString(),
      ok: true,
      latencyMs: 10,
    }));
    proxy.leaveNextBatchUnprocessed();

    // Act
    await store.putResults(results);

    // Assess
    expect(await store.listResults(site, "okta", t0, t0 + 300_000)).toHaveLength(30);
  });

  it("gives up with a readable error when DynamoDB keeps leaving batch items unprocessed", async () => {
    // Prepare: every attempt the store is allowed comes back unprocessed.
    const store = new DynamoStore({
      tableName: dynamo.tableName,
      client: dynamo.client({ endpoint: proxy.url }),
      batchRetry: { attempts: 3, sleep: async () => {} },
    });
    const site = newSite();
    proxy.leaveNextBatchUnprocessed(3);

    // Act
    const appending = store.appendAudit([
      { site, at: new Date(t0).toISOString(), seq: 1, actor: "evaluator", action: "transition", reason: "r" },
    ]);

    // Assess
    await expect(appending).rejects.toBeInstanceOf(BatchIncompleteError);
    await expect(appending).rejects.toThrow("1 item(s) still unprocessed after 3 attempts");
  });

  it("keeps a region's round as one item and reads its results back whole", async () => {
    // Prepare
    const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() });
    const site = newSite();
    const at = new Date(t0).toISOString();
    const round: ProbeResult[] = ["oidc-discovery", "jwks", "token"].map((probe, i) => ({
      site,
      provider: "okta",
      region: "eu-west-1",
      probe,
      kind: probe === "oidc-discovery" ? "oidc-discovery" : probe === "jwks" ? "jwks" : "token",
      criticality: "critical",
      at,
      ok: i !== 2,
      latencyMs: 40 + i,
      ...(i === 2
        ? { status: 503, attempts: 3, error: { class: "http-5xx" as const, message: "HTTP 503" } }
        : {}),
    }));

    // Act
    await store.putResults(round);

    // Assess
    const doc = DynamoDBDocumentClient.from(dynamo.client());
    const items = await doc.send(
      new QueryCommand({
        TableName: dynamo.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.probe(site, "okta") },
      }),
    );
    expect(items.Items).toHaveLength(1);
    expect(await store.listResults(site, "okta", t0, t0 + 1)).toEqual(round);
  });

  it("stamps probe results with a TTL in epoch seconds", async () => {
    // Prepare
    const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client(), resultTtlDays: 2 });
    const site = newSite();
    const at = new Date(t0).toISOString();

    // Act
    await store.putResults([
      {
        site,
        provider: "okta",
        region: "eu-west-1",
        probe: "jwks",
        kind: "jwks",
        criticality: "critical",
        at,
        ok: true,
        latencyMs: 9,
      },
    ]);

    // Assess
    const doc = DynamoDBDocumentClient.from(dynamo.client());
    const item = await doc.send(
      new GetCommand({
        TableName: dynamo.tableName,
        Key: { PK: keys.probe(site, "okta"), SK: keys.probeRound(at, "eu-west-1") },
      }),
    );
    expect(item.Item?.expiresAt).toBe(t0 / 1000 + 2 * 86_400);
  });

  it("keeps the newer tracker when a late round arrives", async () => {
    // Prepare
    const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() });
    const site = newSite();
    await store.saveTracker(testStoredTracker(site, "okta", t0 + 20_000, true));

    // Act
    await store.saveTracker(testStoredTracker(site, "okta", t0 + 10_000, false));

    // Assess
    const [stored] = await store.loadTrackers(site);
    expect(stored?.tracker.lastRoundAt).toBe(t0 + 20_000);
    expect(stored?.tracker.down).toBe(true);
  });

  it("reports a state item that does not parse instead of trusting it", async () => {
    // Prepare: a state item written by something else, with a version that is not a number.
    const site = newSite();
    const doc = DynamoDBDocumentClient.from(dynamo.client());
    await doc.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: {
          PK: keys.site(site),
          SK: keys.state,
          version: 1,
          state: JSON.stringify({ ...state(site, 1), version: "one" }),
        },
      }),
    );
    const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() });

    // Act
    const loading = store.loadState(site);

    // Assess
    await expect(loading).rejects.toBeInstanceOf(StoredItemInvalidError);
    await expect(loading).rejects.toThrow(/state of site dyn-\d+ does not parse/);
  });

  it("refuses a state item too large for DynamoDB with a readable error", async () => {
    // Prepare: an outbox of 4,000 rollups left behind by a long outage of the event bus.
    const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() });
    const site = newSite();
    const rollups = Array.from({ length: 4000 }, (_, i) => ({
      site,
      provider: "okta",
      minute: new Date(t0 + i * 60_000).toISOString(),
      global: { up: 60 },
      regions: { "us-east-1": { up: 60 }, "us-west-2": { up: 60 }, "eu-west-1": { up: 60 } },
    }));

    // Act
    const saving = store.saveState(state(site, 1), 0, { events: [], notifications: [], audit: [], rollups });

    // Assess
    await expect(saving).rejects.toMatchObject({ name: "StateItemTooLargeError" });
  });
});
