import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDataPlaneStore, dataPlaneKey } from "@idp-failover/aws";
import { verdictManifest } from "@idp-failover/core";
import { testConfig, testDataPlaneItem } from "@idp-failover/core/testing";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LocalDynamo, startDynalite } from "../aws/dynalite.js";
import { createDataPlaneTable } from "./data-plane-table.js";
import { lambdaContext, setLambdaEnvironment } from "./lambda-context.js";

/*
 * The deployed verdict function, as Lambda runs it: its manifest arrives as SST's `IdpFailoverVerdicts` link,
 * the region's data-plane table as an environment variable, and the SDK finds DynamoDB (dynalite
 * here) through AWS_ENDPOINT_URL_DYNAMODB.
 */

let dynamo: LocalDynamo;
const secret = "5ecret5ecret5ecret5ecret5ecret00";
const logged: string[] = [];
let invoke: (event: LambdaFunctionURLEvent, context: Context) => Promise<unknown>;
const handler = (event: LambdaFunctionURLEvent) => invoke(event, lambdaContext("verdict"));
const tableName = "data-plane-eu-west-1";

beforeAll(async () => {
  dynamo = await startDynalite();
  const admin = dynamo.client();
  await createDataPlaneTable(admin, tableName);
  admin.destroy();
  setLambdaEnvironment({
    region: "eu-west-1",
    dynamoEndpoint: dynamo.endpoint,
    links: { IdpFailoverVerdicts: verdictManifest(testConfig()), VerdictPathSecret: { value: secret } },
    env: { IDP_FAILOVER_DATA_PLANE_TABLE: tableName },
  });
  // Everything the function writes to its log (Powertools writes JSON lines to stdout).
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest) => {
    logged.push(String(chunk));
    return write(chunk, ...(rest as []));
  });
  vi.spyOn(console, "info").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
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
  it("answers withdraw (200) from its region's item when the region says down, keep (404) otherwise", async () => {
    const now = Date.now();
    await new DynamoDataPlaneStore({ tableName, client: dynamo.client() }).put(
      testDataPlaneItem(now, { okta: { down: true } }),
    );
    expect(await handler(get(`/v1/${secret}/health/acme/okta`))).toEqual({
      statusCode: 200,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      body: "idp-failover:withdraw down in this region\n",
    });
    expect(await handler(get(`/v1/${secret}/health/acme/entra`))).toMatchObject({ statusCode: 404 });
  });

  it("keeps (404) for a wrong secret, an unknown site or provider, and never logs the path", async () => {
    expect(await handler(get("/v1/not-the-secret/health/acme/okta"))).toMatchObject({ statusCode: 404 });
    expect(await handler(get(`/v1/${secret}/health/nobody/okta`))).toMatchObject({ statusCode: 404 });
    expect(await handler(get(`/v1/${secret}/health/acme/ping`))).toMatchObject({ statusCode: 404 });
    expect(await handler(get("/health"))).toMatchObject({ statusCode: 404 });
    expect(logged.join("\n")).not.toContain(secret);
    expect(logged.join("\n")).toContain('"withdraw":true');
  });

  it("keeps the provider (404) on an item that does not parse, and the store names the field that is wrong", async () => {
    // Prepare: an item whose okta entry says "yes" where a boolean belongs.
    const client = dynamo.client();
    const now = Date.now();
    await DynamoDBDocumentClient.from(client).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...dataPlaneKey("acme", "eu-west-1"),
          item: {
            site: "acme",
            region: "eu-west-1",
            writtenAt: now,
            providers: { okta: { lastRoundAt: now, down: "yes", latched: false } },
          },
        },
      }),
    );

    // Act
    const answer = await handler(get(`/v1/${secret}/health/acme/okta`));
    const failure = await new DynamoDataPlaneStore({ tableName, client }).get("acme", "eu-west-1").then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(answer).toMatchObject({ statusCode: 404 });
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/data-plane item of acme in eu-west-1 does not parse/);
    expect((failure as Error).message).toMatch(/"okta",\s*"down"/);
    client.destroy();
  });
});
