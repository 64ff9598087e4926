import type { Site } from "./config.js";
import type { DnsObservation } from "./dns-observation.js";
import type { AuditRecord, DomainEvent, Effects, NotificationIntent } from "./effects.js";
import type { EvaluatorDeps } from "./evaluate.js";
import type {
  Clock,
  DnsApplyOutcome,
  DnsChangeStatus,
  DnsWeights,
  EventPublisher,
  MessageRefs,
  NotificationOutbox,
  Notifier,
  OutboxDelivery,
  RegionHeartbeat,
  SaveOutcome,
  Store,
  StoredState,
  StoredTracker,
} from "./ports.js";
import type { ProbeResult } from "./probe-result.js";
import { heartbeatKey } from "./probe-shards.js";
import type { MinuteRollup } from "./rollup.js";
import { type Incident, isServable, type SiteState, sameWeights, type Weights } from "./site-state.js";

/*
 * In-memory adapters for every port: what replay, the tests and the local tools run on. They keep
 * the contracts of the real ones (conditional writes, idempotent notifications, INSYNC after a delay).
 */

/** A clock that moves only when told to: replay's virtual time, and tests' fixed time. */
export class FakeClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface InMemoryStoreOptions {
  /** Keep every probe result (tests) or none (long replays). Default true. */
  keepResults?: boolean;
  /** Keep minute rollups. Default true. */
  keepRollups?: boolean;
}

export class InMemoryStore implements Store {
  private readonly states = new Map<string, string>();
  private readonly trackers = new Map<string, StoredTracker>();
  private readonly heartbeats = new Map<string, RegionHeartbeat>();
  private readonly dnsObservations = new Map<string, DnsObservation>();
  readonly results: ProbeResult[] = [];
  readonly audit: AuditRecord[] = [];
  readonly incidents = new Map<string, Incident>();
  readonly rollups = new Map<string, MinuteRollup>();
  private readonly keepResults: boolean;
  private readonly keepRollups: boolean;

  constructor(options: InMemoryStoreOptions = {}) {
    this.keepResults = options.keepResults ?? true;
    this.keepRollups = options.keepRollups ?? true;
  }

