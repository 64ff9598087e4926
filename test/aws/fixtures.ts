import { Route53Client } from "@aws-sdk/client-route-53";
import { type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import type { Config, Redactor, Site } from "@idp-failover/core";
import { testConfig, testZoneId, testZoneName } from "@idp-failover/core/testing";
import {
  type EventBridgeStandIn,
  type Route53StandIn,
  type StoredRecordSet,
  startEventBridgeStandIn,
  startRoute53StandIn,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { type LocalDynamo, startDynalite, testCredentials } from "./dynalite.js";

/*
 * A small AWS on 127.0.0.1 for the adapter and evaluator tests: dynalite with the table, the Route 53
 * stand-in with the site's zone and weighted records (all weight on okta), the EventBridge stand-in
 * with the bus; and the real adapters pointed at them.
 */

export const busName = "idp-failover";

export interface AwsWorld {
  dynamo: LocalDynamo;
  route53: Route53StandIn;
  eventbridge: EventBridgeStandIn;
  /** A fresh set of adapters (own SDK clients), as a separate evaluator process would have. */
  adapters(options?: { maxAttempts?: number; dynamoEndpoint?: string; redactor?: Redactor }): AwsAdapters;
  close(): Promise<void>;
}

/** The Route 53 stand-in of a test file, and the real Route 53 clients its tests talk to it with. */
export interface Route53ForTests {
  readonly route53: Route53StandIn;
  /** A client on the stand-in (or on `endpoint`), destroyed after the test. */
  client(options?: { region?: string; maxAttempts?: number; endpoint?: string }): Route53Client;
}

/**
 * Starts the Route 53 stand-in before a file's tests and closes it after them; before each test the
 * test zone is made again (empty), faults are cleared and held changes released.
 */
export function route53ForTests(options: { insyncAfterMs: number }): Route53ForTests {
  let standIn: Route53StandIn | undefined;
  let clients: Route53Client[] = [];
  const started = () => {
    if (!standIn) throw new Error("the Route 53 stand-in is not started yet");
    return standIn;
  };
  beforeAll(async () => {
    standIn = await startRoute53StandIn(options);
  });
  afterAll(async () => {
    await standIn?.close();
  });
  beforeEach(() => {
    started().createZone(testZoneName, testZoneId);
    started().clearFaults();
    started().releasePending();
  });
  afterEach(() => {
    for (const c of clients) c.destroy();
    clients = [];
  });
  return {
    get route53() {
      return started();
    },
    client: (client = {}) => {
      const made = new Route53Client({
        region: client.region ?? "us-east-1",
        endpoint: client.endpoint ?? started().url,
        credentials: testCredentials,
        ...(client.maxAttempts !== undefined ? { maxAttempts: client.maxAttempts } : {}),
      });
      clients.push(made);
      return made;
    },
  };
}

/**
 * The SDK reads credentials from the process, as it does for an operator: idpctl tests stub the
 * test credentials there (and undo it with `vi.unstubAllEnvs`).
 */
export function stubOperatorCredentials(): void {
  vi.stubEnv("AWS_ACCESS_KEY_ID", testCredentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", testCredentials.secretAccessKey);
  vi.stubEnv("AWS_PROFILE", "");
}

/** The environment an idpctl command finds this world through: endpoints, table, region. */
export function idpctlEnv(world: AwsWorld): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
    AWS_ENDPOINT_URL_ROUTE_53: world.route53.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: world.eventbridge.url,
    IDP_FAILOVER_TABLE: world.dynamo.tableName,
    AWS_REGION: "us-east-1",
  };
}

/** The home resources a deployed function's `IdpFailover` link names: this world's table and bus. */
export function homeLink(world: AwsWorld): { region: string; tableName: string; eventBusName: string } {
  return { region: "us-east-1", tableName: world.dynamo.tableName, eventBusName: busName };
}

/** A provider's weighted record at the site's login name, pointing at its DNS target, as Route 53 would hold it. */
export function weightedRecord(
  site: Site,
  provider: string,
  weight: number,
  extra: { ttl?: number; healthCheckId?: string } = {},
): StoredRecordSet {
  const p = site.providers.find((candidate) => candidate.id === provider);
  if (!p) throw new Error(`site ${site.id} has no provider ${provider}`);
  return {
    name: site.hostname,
    type: site.recordType,
    setIdentifier: p.setIdentifier,
    weight,
    ttl: extra.ttl ?? 60,
    values: [p.dnsTarget],
    ...(extra.healthCheckId ? { healthCheckId: extra.healthCheckId } : {}),
  };
}

export async function startAwsWorld(config: Config = testConfig()): Promise<AwsWorld> {
  const [dynamo, route53, eventbridge] = await Promise.all([
    startDynalite(),
    startRoute53StandIn({ insyncAfterMs: 30 }),
    startEventBridgeStandIn({ buses: [busName] }),
  ]);
  route53.createZone(testZoneName, testZoneId);
  for (const site of config.sites) {
    route53.seed(
      testZoneId,
      site.providers.map((p, i) =>
        weightedRecord(site, p.id, i === 0 ? 100 : 0, {
          ttl: site.ttl,
          ...(i === 0 ? { healthCheckId: `hc-${site.id}-${p.id}` } : {}),
        }),
      ),
    );
  }
  const made: AwsAdapters[] = [];
  return {
    dynamo,
    route53,
    eventbridge,
    adapters: (options = {}) => {
      const adapters = createAwsAdapters({
        tableName: dynamo.tableName,
        eventBusName: busName,
        region: "us-east-1",
        credentials: testCredentials,
        maxAttempts: options.maxAttempts ?? 2,
        endpoints: {
          dynamodb: options.dynamoEndpoint ?? dynamo.endpoint,
          route53: route53.url,
          eventbridge: eventbridge.url,
        },
        ...(options.redactor ? { redactor: options.redactor } : {}),
      });
      made.push(adapters);
      return adapters;
    },
    close: async () => {
      for (const a of made) a.destroy();
      await Promise.all([dynamo.close(), route53.close(), eventbridge.close()]);
    },
  };
}
