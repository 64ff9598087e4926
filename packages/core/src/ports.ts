import type { Site } from "./config.js";
import type { DataPlaneItem } from "./data-plane.js";
import type { DnsObservation } from "./dns-observation.js";
import type { AuditRecord, DomainEvent, Effects, NotificationIntent } from "./effects.js";
import type { ProbeResult, ProbeRound } from "./probe-result.js";
import type { ProbeShard } from "./probe-shards.js";
import type { MinuteRollup } from "./rollup.js";
import type { Incident, SiteState, Weights } from "./site-state.js";
import type { RegionTracker } from "./verdict.js";

/*
 * Ports: what the core needs from the world, named by capability. Adapters (DynamoDB, Route 53,
 * EventBridge, Slack) implement them in their own packages; `in-memory.ts` implements them for
 * replay and tests. Infrastructure errors never cross a port as SDK exceptions: expected outcomes
 * come back as values, and anything else is a thrown Error that the caller retries later.
 */

/** Reads the time. The core takes a clock; it never reads one itself. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export type SaveOutcome = { kind: "saved" } | { kind: "conflict" };

/** A site's state and the effects of its last decision not yet carried out. */
export interface StoredState {
  state: SiteState;
  outbox?: Effects;
}

/**
 * The site's state machine record, written only conditionally on its version. The outbox is stored
 * in the same item, so a decision and its effects are written together: a crash before the effects
 * ran loses nothing, the next evaluation drains the outbox.
 */
export interface StateStore {
  loadState(site: string): Promise<StoredState | undefined>;
  /**
   * Writes `next` (and its outbox; none clears it) only if the stored version is `expectedVersion`
   * (0: nothing stored yet). A lost race is `conflict` ("someone else acted"): re-read and re-decide.
   */
  saveState(next: SiteState, expectedVersion: number, outbox?: Effects): Promise<SaveOutcome>;
}

/** One region's tracker for one provider, as the probe in that region keeps it. */
export interface StoredTracker {
  site: string;
  provider: string;
  region: string;
  tracker: RegionTracker;
}

/**
 * One shard of a region's probe round finished a round of every one of its sites at `lastRoundAt`
 * (`sites` is `sitesFingerprint` of their ids): every tracker of those sites in that region is current
 * as of then, written or not. Shard 0 of 1 is the whole region.
 */
export interface RegionHeartbeat {
  region: string;
  /** The shard (0-based) of the region's layout of `shards` it speaks for (probe-shards.ts). */
  shard: number;
  shards: number;
  lastRoundAt: number;
  sites: string;
}

export interface TrackerStore {
  loadTrackers(site: string): Promise<StoredTracker[]>;
  saveTracker(entry: StoredTracker): Promise<void>;
  /** What a region's public DNS answers for the site's login hostname; written when it changes. */
  saveDnsObservation(site: string, observation: DnsObservation): Promise<void>;
  loadDnsObservations(site: string): Promise<DnsObservation[]>;
  /** One per region and shard; never goes back in time: an older heartbeat than the stored one is dropped. */
  saveRegionHeartbeat(heartbeat: RegionHeartbeat): Promise<void>;
  /** Every region's and shard's heartbeat: one read serves a whole evaluation pass. */
  loadRegionHeartbeats(): Promise<RegionHeartbeat[]>;
}

export interface ProbeResultStore {
  putResults(results: readonly ProbeResult[]): Promise<void>;
  /** Results of one provider in [from, to), oldest first. Epoch ms. */
  listResults(site: string, provider: string, from: number, to: number): Promise<ProbeResult[]>;
}

/** The audit trail, incidents and minute rollups: append-mostly records for people and reports. */
export interface JournalStore {
  appendAudit(records: readonly AuditRecord[]): Promise<void>;
  listAudit(site: string, from: number, to: number, limit?: number): Promise<AuditRecord[]>;
  putIncident(incident: Incident): Promise<void>;
  listIncidents(site: string, from: number, to: number): Promise<Incident[]>;
  putRollups(rollups: readonly MinuteRollup[]): Promise<void>;
  listRollups(site: string, provider: string, from: number, to: number): Promise<MinuteRollup[]>;
}

