import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAwsAdapters } from "@idp-failover/aws";
import { heartbeatKey, parseConfig, probeFanout } from "@idp-failover/core";
import { LambdaStandIn } from "@idp-failover/stand-ins";
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testCredentials } from "../aws/dynalite.js";
import { busName } from "../aws/fixtures.js";
import { lambdaContext } from "./lambda-context.js";
import { httpProvider, type ProbeRegionWorld, startProbeRegionWorld } from "./probe-region-world.js";

/*
 * The deployed fan-out in eu-west-1, as Lambda runs it: the probe function (the coordinator) invokes
 * the real shard worker handler once per shard through the Lambda stand-in, with the real Lambda
 * client finding it through AWS_ENDPOINT_URL_LAMBDA, and records what each shard answers. The config
 * has enough sites (two http probes each, a 5 s cadence) to be split; the IdPs are one local server.
 */

const region = "eu-west-1";
const workerName = "idp-failover-probe-shard-eu-west-1";
const siteCount = 200;
let world: ProbeRegionWorld;
let lambda: LambdaStandIn;
let idp: Server;
let failingShard: number | undefined;
let handler: (event: SQSEvent | { kind?: string }, context: Context) => Promise<void>;
let shards = 0;

function configDocument(idpUrl: string) {
  const provider = (id: string) => httpProvider(idpUrl, id);
  return {
    regions: ["us-east-1", "us-west-2", region],
    alerting: { eventBus: busName },
    policy: {
      cadenceSeconds: 5,
      staleAfterSeconds: 30,
      probeTimeoutMs: 2000,
      slowMs: 1500,
      confirm: { retries: 0, delayMs: 0 },
    },
    dataPlane: { healthCheckQuota: 4 * siteCount },
    monitor: { canaries: [{ name: "local", url: `${idpUrl}/canary/{region}` }] },
    sites: Array.from({ length: siteCount }, (_, i) => ({
      id: `site-${i}`,
      hostname: `login.site-${i}.example`,
      hostedZoneId: "Z0ACME",
      providers: [provider("okta"), provider("entra")],
    })),
  };
}

beforeAll(async () => {
  [world, lambda] = await Promise.all([startProbeRegionWorld(region), LambdaStandIn.start()]);
  idp = createServer((_req, res) => res.writeHead(200).end("ok"));
  await new Promise<void>((done) => idp.listen(0, "127.0.0.1", done));
  const config = configDocument(`http://127.0.0.1:${(idp.address() as AddressInfo).port}`);
  const parsed = parseConfig(config);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  shards = probeFanout(parsed.config).shards;
  Object.assign(
    process.env,
    world.environment(config, {
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      IDP_FAILOVER_PROBE_SHARD_FUNCTION: workerName,
    }),
  );
  ({ handler } = await import("../../functions/src/probe.js"));
  const worker = await import("../../functions/src/probe-shard.js");
  lambda.define(workerName, async (event) => {
    if ((event as { shard?: number }).shard === failingShard) throw new Error("worker crashed");
    return worker.handler(event, lambdaContext("probe-shard"));
  });
});

afterAll(async () => {
  await new Promise((done) => idp.close(done));
  await Promise.all([world.close(), lambda.close()]);
});

const tick = (at: number): SQSEvent =>
  ({ Records: [{ body: JSON.stringify({ tick: at }) }] }) as unknown as SQSEvent;

function homeStore() {
  return createAwsAdapters({
    tableName: world.dynamo.tableName,
    eventBusName: busName,
    region: "us-east-1",
    endpoints: { dynamodb: world.dynamo.endpoint },
    credentials: testCredentials,
  });
}

const shardKeys = (from: number) =>
  Array.from({ length: shards - from }, (_, i) => `${region}#${from + i}/${shards}`).sort();

async function regionHeartbeats(): Promise<string[]> {
  const home = homeStore();
  const beats = (await home.store.loadRegionHeartbeats()).filter((b) => b.region === region);
  home.destroy();
  return beats.map(heartbeatKey).sort();
}

describe("the probe function with its sites in shards", () => {
  it("records the shards that answer when one worker fails, and gives the failed one no heartbeat", async () => {
    // Prepare: shard 0's worker crashes.
    expect(shards).toBeGreaterThan(1);
    failingShard = 0;
    // Act
    await handler(tick(Math.floor(Date.now() / 5_000) * 5_000), lambdaContext("probe"));
    // Assess: every shard was asked, synchronously; every shard but the failed one has its heartbeat.
    expect(lambda.invocations).toHaveLength(shards);
    expect(new Set(lambda.invocations.map((i) => i.invocationType))).toEqual(new Set(["RequestResponse"]));
    expect(await regionHeartbeats()).toEqual(shardKeys(1));
  });

  it("records every site's round with each shard's heartbeat when every worker answers", async () => {
    // Prepare
    failingShard = undefined;
    lambda.invocations.length = 0;
    // Act
    await handler(tick(Math.floor(Date.now() / 5_000) * 5_000 + 5_000), lambdaContext("probe"));
    // Assess
    expect(lambda.invocations).toHaveLength(shards);
    expect(await regionHeartbeats()).toEqual(shardKeys(0));
    const home = homeStore();
    for (const site of ["site-0", `site-${siteCount - 1}`])
      expect((await home.store.loadTrackers(site)).map((t) => `${t.provider}@${t.region}`).sort()).toEqual([
        `entra@${region}`,
        `okta@${region}`,
      ]);
    home.destroy();
  });
});
