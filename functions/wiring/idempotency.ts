import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type AwsAdapterSettings, type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import type { MiddlewareObj } from "@middy/core";

/*
 * Powertools Idempotency for a handler whose retry could repeat an effect (Lambda retries a failed
 * asynchronous invocation twice with the same event). Records live in the home table under their
 * own partition (`PK = IDEMPOTENCY#{function}`, `SK` = the hashed key) with the table's TTL
 * attribute, so they need no table of their own. The function needs GetItem, PutItem, UpdateItem and
 * DeleteItem on the table (a failed run deletes its in-progress record so the retry can run).
 */
export function idempotentBy(
  table: { tableName: string; client: DynamoDBClient },
  options: { name: string; eventKeyJmesPath: string; expiresAfterSeconds: number },
): MiddlewareObj {
  return makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: table.tableName,
      awsSdkV3Client: table.client,
      keyAttr: "PK",
      sortKeyAttr: "SK",
      staticPkValue: `IDEMPOTENCY#${options.name}`,
      expiryAttr: "expiresAt",
    }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: options.eventKeyJmesPath,
      expiresAfterSeconds: options.expiresAfterSeconds,
    }),
  }) as MiddlewareObj;
}

/**
 * What a scheduled run in the home region wires (the readiness and report functions): the AWS
 * adapters on the home resources, and its idempotency keyed by the firing (`eventKeyJmesPath`),
 * remembered a day.
 */
export function scheduledRun(
  home: AwsAdapterSettings,
  name: string,
  eventKeyJmesPath: string,
): { aws: AwsAdapters; idempotency: MiddlewareObj } {
  const aws = createAwsAdapters(home);
  const idempotency = idempotentBy(
    { tableName: home.tableName, client: aws.clients.dynamodb },
    { name, eventKeyJmesPath, expiresAfterSeconds: 86_400 },
  );
  return { aws, idempotency };
}
