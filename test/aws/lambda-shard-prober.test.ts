import { LambdaClient } from "@aws-sdk/client-lambda";
import { LambdaShardProber, ShardUnansweredError } from "@idp-failover/aws";
import { type ProbeShard, shardRequestSchema } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { probeShardRequest } from "@idp-failover/orchestration";
import { LambdaStandIn } from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testCredentials } from "./dynalite.js";

/*
 * The coordinator's side of the probe fan-out with the real Lambda client against the Lambda stand-in
 * (Invoke's REST-JSON wire: POST /2015-03-31/functions/{name}/invocations): a shard's round comes back
 * parsed; a function error (`X-Amz-Function-Error`), a throttle (429), a worker that never answers
 * before the round's signal, or an answer that is not the shard's round are each a
 * ShardUnansweredError, which the round records as a silent shard.
 */

const region = "eu-west-1";
const worker = "idp-failover-probe-shard-eu-west-1";
const shard: ProbeShard = { index: 1, count: 4, sites: ["acme", "globex"] };
const at = Date.parse("2026-12-04T09:00:00Z");
let lambda: LambdaStandIn;
let clients: LambdaClient[] = [];

function roundOf(event: unknown) {
  const request = shardRequestSchema.parse(event);
  return {
    region: request.region,
    at: request.at,
    results: request.sites.map((site) => ({
      site,
      provider: "okta",
      region: request.region,
      probe: "jwks",
      kind: "jwks",
      criticality: "critical",
      at: new Date(request.at).toISOString(),
      ok: true,
      latencyMs: 42,
    })),
  };
}

function prober(functionName = worker): LambdaShardProber {
  // One attempt: the SDK's retry of a throttle would wait out its backoff on the wall clock.
  const client = new LambdaClient({
    region,
    endpoint: lambda.url,
    credentials: testCredentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return new LambdaShardProber({ functionName, region, client });
}

const never = () => new AbortController().signal;

beforeAll(async () => {
  lambda = await LambdaStandIn.start();
});
afterAll(async () => {
  await lambda?.close();
});
afterEach(() => {
  lambda.restore(worker);
  lambda.invocations.length = 0;
  for (const c of clients) c.destroy();
  clients = [];
});

describe("LambdaShardProber", () => {
  it("invokes the shard worker synchronously with the shard's request and returns its round", async () => {
    // Prepare
    lambda.define(worker, async (event) => roundOf(event));
    // Act
    const round = await prober().probe(shard, at, never());
    // Assess
    expect(lambda.invocations).toEqual([
      {
        functionName: worker,
        invocationType: "RequestResponse",
        event: { region, at, shard: 1, shards: 4, sites: ["acme", "globex"] },
      },
    ]);
    expect(round.results.map((r) => r.site)).toEqual(["acme", "globex"]);
    expect(round).toMatchObject({ region, at });
  });

  it("runs the worker use case end to end: the request the worker parses is the one the prober sent", async () => {
    // Prepare: the worker is the real use case, with a config that has the shard's sites and no probes.
    const config = testConfig({ sites: ["acme", "globex"] });
    const withoutProbes = {
      ...config,
      sites: config.sites.map((s) => ({ ...s, providers: s.providers.map((p) => ({ ...p, probes: [] })) })),
    };
    lambda.define(worker, (event) =>
      probeShardRequest(
        {
          config: withoutProbes,
          region,
          probe: { secrets: () => undefined, now: () => at },
        },
        event,
      ),
    );
    // Act
    const round = await prober().probe(shard, at, never());
    // Assess
    expect(round).toEqual({ region, at, results: [] });
  });

  it("takes a function error as no answer, with the worker's error message", async () => {
    lambda.define(worker, async () => {
      throw new TypeError("cannot read the probe memory");
    });
    await expect(prober().probe(shard, at, never())).rejects.toThrow(
      /shard 2 of 4: the worker failed \(Unhandled\): TypeError: cannot read the probe memory/,
    );
  });

  it("takes a throttle (429 TooManyRequestsException) as no answer", async () => {
    lambda.define(worker, async (event) => roundOf(event));
    lambda.fault(worker, "throttled");
    const error = await prober()
      .probe(shard, at, never())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardUnansweredError);
    expect(String(error)).toMatch(/shard 2 of 4: TooManyRequestsException/);
  });

  it("stops waiting for a worker that does not answer when the round's signal ends", async () => {
    lambda.define(worker, async (event) => roundOf(event));
    lambda.fault(worker, "hang");
    const stop = new AbortController();
    const pending = prober().probe(shard, at, stop.signal);
    await vitestWaitFor(() => lambda.invocations.length === 1);
    stop.abort();
    await expect(pending).rejects.toThrow(/shard 2 of 4: no answer before the round's deadline/);
  });

  it("refuses an answer that is not this shard's round", async () => {
    lambda.define(worker, async (event) => ({ ...roundOf(event), region: "us-east-1" }));
    await expect(prober().probe(shard, at, never())).rejects.toThrow(/answered for us-east-1/);
    lambda.define(worker, async () => ({ results: "none" }));
    await expect(prober().probe(shard, at, never())).rejects.toThrow(/not a round/);
  });

  it("takes a missing worker function (404 ResourceNotFoundException) as no answer", async () => {
    await expect(prober("not-deployed").probe(shard, at, never())).rejects.toThrow(
      /ResourceNotFoundException/,
    );
  });
});

/** Waits on the event loop (no wall-clock sleep) until `ready`: the stand-in answers on it. */
async function vitestWaitFor(ready: () => boolean): Promise<void> {
  for (let turns = 0; turns < 10_000 && !ready(); turns++) await new Promise((done) => setImmediate(done));
  if (!ready()) throw new Error("condition not reached");
}
