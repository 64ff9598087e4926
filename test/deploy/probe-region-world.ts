import {
  type EventBridgeStandIn,
  type SqsStandIn,
  startEventBridgeStandIn,
  startSqsStandIn,
} from "@idp-failover/stand-ins";
import { type LocalDynamo, startDynalite, testCredentials } from "../aws/dynalite.js";
import { busName } from "../aws/fixtures.js";
import { createDataPlaneTable } from "./data-plane-table.js";

/*
 * What a deployed probe function in `region` finds around it, on 127.0.0.1: the home table
 * (dynalite), the region's tick queue (SQS stand-in) and data-plane table, the home bus (EventBridge
 * stand-in). `environment` is what the stacks and SST set on the function (the config and home in the
 * `IdpFailover` link, the region's resources as variables), with the SDK pointed at the servers.
 */

export interface ProbeRegionWorld {
  dynamo: LocalDynamo;
  sqs: SqsStandIn;
  bus: EventBridgeStandIn;
  dataPlaneTable: string;
  environment(config: unknown, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startProbeRegionWorld(region: string): Promise<ProbeRegionWorld> {
  const [dynamo, sqs, bus] = await Promise.all([
    startDynalite(),
    startSqsStandIn(),
    startEventBridgeStandIn({ buses: [busName] }),
  ]);
  const dataPlaneTable = `data-plane-${region}`;
  const admin = dynamo.client();
  await createDataPlaneTable(admin, dataPlaneTable);
  admin.destroy();
  return {
    dynamo,
    sqs,
    bus,
    dataPlaneTable,
    environment: (config, extra = {}) => ({
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
      IDP_FAILOVER_DATA_PLANE_TABLE: dataPlaneTable,
      IDP_FAILOVER_PROBE_QUEUE_URL: `${sqs.url}/123456789012/ticks`,
      SST_RESOURCE_App: JSON.stringify({ name: "idp-failover", stage: "test" }),
      SST_RESOURCE_IdpFailover: JSON.stringify({
        config,
        home: { region: "us-east-1", tableName: dynamo.tableName, eventBusName: busName },
      }),
      ...extra,
    }),
    close: async () => {
      await Promise.all([dynamo.close(), sqs.close(), bus.close()]);
    },
  };
}

/** A provider probed by one `http` probe of `{idpUrl}/{id}` (the tests' IdP is one local server). */
export function httpProvider(idpUrl: string, id: string) {
  return {
    id,
    kind: "oidc",
    issuer: `https://${id}.example`,
    dnsTarget: `${id}.example`,
    probes: [{ kind: "http", url: `${idpUrl}/${id}` }],
  };
}
