import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapConcurrent } from "@idp-failover/core";
import { isConditionalCheckFailed, jitteredDelay, realSleep, type Sleep } from "./aws-errors.js";

/*
 * The table access the DynamoDB adapters share: a document client (plain JS values in and out),
 * paginated queries, and batch writes/reads that retry what DynamoDB left unprocessed. Throttling and
 * 5xx on a single call are retried by the SDK client itself (standard strategy, jittered backoff);
 * `UnprocessedItems` / `UnprocessedKeys` are a partial success the SDK does not retry, so we do.
 */

export type Item = Record<string, unknown>;
export type Key = { PK: string; SK: string };

export interface SingleTableOptions {
  tableName: string;
  /** Defaults to a client with the SDK's standard retries (4 attempts). */
  client?: DynamoDBClient;
  /** Retries of unprocessed batch items. */
  batchRetry?: { attempts?: number; baseMs?: number; capMs?: number; sleep?: Sleep };
}

export class BatchIncompleteError extends Error {
  override name = "BatchIncompleteError";
}

/** An item read back that does not parse: reported with its key, never silently skipped. */
export class StoredItemInvalidError extends Error {
  override name = "StoredItemInvalidError";
}

/** What zod's `safeParse` returns; the schemas come from core. */
export interface Parser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export function parseItem<T>(parser: Parser<T>, value: unknown, what: string): T {
  const parsed = parser.safeParse(value);
  if (!parsed.success) throw new StoredItemInvalidError(`${what} does not parse: ${parsed.error.message}`);
  return parsed.data;
}

export function parseJsonItem<T>(parser: Parser<T>, text: unknown, what: string): T {
  if (typeof text !== "string") throw new StoredItemInvalidError(`${what} is missing or not a string`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoredItemInvalidError(`${what} is not JSON`, { cause: error });
  }
  return parseItem(parser, value, what);
}

export function stringAttribute(item: Item, name: string, what: string): string {
  const value = item[name];
  if (typeof value !== "string")
    throw new StoredItemInvalidError(`${what}: attribute ${name} is not a string`);
  return value;
}

export function numberAttribute(item: Item, name: string, what: string): number {
  const value = item[name];
  if (typeof value !== "number")
    throw new StoredItemInvalidError(`${what}: attribute ${name} is not a number`);
  return value;
}

const batchWriteMax = 25;
const batchGetMax = 100;

/** A query's key condition: partition `pk`, sort keys from `first` to `last`, both included. */
export function sortKeyBetween(
  pk: string,
  first: string,
  last: string,
): Pick<QueryCommandInput, "KeyConditionExpression" | "ExpressionAttributeValues"> {
  return {
    KeyConditionExpression: "PK = :pk AND SK BETWEEN :first AND :last",
    ExpressionAttributeValues: { ":pk": pk, ":first": first, ":last": last },
  };
}

export class SingleTable {
  readonly tableName: string;
  readonly doc: DynamoDBDocumentClient;
  private readonly retry: { attempts: number; baseMs: number; capMs: number; sleep: Sleep };

  constructor(options: SingleTableOptions) {
    this.tableName = options.tableName;
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({ maxAttempts: 4 }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.retry = {
      attempts: options.batchRetry?.attempts ?? 8,
      baseMs: options.batchRetry?.baseMs ?? 50,
      capMs: options.batchRetry?.capMs ?? 2000,
      sleep: options.batchRetry?.sleep ?? realSleep,
    };
  }

  /** One item by its key, strongly consistent. */
  async get(key: Key): Promise<Item | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Puts one item; with a `condition`, only when it holds. Returns false when DynamoDB refused the
   * write on the condition (an expected outcome for the caller to name), true when it was written.
   */
  async put(
    item: Item,
    condition?: Pick<PutCommandInput, "ConditionExpression" | "ExpressionAttributeValues">,
  ): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if (condition && isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Every page of a query (or the first `limit` items). */
  async query(input: Omit<QueryCommandInput, "TableName">, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.queryPages(input, limit)) items.push(...page);
    return items;
  }

  /** Query pages one at a time (up to `limit` items in all), for readers that stop early. */
  async *queryPages(input: Omit<QueryCommandInput, "TableName">, limit?: number): AsyncGenerator<Item[]> {
    let start: Record<string, unknown> | undefined;
    let read = 0;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(limit !== undefined ? { Limit: limit - read } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      read += page.Items?.length ?? 0;
      yield page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start && (limit === undefined || read < limit));
  }

  /** Puts every item (last one wins for a repeated key), 25 per call, retrying unprocessed ones. */
  async putAll(items: readonly Item[]): Promise<void> {
    const unique = [...new Map(items.map((item) => [`${item.PK}\u0000${item.SK}`, item])).values()];
    const chunks: Item[][] = [];
    for (let i = 0; i < unique.length; i += batchWriteMax) chunks.push(unique.slice(i, i + batchWriteMax));
    await mapConcurrent(chunks, 4, (chunk) => this.writeChunk(chunk));
  }

  private async writeChunk(chunk: Item[]): Promise<void> {
    await this.untilProcessed(chunk, "item(s)", async (items) => {
      const out = await this.doc.send(
        new BatchWriteCommand({
          RequestItems: { [this.tableName]: items.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      return (out.UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [r.PutRequest.Item] : [],
      );
    });
  }

  /** Strongly consistent reads of many keys (order not kept), retrying unprocessed ones. */
  async getAll(keyList: readonly Key[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keyList.length; i += batchGetMax) {
      const chunk: Item[] = keyList.slice(i, i + batchGetMax).map((k) => ({ PK: k.PK, SK: k.SK }));
      await this.untilProcessed(chunk, "key(s)", async (keys) => {
        const out = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []));
        return out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      });
    }
    return found;
  }

  /**
   * Sends `pending` and then whatever DynamoDB left unprocessed, with jittered backoff between
   * attempts, until nothing is left or the attempts run out.
   */
  private async untilProcessed(
    pending: Item[],
    what: string,
    send: (batch: Item[]) => Promise<Item[]>,
  ): Promise<void> {
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.retry.attempts) {
        throw new BatchIncompleteError(
          `${pending.length} ${what} still unprocessed after ${attempt} attempts`,
        );
      }
      if (attempt > 0) await this.retry.sleep(jitteredDelay(attempt, this.retry.baseMs, this.retry.capMs));
      pending = await send(pending);
    }
  }
}
