import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAwsAdapters, DynamoDataPlaneStore, probeRoundDetailType } from "@idp-failover/aws";
import { nextTick, parseProbeTick } from "@idp-failover/core";
import {
  type EventBridgeStandIn,
  type SqsStandIn,
  startEventBridgeStandIn,
  startSqsStandIn,
} from "@idp-failover/stand-ins";
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite, testCredentials } from "../aws/dynalite.js";
import { busName } from "../aws/fixtures.js";
import { createDataPlaneTable } from "./data-plane-table.js";
import { lambdaContext, setLambdaEnvironment } from "./lambda-context.js";

/*
 * The deployed probe function in eu-west-1, as Lambda runs it: the config and home resources arrive
 * as SST's `IdpFailover` link, the region's data-plane table and tick queue as environment
 * variables, and the SDK finds DynamoDB (dynalite), SQS and EventBridge (the stand-ins) through
 * AWS_ENDPOINT_URL_*. The IdPs are one local HTTP server; okta answers 503 when told to.
 */

const region = "eu-west-1";
const dataPlaneTable = "data-plane-eu-west-1";
let dynamo: LocalDynamo;
let sqs: SqsStandIn;
let bus: EventBridgeStandIn;
let idp: Server;
let oktaStatus = 200;
let handler: (event: SQSEvent | { kind?: string }, context: Context) => Promise<void>;
const context = lambdaContext("probe");

beforeAll(async () => {
  [dynamo, sqs, bus] = await Promise.all([
    startDynalite(),
    startSqsStandIn(),
    startEventBridgeStandIn({ buses: [busName] }),
  ]);
  const admin = dynamo.client();
  await createDataPlaneTable(admin, dataPlaneTable);
  admin.destroy();
  idp = createServer((req, res) => {
    res.writeHead(req.url === "/okta" ? oktaStatus : 200).end("ok");
  });
  await new Promise<void>((done) => idp.listen(0, "127.0.0.1", done));
  const idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const provider = (id: string) => ({
    id,
    kind: "oidc",
    issuer: `https://${id}.example`,
    dnsTarget: `${id}.example`,
    probes: [{ kind: "http", url: `${idpUrl}/${id}` }],
  });
  setLambdaEnvironment({
    region,
    dynamoEndpoint: dynamo.endpoint,
    env: {
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
      IDP_FAILOVER_DATA_PLANE_TABLE: dataPlaneTable,
      IDP_FAILOVER_PROBE_QUEUE_URL: `${sqs.url}/123456789012/ticks`,
    },
    links: {
      IdpFailover: {
        config: {
          regions: ["us-east-1", "us-west-2", region],
          alerting: { eventBus: busName },
          policy: { probeTimeoutMs: 2000, slowMs: 1500, confirm: { retries: 0, delayMs: 0 } },
          // The region's own canaries: this machine has no internet, so they answer here.
          monitor: { canaries: [{ name: "local", url: `${idpUrl}/canary/{region}` }] },
          sites: [
            {
              id: "acme",
              hostname: "login.acme.example",
              hostedZoneId: "Z0ACME",
              providers: [provider("okta"), provider("entra")],
            },
          ],
        },
        home: { region: "us-east-1", tableName: dynamo.tableName, eventBusName: busName },
      },
    },
  });
  ({ handler } = await import("../../functions/src/probe.js"));
});

afterAll(async () => {
  await new Promise((done) => idp.close(done));
  await Promise.all([dynamo.close(), sqs.close(), bus.close()]);
});

const tickMessage = (body: string): SQSEvent => ({ Records: [{ body }] }) as unknown as SQSEvent;
const queuedTicks = () => sqs.messages.map((m) => parseProbeTick(m.body)?.tick);

describe("the probe function", () => {
  it("seeds the chain from the watchdog when the queue is empty, and leaves a running chain alone", async () => {
    await handler({ kind: "watchdog" }, context);
    const [seeded] = queuedTicks();
    expect(seeded).toBeGreaterThan(Date.now() - 10_000);
    expect(seeded).toBe(nextTick((seeded ?? 0) - 1, 10));

    await handler({ kind: "watchdog" }, context);
    expect(queuedTicks()).toEqual([seeded]);
    sqs.receiveDue(Number.MAX_SAFE_INTEGER);
  });

  it("runs a tick: next tick queued, results and trackers at home, the data-plane item here, the evaluator woken", async () => {
    // Prepare
    oktaStatus = 503;
    const before = Date.now();
    const tick = Math.floor(before / 10_000) * 10_000;

    // Act
    await handler(tickMessage(JSON.stringify({ tick })), context);

    // Assess: the next tick on the 10 s grid after the round started.
    const [next, ...more] = queuedTicks();
    expect(more).toEqual([]);
    expect(next).toBeGreaterThanOrEqual(nextTick(before, 10));
    expect(next).toBeLessThanOrEqual(nextTick(Date.now(), 10));
    const home = createAwsAdapters({
      tableName: dynamo.tableName,
      eventBusName: busName,
      region: "us-east-1",
      endpoints: { dynamodb: dynamo.endpoint },
      credentials: testCredentials,
    });
    const results = await home.store.listResults("acme", "okta", tick - 60_000, tick + 60_000);
    expect(results).toEqual([expect.objectContaining({ region, ok: false, status: 503 })]);
    expect((await home.store.loadTrackers("acme")).map((t) => `${t.provider}@${t.region}`).sort()).toEqual([
      "entra@eu-west-1",
      "okta@eu-west-1",
    ]);
    home.destroy();
    const item = await new DynamoDataPlaneStore({ tableName: dataPlaneTable, client: dynamo.client() }).get(
      "acme",
      region,
    );
    expect(item?.providers).toMatchObject({ okta: { down: false }, entra: { down: false } });
    expect(bus.events(busName)).toEqual([
      expect.objectContaining({
        detailType: probeRoundDetailType,
        detail: expect.objectContaining({ sites: ["acme"], region }),
      }),
    ]);
  });

  it("drops a malformed tick without probing or continuing the chain", async () => {
    sqs.receiveDue(Number.MAX_SAFE_INTEGER);
    await handler(tickMessage('{"tick":"soon"}'), context);
    expect(sqs.messages).toEqual([]);
  });
});