  async loadState(site: string): Promise<StoredState | undefined> {
    const raw = this.states.get(site);
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredState);
  }

  async saveState(next: SiteState, expectedVersion: number, outbox?: Effects): Promise<SaveOutcome> {
    const current = this.states.get(next.site);
    const version = current === undefined ? 0 : (JSON.parse(current) as StoredState).state.version;
    if (version !== expectedVersion) return { kind: "conflict" };
    this.states.set(next.site, JSON.stringify(outbox ? { state: next, outbox } : { state: next }));
    return { kind: "saved" };
  }

  async loadTrackers(site: string): Promise<StoredTracker[]> {
    return [...this.trackers.values()].filter((t) => t.site === site);
  }

  async saveTracker(entry: StoredTracker): Promise<void> {
    this.setTracker(entry);
  }

  async saveRegionHeartbeat(heartbeat: RegionHeartbeat): Promise<void> {
    const key = heartbeatKey(heartbeat);
    const stored = this.heartbeats.get(key);
    if (!stored || stored.lastRoundAt <= heartbeat.lastRoundAt) this.heartbeats.set(key, heartbeat);
  }

  async saveDnsObservation(site: string, observation: DnsObservation): Promise<void> {
    this.dnsObservations.set(`${site}/${observation.region}`, observation);
  }

  async loadDnsObservations(site: string): Promise<DnsObservation[]> {
    return [...this.dnsObservations]
      .filter(([key]) => key.startsWith(`${site}/`))
      .map(([, observation]) => observation);
  }

  async loadRegionHeartbeats(): Promise<RegionHeartbeat[]> {
    return [...this.heartbeats.values()];
  }

  /** Synchronous form for the replay loop. */
  setTracker(entry: StoredTracker): void {
    this.trackers.set(`${entry.site}/${entry.provider}/${entry.region}`, entry);
  }

  async putResults(results: readonly ProbeResult[]): Promise<void> {
    if (this.keepResults) this.results.push(...results);
  }

  async listResults(site: string, provider: string, from: number, to: number): Promise<ProbeResult[]> {
    return this.results
      .filter((r) => r.site === site && r.provider === provider && inRange(Date.parse(r.at), from, to))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async appendAudit(records: readonly AuditRecord[]): Promise<void> {
    for (const record of records) {
      const exists = this.audit.some(
        (a) =>
          a.site === record.site &&
          a.seq === record.seq &&
          a.at === record.at &&
          a.action === record.action &&
          a.actor === record.actor,
      );
      if (!exists) this.audit.push(record);
    }
  }

  async listAudit(site: string, from: number, to: number, limit = 100): Promise<AuditRecord[]> {
    return this.audit
      .filter((a) => a.site === site && inRange(Date.parse(a.at), from, to))
      .sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq)
      .slice(0, limit);
  }

  async putIncident(incident: Incident): Promise<void> {
    this.incidents.set(`${incident.site}/${incident.id}`, incident);
  }

  async listIncidents(site: string, from: number, to: number): Promise<Incident[]> {
    return [...this.incidents.values()]
      .filter(
        (i) =>
          i.site === site &&
          Date.parse(i.start) < to &&
          (i.endAt === undefined || Date.parse(i.endAt) >= from),
      )
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  async putRollups(rollups: readonly MinuteRollup[]): Promise<void> {
    if (!this.keepRollups) return;
    for (const r of rollups) this.rollups.set(`${r.site}/${r.provider}/${r.minute}`, r);
  }

  async listRollups(site: string, provider: string, from: number, to: number): Promise<MinuteRollup[]> {
    return [...this.rollups.values()]
      .filter((r) => r.site === site && r.provider === provider && inRange(Date.parse(r.minute), from, to))
      .sort((a, b) => a.minute.localeCompare(b.minute));
  }
}

function inRange(t: number, from: number, to: number): boolean {
  return t >= from && t < to;
}

/** A DNS change as the in-memory Route 53 saw it. */
export interface DnsChangeRecord {
  id: string;
  site: string;
  /** Epoch ms when submitted, and when it reaches INSYNC. */
  at: number;
  insyncAt: number;
  weights: Weights;
}

/**
 * Weighted records in memory: a change applies at once (reads show it) and reports INSYNC after
 * `insyncAfterMs`, as Route 53 does. `failNext` makes the next calls fail, to exercise retries.
 */
export class InMemoryDns implements DnsWeights {
  readonly records = new Map<string, Weights>();
  readonly changes: DnsChangeRecord[] = [];
  private readonly failures: DnsApplyOutcome[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly insyncAfterMs = 30_000,
  ) {}

  failNext(...outcomes: Array<Extract<DnsApplyOutcome, { kind: "retry" | "rejected" }>>): void {
    this.failures.push(...outcomes);
  }

  async read(site: Site): Promise<Weights> {
    return {
      ...(this.records.get(site.id) ??
        Object.fromEntries(site.providers.map((p, i) => [p.id, i === 0 ? 100 : 0]))),
    };
  }

  async apply(site: Site, weights: Weights): Promise<DnsApplyOutcome> {
    if (!isServable(weights)) throw new Error("refusing an all-zero weighted set");
    const failure = this.failures.shift();
    if (failure) return failure;
    if (sameWeights(await this.read(site), weights)) return { kind: "already-applied" };
    const now = this.clock.now();
    const change = {
      id: `C${String(this.changes.length + 1).padStart(6, "0")}`,
      site: site.id,
      at: now,
      insyncAt: now + this.insyncAfterMs,
      weights: { ...weights },
    };
    this.changes.push(change);
    this.records.set(site.id, { ...weights });
    return { kind: "submitted", changeId: change.id };
  }

  async status(changeId: string): Promise<DnsChangeStatus> {
    const change = this.changes.find((c) => c.id === changeId);
    if (!change) return { kind: "retry", message: `no such change ${changeId}` };
    return this.clock.now() >= change.insyncAt ? { kind: "insync" } : { kind: "pending" };
  }

