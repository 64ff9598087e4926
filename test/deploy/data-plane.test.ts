import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDataPlaneStore } from "@idp-failover/aws";
import {
  type Config,
  calculatedHealthThreshold,
  initialSiteState,
  type ProbeResult,
  ProbeTicks,
  verdictManifest,
  verdictPath,
  verdictResource,
} from "@idp-failover/core";
import { testConfig, testSite, testZoneId } from "@idp-failover/core/testing";
import {
  answerVerdictRequest,
  LatchReader,
  type ProbeTickDeps,
  runProbeTick,
} from "@idp-failover/orchestration";
import { Route53HealthCheckers } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsWorld, startAwsWorld, weightedRecord } from "../aws/fixtures.js";
import { createDataPlaneTable } from "./data-plane-table.js";

/*
 * The incident path without the Route 53 API: probe rounds in three regions write their verdicts to
 * each region's own data-plane table; each region's verdict endpoint answers from it; Route 53's
 * health checkers poll the endpoints (inverted, failure threshold 2, the secret in the path), the
 * calculated check applies the quorum, and the stand-in's answer rules say where the login hostname
 * goes. The Route 53 stand-in counts control-plane requests: an outage must move traffic with none.
 * And the data plane fails safe: an endpoint that is throttled, erroring or asked without the secret
 * never withdraws the primary.
 */

const config: Config = testConfig();
const site = testSite(config);
const hostname = site.hostname;
const regions = config.regions;
const quorumCheck = "hc-acme-okta";
const start = Date.parse("2026-05-04T09:00:00Z");
const secret = "b7f3a1c9d2e4f60718293a4b5c6d7e8f";
/** What each region's endpoint does instead of answering (a flood throttling the function, a crash). */
const broken = new Map<string, number>();

let world: AwsWorld;
let servers: Server[];
let checkers: Route53HealthCheckers;
let workers: Map<string, ProbeTickDeps>;
let clock: number;
const oktaDown = new Set<string>();

