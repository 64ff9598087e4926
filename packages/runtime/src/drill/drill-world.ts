import { randomBytes } from "node:crypto";
import { type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import type { Config } from "@idp-failover/core";
import type { SecretSource } from "@idp-failover/probes";
import {
  createSlackClient,
  type PagerDutyEndpoint,
  pagerDutyEndpoints,
  type TeamsEndpoint,
  teamsEndpoints,
} from "@idp-failover/slack";
import {
  createTestCa,
  type DirectorySpec,
  directoryIds,
  type EntraStandIn,
  type EventBridgeStandIn,
  entraStandInDefaults,
  type OktaStandIn,
  oktaStandInDefaults,
  type PagerDutyStandIn,
  pagerDutyStandInRoutingKey,
  type Route53StandIn,
  type SlackStandIn,
  seedDirectories,
  startCanaryStandIn,
  startEntraStandIn,
  startEventBridgeStandIn,
  startOktaStandIn,
  startPagerDutyStandIn,
  startRoute53StandIn,
  startSlackStandIn,
  startTeamsWorkflowStandIn,
  type TeamsWorkflowStandIn,
} from "@idp-failover/stand-ins";
import type { SlackClient } from "../loop/control-loop.js";
import { type EmbeddedDynamo, embeddedCredentials, startEmbeddedDynamo } from "../loop/embedded-dynamo.js";
import {
  drillChannel,
  drillChannelId,
  drillConfig,
  drillHostname,
  drillRegions,
  drillSecretRefs,
  drillZoneId,
  type PolicyOverrides,
  rerouteProbes,
} from "./drill-config.js";
import { NetworkPath } from "./network-path.js";

/*
 * Everything the drill runs against, on this machine, started in one process: a test CA, the Okta
 * and Entra stand-ins over HTTPS, a network path per region and IdP (so one region can lose an IdP
 * alone), dynalite, and the Route 53, EventBridge, Slack, PagerDuty and Teams stand-ins. The product's real adapters
 * talk to them with the real SDK clients, exactly as they would talk to AWS and Slack.
 */

export type DrillProvider = "okta" | "entra";

/**
 * The people the drill's Okta org and Entra tenant hold, for its readiness run: 240 users in 12
 * groups, two apps assigned by group, and the drift of a tenant kept in sync by a real
 * provisioning job: two hires not provisioned yet, one account disabled by mistake.
 */
export const drillDirectory: DirectorySpec = {
  users: 240,
  groups: 12,
  apps: [
    { name: "Salesforce", groups: [0, 1, 2, 3] },
    { name: "Workday", groups: [4, 5, 6, 7] },
  ],
  drift: { missingUsers: [17, 42], disabledUsers: [99] },
};

export interface DrillWorld {
  config: Config;
  /** The config a region probes with: through that region's own network paths. */
  probeConfigFor(region: string): Config;
  secrets: SecretSource;
  /** The test CA the probes trust (PEM). */
  ca: string;
  signingSecret: string;
  adapters: AwsAdapters;
  slack: SlackClient;
  okta: OktaStandIn;
  entra: EntraStandIn;
  route53: Route53StandIn;
  slackStandIn: SlackStandIn;
  eventBridge: EventBridgeStandIn;
  pagerDuty: PagerDutyStandIn;
  teams: TeamsWorkflowStandIn;
  /** The PagerDuty integration and Teams workflow the deliverer sends to (the stand-ins). */
  pagerDutyEndpoints: PagerDutyEndpoint[];
  teamsEndpoints: TeamsEndpoint[];
  dynamo: EmbeddedDynamo;
  path(region: string, provider: DrillProvider): NetworkPath;
  close(): Promise<void>;
}

export interface DrillWorldOptions {
  dataDir?: string;
  policy?: PolicyOverrides;
  /** Real ms a Route 53 change stays PENDING. */
  insyncAfterMs: number;
}

export async function startDrillWorld(options: DrillWorldOptions): Promise<DrillWorld> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const ca = await createTestCa({ commonName: "idp-failover drill CA" });
    const directories = seedDirectories(drillDirectory);
    const okta = await startOktaStandIn({ ca, directory: directories.okta });
    closers.push(() => okta.close());
    const entra = await startEntraStandIn({ ca, directory: directories.entra });
    closers.push(() => entra.close());
    const canary = await startCanaryStandIn();
    closers.push(() => canary.close());

    const config = drillConfig(
      {
        okta: {
          issuer: okta.issuer("default"),
          samlMetadataUrl: okta.samlMetadataUrl(),
          clientId: oktaStandInDefaults.client.clientId,
        },
        entra: {
          url: entra.url,
          tenantId: entraStandInDefaults.tenantId,
          clientId: entraStandInDefaults.client.clientId,
        },
        canaries: canary.canaries(),
        continuity: {
          apps: (drillDirectory.apps ?? []).map((app, a) => ({
            name: app.name,
            okta: directoryIds.oktaApp(a),
            entra: directoryIds.entraServicePrincipal(a),
          })),
          entraClientId: entraStandInDefaults.readinessClient.clientId,
        },
      },
      options.policy,
    );

    const paths = new Map<string, NetworkPath>();
    const probeConfigs = new Map<string, Config>();
    for (const region of drillRegions) {
      const routes = new Map<string, string>();
      for (const [provider, standIn] of [
        ["okta", okta],
        ["entra", entra],
      ] as const) {
        const target = new URL(standIn.url);
        const path = new NetworkPath(`${region}->${provider}`, {
          host: target.hostname,
          port: Number(target.port),
        });
        await path.start();
        closers.push(() => path.close());
        paths.set(`${region} ${provider}`, path);
        routes.set(standIn.url, path.origin);
      }
      probeConfigs.set(region, rerouteProbes(config, routes));
    }

    const dynamo = await startEmbeddedDynamo(options.dataDir ? { dataDir: options.dataDir } : {});
    closers.push(() => dynamo.close());
    const route53 = await startRoute53StandIn({ insyncAfterMs: options.insyncAfterMs });
    closers.push(() => route53.close());
    seedWeightedRecords(route53, config);
    const eventBridge = await startEventBridgeStandIn({ buses: [config.alerting.eventBus] });
    closers.push(() => eventBridge.close());
    const signingSecret = randomBytes(16).toString("hex");
    const botToken = `xoxb-drill-${randomBytes(8).toString("hex")}`;
    const slackStandIn = await startSlackStandIn({
      token: botToken,
      signingSecret,
      channels: { [drillChannel]: drillChannelId },
    });
    closers.push(() => slackStandIn.close());
    const pagerDuty = await startPagerDutyStandIn({ ca });
    closers.push(() => pagerDuty.close());
    const teams = await startTeamsWorkflowStandIn({ ca });
    closers.push(() => teams.close());

    const adapters = createAwsAdapters({
      tableName: dynamo.tableName,
      eventBusName: config.alerting.eventBus,
      region: config.homeRegion,
      endpoints: { dynamodb: dynamo.endpoint, route53: route53.url, eventbridge: eventBridge.url },
      credentials: embeddedCredentials,
    });
    closers.push(async () => adapters.destroy());
    const slack = createSlackClient(botToken, { slackApiUrl: slackStandIn.apiUrl });

    const secretValues: Record<string, string> = {
      [drillSecretRefs.okta]: oktaStandInDefaults.client.clientSecret,
      [drillSecretRefs.entra]: entraStandInDefaults.client.clientSecret,
      [drillSecretRefs.oktaReadiness]: oktaStandInDefaults.apiToken,
      [drillSecretRefs.entraReadiness]: entraStandInDefaults.readinessClient.clientSecret,
      [drillSecretRefs.slackBot]: botToken,
      [drillSecretRefs.slackSigning]: signingSecret,
      [drillSecretRefs.pagerDutyRoutingKey]: pagerDutyStandInRoutingKey,
      [drillSecretRefs.teamsWorkflowUrl]: teams.webhookUrl,
    };
    const secretOf = (ref: string) => secretValues[ref];
    return {
      config,
      probeConfigFor: (region) => probeConfigs.get(region) ?? config,
      secrets: secretOf,
      ca: ca.certPem,
      signingSecret,
      adapters,
      slack,
      okta,
      entra,
      route53,
      slackStandIn,
      eventBridge,
      pagerDuty,
      teams,
      // As a deployment resolves them, with PagerDuty's events URL pointed at its stand-in.
      pagerDutyEndpoints: pagerDutyEndpoints(config, secretOf).endpoints.map((endpoint) => ({
        ...endpoint,
        eventsUrl: pagerDuty.eventsUrl,
        allowPrivate: true,
      })),
      // The stand-ins listen on 127.0.0.1, which a deployment's vendor channels never reach.
      teamsEndpoints: teamsEndpoints(config, secretOf).endpoints.map((endpoint) => ({
        ...endpoint,
        allowPrivate: true,
      })),
      dynamo,
      path: (region, provider) => {
        const path = paths.get(`${region} ${provider}`);
        if (!path) throw new Error(`no network path from ${region} to ${provider}`);
        return path;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The login hostname's weighted records as an operator created them: all weight on the primary. */
function seedWeightedRecords(route53: Route53StandIn, config: Config): void {
  const site = config.sites[0];
  if (!site) return;
  route53.createZone("example.com", drillZoneId);
  route53.seed(
    drillZoneId,
    site.providers.map((provider, i) => ({
      name: drillHostname,
      type: site.recordType,
      setIdentifier: provider.setIdentifier,
      weight: i === 0 ? 100 : 0,
      ttl: site.ttl,
      values: [provider.dnsTarget],
    })),
  );
}
