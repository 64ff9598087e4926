import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Route53Client } from "@aws-sdk/client-route-53";
import { type Redactor, redactingPort } from "@idp-failover/core";
import { DynamoMessageRefs } from "./dynamo-message-refs.js";
import { DynamoNotificationOutbox } from "./dynamo-notification-outbox.js";
import { DynamoReadinessStore } from "./dynamo-readiness-store.js";
import { DynamoStore } from "./dynamo-store.js";
import { EventBridgePublisher } from "./eventbridge-publisher.js";
import { Route53DnsWeights } from "./route53-dns-weights.js";

/*
 * Builds every AWS adapter from plain settings, for the Lambda handlers and `idpctl`. The settings
 * are resolved by the caller (flags, environment, SST links); nothing here reads the environment.
 * An endpoint left undefined is the SDK's own choice (which honours AWS_ENDPOINT_URL_* itself).
 */

export interface AwsAdapterSettings {
  tableName: string;
  eventBusName: string;
  /** The home region (table, bus). Route 53 is global and signs in us-east-1 whatever this is. */
  region: string;
  /** `sts` is for the operator's identity (StsCallerIdentity), not for any adapter built here. */
  endpoints?: { dynamodb?: string; route53?: string; eventbridge?: string; sts?: string };
  /** Leave undefined for the SDK's default chain (environment, profile, role). */
  credentials?: DynamoDBClientConfig["credentials"];
  /** SDK attempts per call (first try included). Default 4. */
  maxAttempts?: number;
  /**
   * The runtime's redactor: everything written to the table (states, timelines, audit, outbox
   * errors, probe outcomes) and published on the bus goes through it first.
   */
  redactor?: Redactor;
}

export interface AwsAdapters {
  store: DynamoStore;
  outbox: DynamoNotificationOutbox;
  messageRefs: DynamoMessageRefs;
  readiness: DynamoReadinessStore;
  dns: Route53DnsWeights;
  events: EventBridgePublisher;
  clients: { dynamodb: DynamoDBClient; route53: Route53Client; eventbridge: EventBridgeClient };
  /** Closes the clients' sockets (for short-lived processes). */
  destroy(): void;
}

export function createAwsAdapters(settings: AwsAdapterSettings): AwsAdapters {
  const common = {
    maxAttempts: settings.maxAttempts ?? 4,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  const endpoints = settings.endpoints ?? {};
  const dynamodb = new DynamoDBClient({
    ...common,
    region: settings.region,
    ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}),
  });
  const route53 = new Route53Client({
    ...common,
    region: settings.region,
    ...(endpoints.route53 ? { endpoint: endpoints.route53 } : {}),
  });
  const eventbridge = new EventBridgeClient({
    ...common,
    region: settings.region,
    ...(endpoints.eventbridge ? { endpoint: endpoints.eventbridge } : {}),
  });
  const table = { tableName: settings.tableName, client: dynamodb };
  const { redactor } = settings;
  const sink = <T extends object>(port: T): T => (redactor ? redactingPort(port, redactor) : port);
  return {
    store: sink(new DynamoStore(table)),
    outbox: sink(new DynamoNotificationOutbox(table)),
    messageRefs: sink(new DynamoMessageRefs(table)),
    readiness: sink(new DynamoReadinessStore(table)),
    dns: new Route53DnsWeights({ client: route53 }),
    events: sink(new EventBridgePublisher({ client: eventbridge, eventBusName: settings.eventBusName })),
    clients: { dynamodb, route53, eventbridge },
    destroy: () => {
      dynamodb.destroy();
      route53.destroy();
      eventbridge.destroy();
    },
  };
}
