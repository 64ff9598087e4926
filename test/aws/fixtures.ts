import { type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import {
  type Config,
  observeRound,
  type Policy,
  parseConfig,
  type RegionTracker,
  type Site,
  summarizeRound,
} from "@idp-failover/core";
import {
  type EventBridgeStandIn,
  type Route53StandIn,
  startEventBridgeStandIn,
  startRoute53StandIn,
} from "@idp-failover/stand-ins";
import { type LocalDynamo, startDynalite, testCredentials } from "./dynalite.js";

/*
 * A small AWS on 127.0.0.1 for the adapter and evaluator tests: dynalite with the table, the Route 53
 * stand-in with the site's zone and weighted records (all weight on okta), the EventBridge stand-in
 * with the bus; and the real adapters pointed at them.
 */

export const zoneId = "Z0TESTZONE0001";
export const hostname = "login.acme.example";
export const busName = "idp-failover";
export const regions = ["us-east-1", "us-west-2", "eu-west-1"];

/** The config file's content for these sites (every site in the one test zone). */
export function testConfigInput(sites = ["acme"]): Record<string, unknown> {
  return {
    regions,
    alerting: { slack: { channel: "#idp" }, eventBus: busName },
    sites: sites.map((id, i) => ({
      id,
      hostname: i === 0 ? hostname : `login-${id}.acme.example`,
      hostedZoneId: zoneId,
      ttl: 60,
      providers: [
        {
          id: "okta",
          kind: "okta",
          issuer: `https://${id}.okta.com`,
          dnsTarget: `${id}.customdomains.okta.com`,
        },
        {
          id: "entra",
          kind: "oidc",
          issuer: `https://${id}.entra.example`,
          dnsTarget: `${id}-login.azurefd.net`,
        },
      ],
    })),
  };
}

export function testConfig(sites = ["acme"]): Config {
  const parsed = parseConfig(testConfigInput(sites));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues, null, 2));
  return parsed.config;
}

/** The first site of the test config (the one at `hostname`). */
export function testSite(config: Config = testConfig()): Site {
  const site = config.sites[0];
  if (!site) throw new Error("the test config has no site");
  return site;
}

/**
 * A region's tracker after two probe rounds ending at `at`, both failing (down) or both passing
 * (up), folded by core's own verdict code so it always has the shape the core expects.
 */
export function tracker(at: number, down: boolean, policy: Policy = testConfig().policy): RegionTracker {
  const round = (t: number) =>
    summarizeRound(t, [
      {
        site: "any",
        provider: "any",
        region: "any",
        probe: "jwks",
        kind: "jwks",
        criticality: "critical",
        at: new Date(t).toISOString(),
        ok: !down,
        latencyMs: 41,
        ...(down ? { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } } : {}),
      },
    ]);
  return observeRound(observeRound(undefined, round(at - 10_000), policy), round(at), policy);
}

export interface AwsWorld {
  dynamo: LocalDynamo;
  route53: Route53StandIn;
  eventbridge: EventBridgeStandIn;
  /** A fresh set of adapters (own SDK clients), as a separate evaluator process would have. */
  adapters(options?: { maxAttempts?: number; dynamoEndpoint?: string }): AwsAdapters;
  close(): Promise<void>;
}

export async function startAwsWorld(config: Config = testConfig()): Promise<AwsWorld> {
  const [dynamo, route53, eventbridge] = await Promise.all([
    startDynalite(),
    startRoute53StandIn({ insyncAfterMs: 30 }),
    startEventBridgeStandIn({ buses: [busName] }),
  ]);
  route53.createZone("acme.example", zoneId);
  for (const site of config.sites) {
    route53.seed(
      zoneId,
      site.providers.map((p, i) => ({
        name: site.hostname,
        type: site.recordType,
        setIdentifier: p.setIdentifier,
        weight: i === 0 ? 100 : 0,
        ttl: site.ttl,
        values: [p.dnsTarget],
        ...(i === 0 ? { healthCheckId: `hc-${site.id}-${p.id}` } : {}),
      })),
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
