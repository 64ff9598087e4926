import { deployedVerdictManifest } from "@idp-failover/core";
import type { SiteConfig } from "./site-config";
import { physicalName } from "./site-config";

/** Both tables' shape: on demand, keyed PK/SK (strings), items expiring on `expiresAt`. */
export const keyedTable = {
  billingMode: "PAY_PER_REQUEST",
  hashKey: "PK",
  rangeKey: "SK",
  ttl: { attributeName: "expiresAt", enabled: true },
};
export const keyAttributes = [
  { name: "PK", type: "S" },
  { name: "SK", type: "S" },
];

/*
 * The home table (keys and index as packages/aws/src/table.ts defines them): on demand, TTL on
 * `expiresAt`, point-in-time recovery, and deletion protection outside dev stages. The verdict
 * endpoints do not read it (they read their own region's data-plane table), so it needs no replicas.
 */
export function storage(site: SiteConfig) {
  const isDev = !["prod", "production", "staging"].includes($app.stage);
  const table = new aws.dynamodb.Table("Table", {
    ...keyedTable,
    name: physicalName("idp-failover", $app.stage),
    attributes: [...keyAttributes, { name: "GSI1PK", type: "S" }, { name: "GSI1SK", type: "S" }],
    globalSecondaryIndexes: [
      { name: "GSI1", hashKey: "GSI1PK", rangeKey: "GSI1SK", projectionType: "KEYS_ONLY" },
    ],
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: !isDev,
  });
  const eventBus = new aws.cloudwatch.EventBus("Bus", {
    name: physicalName(site.config.alerting.eventBus, $app.stage),
  });
  const home = {
    region: site.config.homeRegion,
    tableName: table.name,
    tableArn: table.arn,
    eventBusName: eventBus.name,
    eventBusArn: eventBus.arn,
  };
  const link = new sst.Linkable("IdpFailover", {
    properties: {
      config: site.document,
      home: { region: home.region, tableName: home.tableName, eventBusName: home.eventBusName },
    },
  });
  // The verdict endpoints get only what they answer from: sites, providers, staleness (no config schema).
  const verdictLink = new sst.Linkable("IdpFailoverVerdicts", {
    properties: deployedVerdictManifest(site.config),
  });
  return { table, eventBus, home, link, verdictLink };
}

export type Storage = ReturnType<typeof storage>;