export type Store = StateStore & TrackerStore & ProbeResultStore & JournalStore;

export type DnsApplyOutcome =
  | { kind: "submitted"; changeId: string }
  /** The records already carry these weights (a retry after a crash): nothing was sent. */
  | { kind: "already-applied" }
  /** Throttling, PriorRequestNotComplete, a network error: try again later. */
  | { kind: "retry"; message: string }
  /** InvalidChangeBatch, access denied, no such zone: trying again will not help. */
  | { kind: "rejected"; message: string };

export type DnsChangeStatus = { kind: "pending" } | { kind: "insync" } | { kind: "retry"; message: string };

/** The login hostname's weighted records. */
export interface DnsWeights {
  read(site: Site): Promise<Weights>;
  /** Applies all weights in one change (all or nothing). Never called with all zeros. */
  apply(site: Site, weights: Weights): Promise<DnsApplyOutcome>;
  status(changeId: string): Promise<DnsChangeStatus>;
}

export interface EventPublisher {
  /** Publishes every event or throws; a partial failure is retried inside or thrown. */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export interface Notifier {
  /** Accepts intents for delivery (an outbox in production); idempotent on `intent.id`. */
  notify(intents: readonly NotificationIntent[]): Promise<void>;
}

/** One notification waiting for (or done with) delivery on one channel (`slack`, `webhook:{name}`). */
export interface OutboxDelivery {
  intent: NotificationIntent;
  channel: string;
  attempts: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  deliveredAt?: number;
  lastError?: string;
  /** Gave up after too many attempts; kept for the record. */
  abandoned?: boolean;
}

/**
 * The notification outbox: intents wait here, one delivery per channel, until a deliverer sends
 * them. A dead endpoint delays only its own deliveries, never the state machine or other channels.
 */
export interface NotificationOutbox {
  /** Records a delivery per intent and channel; idempotent on (intent id, channel). */
  enqueue(intents: readonly NotificationIntent[], channels: readonly string[], now: number): Promise<void>;
  /** Undelivered, not abandoned deliveries with nextAttemptAt <= now, oldest first. */
  due(now: number, limit: number): Promise<OutboxDelivery[]>;
  markDelivered(delivery: OutboxDelivery, at: number): Promise<void>;
  /** Records a failed attempt; `nextAttemptAt` undefined abandons the delivery. */
  markFailed(
    delivery: OutboxDelivery,
    at: number,
    error: string,
    nextAttemptAt: number | undefined,
  ): Promise<void>;
  /**
   * Moves a delivery that was not attempted (its channel is rate limited) to `nextAttemptAt`,
   * without counting an attempt: waiting for a channel must never use up a message's retries.
   */
  postpone(delivery: OutboxDelivery, nextAttemptAt: number, reason: string): Promise<void>;
}

/**
 * Where a message was posted (a Slack channel and ts), so later notifications of the same incident
 * or approval update it or reply in its thread instead of posting anew.
 */
export interface MessageRefs {
  recall(site: string, key: string): Promise<Record<string, string> | undefined>;
  remember(site: string, key: string, ref: Record<string, string>): Promise<void>;
}

/**
 * The data plane's per-region items (see data-plane.ts): the probe writes one per site in its own
 * region, the verdict endpoint there reads it. Nothing else reads or writes them.
 */
export interface DataPlaneStore {
  get(site: string, region: string): Promise<DataPlaneItem | undefined>;
  put(item: DataPlaneItem): Promise<void>;
}

/**
 * Probes one shard of a region's sites: every probe of its sites at round start `at`, with the region's
 * canaries. In the probe function's own process, or in the shard's worker function (fan-out).
 */
export interface ShardProber {
  probe(shard: ProbeShard, at: number, signal: AbortSignal): Promise<ProbeRound>;
}

/** Asks the evaluator to run soon for these sites (a probe saw region verdicts change). */
export interface EvaluatorTrigger {
  wake(sites: readonly string[], reason: string): Promise<void>;
}
