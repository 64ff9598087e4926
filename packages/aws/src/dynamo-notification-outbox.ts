import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type NotificationIntent,
  type NotificationOutbox,
  type OutboxDelivery,
  outboxDeliverySchema,
} from "@idp-failover/core";
import { isConditionalCheckFailed } from "./aws-errors.js";
import { parseItem, SingleTable, type SingleTableOptions } from "./single-table.js";
import { keys, outboxIndexName, outboxPartition, timeKey } from "./table.js";

/*
 * The notification outbox on the single table: one item per intent and channel, in the site's
 * partition (`NOTIFY#{intent id}#{channel}`). While a delivery is waiting it carries the sparse GSI1
 * keys (`OUTBOX`, `{next attempt}#{intent at}#...`), so "what is due now" is one query on the index
 * in time order; delivering or abandoning removes them. The index is eventually consistent, so what
 * it returns is re-read from the table (strongly consistent) before it is handed out.
 */

export interface DynamoNotificationOutboxOptions extends SingleTableOptions {
  /** How long delivered and abandoned deliveries are kept for the record (TTL). Default 35 days. */
  keepDays?: number;
}

const maxErrorLength = 1000;

export class DynamoNotificationOutbox implements NotificationOutbox {
  private readonly table: SingleTable;
  private readonly keepSeconds: number;

  constructor(options: DynamoNotificationOutboxOptions) {
    this.table = new SingleTable(options);
    this.keepSeconds = (options.keepDays ?? 35) * 86_400;
  }

  async enqueue(
    intents: readonly NotificationIntent[],
    channels: readonly string[],
    now: number,
  ): Promise<void> {
    const puts: Promise<void>[] = [];
    for (const intent of intents)
      for (const channel of channels) puts.push(this.enqueueOne(intent, channel, now));
    await Promise.all(puts);
  }

  private async enqueueOne(intent: NotificationIntent, channel: string, now: number): Promise<void> {
    await this.table.put(
      {
        PK: keys.site(intent.site),
        SK: keys.delivery(intent.id, channel),
        intent,
        channel,
        attempts: 0,
        nextAttemptAt: now,
        GSI1PK: outboxPartition,
        GSI1SK: dueKey(now, intent, channel),
      },
      // Idempotent on (intent id, channel): a repeated enqueue never resets a delivery.
      { ConditionExpression: "attribute_not_exists(PK)" },
    );
  }

  async due(now: number, limit: number): Promise<OutboxDelivery[]> {
    if (limit <= 0) return [];
    const indexed = await this.table.query(
      {
        IndexName: outboxIndexName,
        KeyConditionExpression: "GSI1PK = :pk AND GSI1SK < :upper",
        ExpressionAttributeValues: { ":pk": outboxPartition, ":upper": timeKey(now + 1) },
      },
      limit,
    );
    const items = await this.table.getAll(indexed.map((i) => ({ PK: String(i.PK), SK: String(i.SK) })));
    return items
      .map((item) => parseItem(outboxDeliverySchema, item, `outbox delivery ${String(item.SK)}`))
      .filter((d) => d.deliveredAt === undefined && !d.abandoned && d.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.intent.at.localeCompare(b.intent.at));
  }

  async markDelivered(delivery: OutboxDelivery, at: number): Promise<void> {
    await this.update(delivery, {
      UpdateExpression:
        "SET attempts = attempts + :one, deliveredAt = :at, expiresAt = :ttl REMOVE GSI1PK, GSI1SK",
      ExpressionAttributeValues: { ":one": 1, ":at": at, ":ttl": this.expiry(at) },
      ConditionExpression: "attribute_exists(PK)",
    });
  }

  async markFailed(
    delivery: OutboxDelivery,
    at: number,
    error: string,
    nextAttemptAt: number | undefined,
  ): Promise<void> {
    const lastError = error.slice(0, maxErrorLength);
    await this.update(
      delivery,
      nextAttemptAt === undefined
        ? {
            UpdateExpression:
              "SET attempts = attempts + :one, lastError = :error, abandoned = :true, expiresAt = :ttl REMOVE GSI1PK, GSI1SK",
            ExpressionAttributeValues: {
              ":one": 1,
              ":error": lastError,
              ":true": true,
              ":ttl": this.expiry(at),
            },
            ConditionExpression: "attribute_exists(PK)",
          }
        : {
            UpdateExpression:
              "SET attempts = attempts + :one, lastError = :error, nextAttemptAt = :next, GSI1SK = :due",
            ExpressionAttributeValues: {
              ":one": 1,
              ":error": lastError,
              ":next": nextAttemptAt,
              ":due": dueKey(nextAttemptAt, delivery.intent, delivery.channel),
            },
            // A delivery another deliverer has completed is not put back in the queue.
            ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(deliveredAt)",
          },
    );
  }

  async postpone(delivery: OutboxDelivery, nextAttemptAt: number, reason: string): Promise<void> {
    await this.update(delivery, {
      UpdateExpression: "SET lastError = :error, nextAttemptAt = :next, GSI1SK = :due",
      ExpressionAttributeValues: {
        ":error": reason.slice(0, maxErrorLength),
        ":next": nextAttemptAt,
        ":due": dueKey(nextAttemptAt, delivery.intent, delivery.channel),
      },
      // Only a delivery still waiting moves, not one delivered or abandoned meanwhile.
      ConditionExpression:
        "attribute_exists(PK) AND attribute_not_exists(deliveredAt) AND attribute_exists(GSI1PK)",
    });
  }

  private async update(
    delivery: OutboxDelivery,
    expression: {
      UpdateExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
      ConditionExpression: string;
    },
  ): Promise<void> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: {
            PK: keys.site(delivery.intent.site),
            SK: keys.delivery(delivery.intent.id, delivery.channel),
          },
          ...expression,
        }),
      );
    } catch (error) {
      // Unknown delivery (or already delivered): nothing to record, as the in-memory outbox does.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private expiry(at: number): number {
    return Math.floor(at / 1000) + this.keepSeconds;
  }
}

function dueKey(at: number, intent: NotificationIntent, channel: string): string {
  return `${timeKey(at)}#${intent.at}#${intent.id}#${channel}`;
}
