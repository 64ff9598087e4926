import { STSClient } from "@aws-sdk/client-sts";
import { DynamoStore, StsCallerIdentity } from "@idp-failover/aws";
import { type AuditRecord, storeAuditedAs, verifiedOperator } from "@idp-failover/core";
import { StsStandIn } from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite, testCredentials } from "./dynalite.js";

/*
 * Who the caller is, from the real STS client against the STS stand-in on 127.0.0.1 (the query
 * protocol: the SDK's own serializer and XML deserializer), and the verified identity stored in the
 * audit trail on DynamoDB, an ARN's `:` and `/` and its length included.
 */

const alice = {
  arn: "arn:aws:sts::123456789012:assumed-role/Oncall/alice@example.com",
  account: "123456789012",
  userId: "AROA3XFRBF23EXAMPLE:alice@example.com",
};

let sts: StsStandIn;
let dynamo: LocalDynamo;
const clients: STSClient[] = [];
beforeAll(async () => {
  [sts, dynamo] = await Promise.all([
    StsStandIn.start({ identities: { [testCredentials.accessKeyId]: alice } }),
    startDynalite(),
  ]);
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});
afterAll(async () => {
  await Promise.all([sts?.close(), dynamo?.close()]);
});

function callerIdentity(credentials = testCredentials): StsCallerIdentity {
  const client = new STSClient({ region: "us-east-1", endpoint: sts.url, credentials, maxAttempts: 1 });
  clients.push(client);
  return new StsCallerIdentity({ client });
}

describe("StsCallerIdentity", () => {
  it("returns the ARN, account and user id STS gives the caller's credentials", async () => {
    // Act
    const outcome = await callerIdentity().whoAmI();

    // Assess
    expect(outcome).toEqual({ kind: "verified", identity: { verifiedBy: "sts", ...alice } });
    expect(sts.calls.at(-1)).toBe(testCredentials.accessKeyId);
  });

  it("is unverified, with STS's error, for credentials STS does not know", async () => {
    // Act
    const outcome = await callerIdentity({ accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }).whoAmI();

    // Assess
    expect(outcome).toEqual({
      kind: "unverified",
      message: expect.stringMatching(
        /InvalidClientTokenId: The security token included in the request is invalid/,
      ),
    });
  });

  it("is unverified for expired credentials", async () => {
    // Prepare
    sts.failNext("ExpiredToken");

    // Act
    const outcome = await callerIdentity().whoAmI();

    // Assess
    expect(outcome).toMatchObject({ kind: "unverified", message: expect.stringContaining("ExpiredToken") });
  });

  it("is unverified when the answer is not an identity (an account that is not 12 digits)", async () => {
    // Prepare
    sts.setIdentity("AKIDODD", { ...alice, account: "12" });

    // Act
    const outcome = await callerIdentity({ accessKeyId: "AKIDODD", secretAccessKey: "x" }).whoAmI();

    // Assess
    expect(outcome).toMatchObject({ kind: "unverified", message: expect.stringContaining("unexpected") });
  });
});

describe("a verified operator in the audit trail on DynamoDB", () => {
  it("keeps an ARN of STS's greatest length, with its : and /, whole", async () => {
    // Prepare: 2048 characters, past what a DynamoDB sort key holds (1024 bytes).
    const arn = `arn:aws:iam::123456789012:user/${"ops/".repeat(500)}`.padEnd(2048, "x");
    const operator = verifiedOperator({ arn, account: "123456789012", userId: "AIDAEXAMPLE" }, "Ana");
    const store = storeAuditedAs(
      new DynamoStore({ client: dynamo.client(), tableName: dynamo.tableName }),
      operator,
    );
    const record: AuditRecord = {
      site: "long-arn",
      at: "2026-03-01T12:00:00.000Z",
      seq: 3,
      actor: operator.actor,
      action: "freeze",
      reason: "maintenance",
    };

    // Act
    await store.appendAudit([record]);
    const [stored] = await store.listAudit("long-arn", 0, Date.parse("2026-03-02T00:00:00Z"));

    // Assess
    expect(stored).toEqual({
      ...record,
      identity: { verifiedBy: "sts", arn, account: "123456789012", userId: "AIDAEXAMPLE" },
      displayName: "Ana",
    });
  });
});
