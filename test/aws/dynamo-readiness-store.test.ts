import { randomBytes } from "node:crypto";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoReadinessStore } from "@idp-failover/aws";
import type { ReadinessResult } from "@idp-failover/core";
import { testReadinessResult } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite } from "./dynalite.js";

/* The readiness adapter with the real DynamoDB client against dynalite. */

let dynamo: LocalDynamo;
let store: DynamoReadinessStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  store = new DynamoReadinessStore({ tableName: dynamo.tableName, client: dynamo.client() });
});
afterAll(async () => {
  await dynamo.close();
});

function result(site: string, at: string, patch: Partial<ReadinessResult> = {}): ReadinessResult {
  return testReadinessResult({ site, startedAt: at, at, readinessPct: 97.5, ...patch });
}

describe("DynamoReadinessStore", () => {
  it("keeps the latest result, a dated history, and the last complete score for the evaluator", async () => {
    // Prepare / Act: a complete run, then a partial one a day later.
    await store.putResult(result("alpha", "2026-03-01T06:00:00.000Z"));
    await store.putResult(
      result("alpha", "2026-03-02T06:00:00.000Z", {
        status: "partial",
        readinessPct: null,
        partial: [
          {
            what: "okta users",
            message: "Okta /api/v1/users: HTTP 403 E0000006: missing scope okta.users.read",
          },
        ],
      }),
    );

    // Assess
    expect((await store.latest("alpha"))?.status).toBe("partial");
    expect(await store.latestReadiness("alpha")).toEqual({
      site: "alpha",
      secondary: "entra",
      readinessPct: 97.5,
      at: "2026-03-01T06:00:00.000Z",
    });
    const history = await store.history(
      "alpha",
      Date.parse("2026-03-01T00:00:00Z"),
      Date.parse("2026-03-03T00:00:00Z"),
    );
    expect(history.map((r) => r.at)).toEqual(["2026-03-01T06:00:00.000Z", "2026-03-02T06:00:00.000Z"]);
    expect(
      await store.history("alpha", Date.parse("2026-03-02T00:00:00Z"), Date.parse("2026-03-02T06:00:00Z")),
    ).toEqual([]);
    expect(await store.latest("beta")).toBeUndefined();
  });

  it("stores a multi-megabyte Entra state in chunks and reads it back whole", async () => {
    const bytes = randomBytes(900_000);

    await store.saveSnapshot("alpha", bytes, Date.parse("2026-03-01T06:00:00Z"));
    const loaded = await store.loadSnapshot("alpha");

    expect(loaded && Buffer.compare(Buffer.from(loaded), bytes)).toBe(0);
  });

  it("reads the newest generation, and nothing when a chunk does not match the head's digest", async () => {
    await store.saveSnapshot("gamma", randomBytes(10), Date.parse("2026-03-01T06:00:00Z"));
    const newer = randomBytes(400_000);
    await store.saveSnapshot("gamma", newer, Date.parse("2026-03-02T06:00:00Z"));
    expect(Buffer.compare(Buffer.from((await store.loadSnapshot("gamma")) ?? []), newer)).toBe(0);

    const doc = DynamoDBDocumentClient.from(dynamo.client());
    const generation = Date.parse("2026-03-02T06:00:00Z").toString(36);
    await doc.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: { PK: "READINESS#gamma", SK: `SNAPSHOT#${generation}#0001`, data: randomBytes(50_000) },
      }),
    );

    expect(await store.loadSnapshot("gamma")).toBeUndefined();
  });
});
