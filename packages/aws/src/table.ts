import { createHash } from "node:crypto";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/*
 * The single table (DESIGN.md §3). Every item has string keys `PK` and `SK`; `expiresAt` (epoch
 * seconds) is the TTL attribute. Reads are queries on one partition with a key range: nothing scans.
 *
 *   PK                          SK                                     item
 *   SITE#{site}                 STATE                                  state machine + its outbox (JSON),
 *                                                                      `version`; every write conditional on it
 *   SITE#{site}                 TRACKER#{provider}#{region}            one probe region's verdict fold
 *   SITE#{site}                 EVENT#{at}#{seq:10}#{action}#{actor}   audit record (transitions, commands)
 *   SITE#{site}                 INCIDENT#{start}#{id}                  incident (start, detect, flip, insync, end)
 *   SITE#{site}                 NOTIFY#{intent id}#{channel}           notification delivery (outbox)
 *   SITE#{site}                 MSGREF#{key}                           where a message was posted (Slack ts)
 *   PROBE#{site}#{provider}     {at}#{region}                          a region's probe round: its results, TTL (35 days)
 *   ROLLUP#{site}#{provider}    {minute}                               minute rollup, kept for SLA reports
 *   SITE#{site}                 READINESS                              the latest readiness result (gzip JSON)
 *   SITE#{site}                 READINESS#COMPLETE                     the latest complete one: its score (evaluator)
 *   SITE#{site}                 READINESS#AT#{at}                      dated history of results, TTL (400 days)
 *   READINESS#{site}            SNAPSHOT                               the stored Entra state: generation, size, digest
 *   READINESS#{site}            SNAPSHOT#{generation}#{n:4}            its chunks (binary, under 350 KB), TTL (8 days)
 *
 *   GSI1 (keys only, sparse)   GSI1PK = OUTBOX, GSI1SK = {next attempt}#{intent at}#{intent id}#{channel}
 *                              present only while a delivery is due: "what is due now" is one query.
 *
 * Times in sort keys are ISO-8601 UTC with milliseconds (`toISOString()`), so string order is time
 * order. Approvals are not items of their own: the pending approval lives in the state item, and the
 * conditional write on `version` is what makes an approval one-time (a second click finds it gone).
 */

export const outboxIndexName = "GSI1";
export const outboxPartition = "OUTBOX";

/** The table as CreateTable wants it (on-demand); the infrastructure stack mirrors these settings. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "PK", AttributeType: "S" },
      { AttributeName: "SK", AttributeType: "S" },
      { AttributeName: "GSI1PK", AttributeType: "S" },
      { AttributeName: "GSI1SK", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: outboxIndexName,
        KeySchema: [
          { AttributeName: "GSI1PK", KeyType: "HASH" },
          { AttributeName: "GSI1SK", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
  };
}

export const ttlAttribute = "expiresAt";

/** The latest instant an ISO key can hold; wider bounds are clamped to it. */
const maxTime = Date.parse("9999-12-31T23:59:59.999Z");

/** Epoch ms as a sortable key part; out-of-range bounds (0, Infinity) are clamped. */
export function timeKey(ms: number): string {
  const clamped = Number.isNaN(ms) ? 0 : Math.min(Math.max(ms, 0), maxTime);
  return new Date(clamped).toISOString();
}

/** An ISO time as written by another component (with or without milliseconds), as a sortable key part. */
export function isoKey(iso: string): string {
  return timeKey(Date.parse(iso));
}

/**
 * An actor as a sort-key part. A sort key holds at most 1024 bytes and an STS ARN up to 2048
 * characters: a long actor keeps its first 160 characters and a hash of the whole (still unique;
 * the record itself keeps the full actor).
 */
export function actorKey(actor: string): string {
  if (Buffer.byteLength(actor) <= 256) return actor;
  const digest = createHash("sha256").update(actor).digest("hex").slice(0, 32);
  return `${Array.from(actor).slice(0, 160).join("")}~${digest}`;
}

export const keys = {
  site: (site: string) => `SITE#${site}`,
  state: "STATE",
  tracker: (provider: string, region: string) => `TRACKER#${provider}#${region}`,
  trackerPrefix: "TRACKER#",
  dnsObservation: (region: string) => `DNSOBS#${region}`,
  dnsObservationPrefix: "DNSOBS#",
  /** Each probe region's last complete round (sort key: the region). */
  heartbeats: "HEARTBEAT",
  // The actor is part of the key: two people refused in the same millisecond are two records.
  audit: (at: string, seq: number, action: string, actor: string) =>
    `EVENT#${isoKey(at)}#${String(Math.max(0, seq)).padStart(10, "0")}#${action}#${actorKey(actor)}`,
  auditAt: (ms: number) => `EVENT#${timeKey(ms)}`,
  incident: (start: string, id: string) => `INCIDENT#${isoKey(start)}#${id}`,
  incidentAt: (ms: number) => `INCIDENT#${timeKey(ms)}`,
  incidentPrefix: "INCIDENT#",
  delivery: (intentId: string, channel: string) => `NOTIFY#${intentId}#${channel}`,
  messageRef: (key: string) => `MSGREF#${key}`,
  probe: (site: string, provider: string) => `PROBE#${site}#${provider}`,
  probeRound: (at: string, region: string) => `${isoKey(at)}#${region}`,
  rollup: (site: string, provider: string) => `ROLLUP#${site}#${provider}`,
  readiness: "READINESS",
  readinessComplete: "READINESS#COMPLETE",
  readinessAt: (ms: number) => `READINESS#AT#${timeKey(ms)}`,
  readinessSnapshots: (site: string) => `READINESS#${site}`,
  snapshotHead: "SNAPSHOT",
  snapshotChunk: (generation: string, n: number) => `SNAPSHOT#${generation}#${String(n).padStart(4, "0")}`,
} as const;
