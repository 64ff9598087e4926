import {
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import type { DomainEvent, EventPublisher } from "@idp-failover/core";
import {
  describeAwsError,
  errorName,
  isRetryableAwsError,
  jitteredDelay,
  realSleep,
  type Sleep,
} from "./aws-errors.js";

/*
 * Domain events onto a custom EventBridge bus (contract: docs/events.md). `source` is `idp-failover`,
 * the `detail-type` names the kind of event, and `detail` is the event itself with a `schemaVersion`.
 * Entries go 10 to a call (the PutEvents limit), under the 256 KB request limit. A partial failure
 * (`FailedEntryCount` > 0) is retried for the failed entries only, with jittered backoff, while their
 * error is retryable (InternalFailure, ThrottlingException); anything left is thrown, and the
 * evaluator keeps the events in its outbox for the next run. Delivery is at least once: consumers
 * deduplicate on `detail.id`.
 */

export const eventSource = "idp-failover";
export const eventSchemaVersion = 1;

export const detailTypes: Record<DomainEvent["type"], string> = {
  "state-changed": "Failover State Changed",
  "verdict-changed": "Provider Verdict Changed",
  alert: "Failover Alert",
  "report-published": "SLA Report Published",
};

export interface EventBridgePublisherOptions {
  eventBusName: string;
  /** Defaults to a client with the SDK's standard retries. */
  client?: EventBridgeClient;
  /** Attempts per entry, counting the first (default 4). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: Sleep;
}

export class EventPublishError extends Error {
  override name = "EventPublishError";
}

/** Whether the bus exists; `unknown` when EventBridge would not say (no DescribeEventBus permission...). */
export type BusCheck =
  | { kind: "found" }
  | { kind: "missing"; message: string }
  | { kind: "unknown"; message: string };

const maxEntries = 10;
const maxRequestBytes = 256 * 1024;
const retryableEntryCodes = new Set(["InternalFailure", "ThrottlingException"]);

export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly bus: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: Sleep;

  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client ?? new EventBridgeClient({ maxAttempts: 3 });
    this.bus = options.eventBusName;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * PutEvents accepts events for a bus that does not exist and drops them without a word (it answers
   * with event ids), so a misnamed bus can only be found by asking for it.
   */
  async findBus(): Promise<BusCheck> {
    try {
      await this.client.send(new DescribeEventBusCommand({ Name: this.bus }));
      return { kind: "found" };
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") {
        return { kind: "missing", message: `there is no event bus ${this.bus}` };
      }
      return {
        kind: "unknown",
        message: `could not check event bus ${this.bus}: ${describeAwsError(error)}`,
      };
    }
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const batch of batchEntries(events.map((event) => toEntry(event, this.bus)))) await this.send(batch);
  }

  private async send(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let lastFailures: string[] = [];
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await this.sleep(jitteredDelay(attempt, this.baseDelayMs, this.maxDelayMs));
      let results: PutEventsResultEntry[];
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) return;
        results = out.Entries ?? [];
      } catch (error) {
        if (!isRetryableAwsError(error)) {
          throw new EventPublishError(`PutEvents on bus ${this.bus} failed: ${describeAwsError(error)}`, {
            cause: error,
          });
        }
        lastFailures = [describeAwsError(error)];
        continue;
      }
      // Result entries are in request order; failed ones carry ErrorCode instead of EventId.
      const failed = pending.flatMap((entry, i) => {
        const result = results[i];
        return result?.EventId
          ? []
          : [{ entry, code: result?.ErrorCode ?? "Unknown", message: result?.ErrorMessage }];
      });
      lastFailures = failed.map((f) => `${f.code}${f.message ? `: ${f.message}` : ""}`);
      const permanent = failed.filter((f) => !retryableEntryCodes.has(f.code));
      if (permanent.length > 0) {
        throw new EventPublishError(
          `${permanent.length} event(s) refused by bus ${this.bus}: ${[...new Set(lastFailures)].join("; ")}`,
        );
      }
      pending = failed.map((f) => f.entry);
      if (pending.length === 0) return;
    }
    throw new EventPublishError(
      `${pending.length} event(s) not accepted by bus ${this.bus} after ${this.maxAttempts} attempts: ${[
        ...new Set(lastFailures),
      ].join("; ")}`,
    );
  }
}

/** The PutEvents entry for one domain event: the wire form of the contract in docs/events.md. */
export function toEntry(event: DomainEvent, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: eventSource,
    DetailType: detailTypes[event.type],
    Time: new Date(event.at),
    Resources: [],
    Detail: JSON.stringify({ schemaVersion: eventSchemaVersion, ...event }),
  };
}

/** Groups entries into PutEvents calls: at most 10 each and under 256 KB (sized as AWS sizes them). */
export function batchEntries(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > maxRequestBytes) {
      throw new EventPublishError(
        `event ${entry.DetailType} is ${size} bytes, over the 256 KB PutEvents limit`,
      );
    }
    if (current.length === maxEntries || bytes + size > maxRequestBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** AWS's documented entry size: 14 bytes for Time, plus the UTF-8 bytes of the text fields. */
function entrySize(entry: PutEventsRequestEntry): number {
  const text = [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])];
  return (entry.Time ? 14 : 0) + text.reduce((n, s) => n + (s ? Buffer.byteLength(s) : 0), 0);
}