  /** The earliest INSYNC still ahead, for a replay to wake up at. */
  nextInsyncAfter(now: number): number | undefined {
    let next: number | undefined;
    for (const c of this.changes)
      if (c.insyncAt > now && (next === undefined || c.insyncAt < next)) next = c.insyncAt;
    return next;
  }
}

export class InMemoryEvents implements EventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

/**
 * The evaluator's ports in memory around a store the caller keeps: DNS that reports INSYNC after
 * `insyncAfterMs` (default 30 s), events, and a notifier (an InMemoryNotifier unless given one).
 */
export function inMemoryEvaluatorDeps<S extends Store>(
  store: S,
  clock: Clock,
  options: { insyncAfterMs?: number; notifier?: Notifier } = {},
): EvaluatorDeps & { store: S; dns: InMemoryDns; events: InMemoryEvents } {
  return {
    store,
    dns: new InMemoryDns(clock, options.insyncAfterMs),
    events: new InMemoryEvents(),
    notifier: options.notifier ?? new InMemoryNotifier(),
    clock,
  };
}

export class InMemoryNotifier implements Notifier {
  readonly intents: NotificationIntent[] = [];
  private readonly seen = new Set<string>();
  async notify(intents: readonly NotificationIntent[]): Promise<void> {
    for (const intent of intents) {
      if (this.seen.has(intent.id)) continue;
      this.seen.add(intent.id);
      this.intents.push(intent);
    }
  }
}

export class InMemoryOutbox implements NotificationOutbox {
  readonly deliveries = new Map<string, OutboxDelivery>();

  async enqueue(
    intents: readonly NotificationIntent[],
    channels: readonly string[],
    now: number,
  ): Promise<void> {
    for (const intent of intents) {
      for (const channel of channels) {
        const key = `${intent.id}|${channel}`;
        if (!this.deliveries.has(key))
          this.deliveries.set(key, { intent, channel, attempts: 0, nextAttemptAt: now });
      }
    }
  }

  async due(now: number, limit: number): Promise<OutboxDelivery[]> {
    return [...this.deliveries.values()]
      .filter((d) => d.deliveredAt === undefined && !d.abandoned && d.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.intent.at.localeCompare(b.intent.at))
      .slice(0, limit)
      .map((d) => ({ ...d }));
  }

  async markDelivered(delivery: OutboxDelivery, at: number): Promise<void> {
    const key = `${delivery.intent.id}|${delivery.channel}`;
    const current = this.deliveries.get(key);
    if (current) this.deliveries.set(key, { ...current, attempts: current.attempts + 1, deliveredAt: at });
  }

  async markFailed(
    delivery: OutboxDelivery,
    _at: number,
    error: string,
    nextAttemptAt: number | undefined,
  ): Promise<void> {
    const key = `${delivery.intent.id}|${delivery.channel}`;
    const current = this.deliveries.get(key);
    if (!current) return;
    this.deliveries.set(key, {
      ...current,
      attempts: current.attempts + 1,
      lastError: error,
      ...(nextAttemptAt === undefined ? { abandoned: true } : { nextAttemptAt }),
    });
  }
  async postpone(delivery: OutboxDelivery, nextAttemptAt: number, reason: string): Promise<void> {
    const key = `${delivery.intent.id}|${delivery.channel}`;
    const current = this.deliveries.get(key);
    if (!current || current.deliveredAt !== undefined || current.abandoned) return;
    this.deliveries.set(key, { ...current, nextAttemptAt, lastError: reason });
  }
}

export class InMemoryMessageRefs implements MessageRefs {
  private readonly refs = new Map<string, Record<string, string>>();
  async recall(site: string, key: string): Promise<Record<string, string> | undefined> {
    const ref = this.refs.get(`${site}/${key}`);
    return ref ? { ...ref } : undefined;
  }
  async remember(site: string, key: string, ref: Record<string, string>): Promise<void> {
    this.refs.set(`${site}/${key}`, { ...ref });
  }
}