beforeEach(async () => {
  world = await startAwsWorld(config);
  clock = start;
  oktaDown.clear();
  broken.clear();
  entraDown = false;
  const adapters = world.adapters();
  const admin = world.dynamo.client();
  servers = [];
  workers = new Map();
  checkers = new Route53HealthCheckers(world.route53);
  for (const region of regions) {
    const tableName = `data-plane-${region}`;
    await createDataPlaneTable(admin, tableName);
    const items = new DynamoDataPlaneStore({ tableName, client: world.dynamo.client() });
    const server = createServer((req, res) => {
      const status = broken.get(region);
      if (status !== undefined) {
        // What the Function URL answers when Lambda throttles (429) or the function fails (502).
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ Message: status === 429 ? "Rate Exceeded." : "Internal Server Error" }));
        return;
      }
      void answerVerdictRequest(
        { method: req.method ?? "GET", path: req.url ?? "/" },
        { manifest: verdictManifest(config), region, secret, items, now: () => clock },
      ).then((reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        res.end(reply.body);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${verdictPath(verdictResource(site.id, "okta"), secret)}`;
    checkers.addEndpointCheck({
      id: `verdict-${region}`,
      url,
      failureThreshold: config.dataPlane?.failureThreshold ?? 2,
      checkers: 3,
      inverted: true,
    });
    workers.set(region, {
      config,
      region,
      ticks: new ProbeTicks(),
      queue: { schedule: async () => undefined, isIdle: async () => false },
      prober: { probe: async (_shard, at) => ({ region, at, results: roundResults(region, at) }) },
      store: adapters.store,
      dataPlane: { latches: new LatchReader(adapters.store, 0), items, written: new Map() },
      evaluator: { wake: async () => undefined },
      clock: { now: () => clock },
    });
  }
  admin.destroy();
  checkers.addCalculatedCheck({
    id: quorumCheck,
    children: regions.map((r) => `verdict-${r}`),
    healthThreshold: calculatedHealthThreshold(regions.length, config.policy.quorum),
  });
});

afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  await world.close();
});

let entraDown = false;

function roundResults(region: string, at: number): ProbeResult[] {
  return site.providers.flatMap((provider) => {
    const down = (provider.id === "okta" && oktaDown.has(region)) || (provider.id === "entra" && entraDown);
    return ["oidc-discovery", "jwks"].map(
      (probe): ProbeResult => ({
        site: site.id,
        provider: provider.id,
        region,
        probe,
        kind: probe as ProbeResult["kind"],
        criticality: "critical",
        at: new Date(at).toISOString(),
        ok: !down,
        latencyMs: down ? 5000 : 80,
        ...(down ? { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } } : {}),
      }),
    );
  });
}

/** One probe round in every region, then one polling interval of Route 53's checkers. */
async function round(): Promise<void> {
  clock += config.policy.cadenceSeconds * 1000;
  for (const [, deps] of workers) {
    const report = await runProbeTick(deps, clock);
    expect(report.kind).toBe("probed");
  }
  await checkers.tick();
}

function answer(): { targets: string[]; rule: string } {
  const resolution = world.route53.resolve(hostname, "CNAME");
  return { targets: resolution.answers.flatMap((a) => a.values), rule: resolution.rule };
}

describe("data-plane failover", () => {
  it("moves the login hostname to Entra during an Okta outage with no Route 53 API call", async () => {
    await round();
    await round();
    expect(answer()).toEqual({ targets: ["acme.customdomains.okta.com"], rule: "healthy" });

    const controlPlaneBefore = world.route53.count();
    for (const region of regions) oktaDown.add(region);
    for (let i = 0; i < 4; i++) await round();

    expect(checkers.isHealthy(quorumCheck)).toBe(false);
    expect(answer()).toEqual({ targets: ["acme-login.azurefd.net"], rule: "zero-weight fallback" });
    expect(world.route53.count()).toBe(controlPlaneBefore);
    expect(checkers.requests.get("verdict-us-east-1")).toBeGreaterThan(0);
  });

  it("keeps Okta when only one region sees it down (the quorum)", async () => {
    oktaDown.add("eu-west-1");
    for (let i = 0; i < 5; i++) await round();

    expect(checkers.isHealthy("verdict-eu-west-1")).toBe(false);
    expect(checkers.isHealthy(quorumCheck)).toBe(true);
    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });

  it("comes back to Okta on its own when the outage ends and nothing was latched", async () => {
    for (const region of regions) oktaDown.add(region);
    for (let i = 0; i < 4; i++) await round();
    expect(answer().targets).toEqual(["acme-login.azurefd.net"]);

    oktaDown.clear();
    for (let i = 0; i < 6; i++) await round();
    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });

  it("holds a failed-over primary out after it recovers until failback is approved", async () => {
    const store = world.adapters().store;
    const failedOver = {
      ...initialSiteState(site, start),
      version: 1,
      state: "secondary-active" as const,
      active: "entra",
      weights: { okta: 0, entra: 100 },
    };
    await store.saveState(failedOver, 0);
    // Route 53's API was down: the records still carry okta 100, entra 0.
    for (let i = 0; i < 4; i++) await round();
    expect(answer().targets).toEqual(["acme-login.azurefd.net"]);

    const approved = {
      ...failedOver,
      version: 2,
      state: "failing-back" as const,
      weights: { okta: 10, entra: 90 },
    };
    expect(await store.saveState(approved, 1)).toEqual({ kind: "saved" });
    for (let i = 0; i < 3; i++) await round();
    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });
});

describe("the data plane fails safe", () => {
  it("never withdraws Okta when a flood throttles the verdict endpoints in every region", async () => {
    await round();
    for (const region of regions) broken.set(region, 429);
    for (let i = 0; i < 6; i++) await round();

    expect(checkers.isHealthy(quorumCheck)).toBe(true);
    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
    expect(checkers.requests.get("verdict-us-east-1")).toBeGreaterThan(0);
  });

  it("still withdraws a down Okta with one region's endpoint throttled, from the two that answer", async () => {
    broken.set("us-west-2", 429);
    for (const region of regions) oktaDown.add(region);
    for (let i = 0; i < 4; i++) await round();

    expect(answer().targets).toEqual(["acme-login.azurefd.net"]);
  });

  it("never withdraws Okta when the endpoints fail (502) while Okta is down: the control plane acts then", async () => {
    for (const region of regions) {
      oktaDown.add(region);
      broken.set(region, 502);
    }
    for (let i = 0; i < 4; i++) await round();

    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });

  it("withdraws nothing on its own while the site is frozen (the data plane holds too)", async () => {
    const store = world.adapters().store;
    await store.saveState({ ...initialSiteState(site, start), version: 1, state: "frozen" }, 0);
    for (const region of regions) oktaDown.add(region);
    for (let i = 0; i < 4; i++) await round();

    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });

  it("keeps Okta when Entra is down too (the both-down guard)", async () => {
    entraDown = true;
    for (const region of regions) oktaDown.add(region);
    for (let i = 0; i < 4; i++) await round();

    expect(answer().targets).toEqual(["acme.customdomains.okta.com"]);
  });

  it("answers a request without the secret like any unknown path: keep", async () => {
    const address = servers[0]?.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${address.port}${verdictResource(site.id, "okta")}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("keep: not found\n");
  });
});

describe("Route 53's answer rules in the stand-in", () => {
  it("treats every record as healthy when every record is unhealthy", async () => {
    world.route53.seed(testZoneId, [weightedRecord(site, "entra", 0, { healthCheckId: "hc-entra" })]);
    world.route53.setHealth("hc-entra", false);
    world.route53.setHealth(quorumCheck, false);
    expect(answer()).toEqual({ targets: ["acme.customdomains.okta.com"], rule: "all unhealthy" });
  });
});
