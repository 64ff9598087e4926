import { DynamoDataPlaneStore } from "@idp-failover/aws";
import { verdictManifest } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite, testCredentials } from "../aws/dynalite.js";
import { createDataPlaneTable } from "./data-plane-table.js";
import { lambdaContext } from "./lambda-context.js";

/*
 * The deployed verdict function, as Lambda runs it: its manifest arrives as SST's `IdpFailoverVerdicts` link,
 * the region's data-plane table as an environment variable, and the SDK finds DynamoDB (dynalite
 * here) through AWS_ENDPOINT_URL_DYNAMODB.
 */

let dynamo: LocalDynamo;
let invoke: (event: LambdaFunctionURLEvent, context: Context) => Promise<unknown>;
const handler = (event: LambdaFunctionURLEvent) => invoke(event, lambdaContext("verdict"));
const tableName = "data-plane-eu-west-1";

beforeAll(async () => {
  dynamo = await startDynalite();
  const admin = dynamo.client();
  await createDataPlaneTable(admin, tableName);
  admin.destroy();
  Object.assign(process.env, {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    IDP_FAILOVER_DATA_PLANE_TABLE: tableName,
    SST_RESOURCE_App: JSON.stringify({ name: "idp-failover", stage: "test" }),
    SST_RESOURCE_IdpFailoverVerdicts: JSON.stringify(verdictManifest(testConfig())),
  });
  ({ handler: invoke } = await import("../../functions/src/verdict.js"));
});

afterAll(async () => {
  await dynamo.close();
});

function get(path: string): LambdaFunctionURLEvent {
  return { rawPath: path, requestContext: { http: { method: "GET" } } } as unknown as LambdaFunctionURLEvent;
}

describe("the verdict function", () => {
  it("answers 503 from its region's item when the region says down, 200 for the healthy provider", async () => {
    const now = Date.now();
    await new DynamoDataPlaneStore({ tableName, client: dynamo.client() }).put({
      site: "acme",
      region: "eu-west-1",
      writtenAt: now,
      providers: {
        okta: { lastRoundAt: now, down: true, latched: false },
        entra: { lastRoundAt: now, down: false, latched: false },
      },
    });
    expect(await handler(get("/v1/health/acme/okta"))).toMatchObject({ statusCode: 503 });
    expect(await handler(get("/v1/health/acme/entra"))).toMatchObject({ statusCode: 200 });
  });

  it("answers 404 for a site or provider the config does not have", async () => {
    expect(await handler(get("/v1/health/nobody/okta"))).toMatchObject({ statusCode: 404 });
    expect(await handler(get("/v1/health/acme/ping"))).toMatchObject({ statusCode: 404 });
    expect(await handler(get("/health"))).toMatchObject({ statusCode: 404 });
  });
});
