import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DataPlaneStore } from "@idp-failover/core";
import { type DataPlaneItem, dataPlaneItemSchema } from "@idp-failover/core/data-plane-answer";
import { parseItem } from "./single-table.js";

/*
 * The data plane's items in a probe region's own small table (one per region, written only by the
 * probe there, read only by the verdict endpoint there): `PK = DATAPLANE#{site}`, `SK = REGION#{region}`,
 * with the TTL attribute `expiresAt` so a removed site's item goes away by itself. Reads are eventually
 * consistent: half the price, and a verdict a fraction of a second old is as good as the newest.
 * It imports nothing of core but the data-plane module (no config schema), so the verdict function
 * stays small.
 */

export interface DynamoDataPlaneStoreOptions {
  tableName: string;
  /** Defaults to a client for the region the process runs in. */
  client?: DynamoDBClient;
  /** How long an item outlives its last write. Default one day. */
  ttlSeconds?: number;
}

export class DynamoDataPlaneStore implements DataPlaneStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;

  constructor(options: DynamoDataPlaneStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({ maxAttempts: 2 }));
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? 86_400;
  }

  async get(site: string, region: string): Promise<DataPlaneItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: dataPlaneKey(site, region) }),
    );
    if (!out.Item) return undefined;
    return parseItem(dataPlaneItemSchema, out.Item.item, `the data-plane item of ${site} in ${region}`);
  }

  async put(item: DataPlaneItem): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...dataPlaneKey(item.site, item.region),
          item,
          expiresAt: Math.floor(item.writtenAt / 1000) + this.ttlSeconds,
        },
      }),
    );
  }
}

export function dataPlaneKey(site: string, region: string): { PK: string; SK: string } {
  return { PK: `DATAPLANE#${site}`, SK: `REGION#${region}` };
}
