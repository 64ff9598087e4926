import {
  type AuditRecord,
  auditRecordSchema,
  type DnsObservation,
  dnsObservationSchema,
  type Effects,
  effectsSchema,
  heartbeatKey,
  type Incident,
  incidentSchema,
  type MinuteRollup,
  minuteRollupSchema,
  type ProbeResult,
  probeResultSchema,
  type RegionHeartbeat,
  regionTrackerSchema,
  type SaveOutcome,
  type SiteState,
  type Store,
  type StoredState,
  type StoredTracker,
  siteStateSchema,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import {
  parseItem,
  parseJsonItem,
  SingleTable,
  type SingleTableOptions,
  sortKeyBetween,
  stringAttribute,
} from "./single-table.js";
import { isoKey, keys, timeKey } from "./table.js";

/** A stored probe round: the shared fields, then each result (checked whole by probeResultSchema). */
/** A heartbeat as stored; items written before the fan-out (one per region) are shard 0 of 1. */
const heartbeatItemSchema = z.object({
  region: z.string(),
  shard: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  shards: z._default(z.number().check(z.int(), z.positive()), 1),
  lastRoundAt: z.number(),
  sites: z.string(),
});
const heartbeatTtlSeconds = 7 * 86_400;

const probeRoundSchema = z.object({
  site: z.string(),
  provider: z.string(),
  region: z.string(),
  at: z.string(),
  results: z.array(z.record(z.string(), z.unknown())),
});

/*
 * The core's Store on the single table (key design in table.ts).
 *
 * The state item holds the site's state and its outbox as JSON strings: it is read and rewritten on
 * every evaluation, one string is cheaper to marshal than a deep map, and nothing queries its inner
 * fields. Every write of it is a conditional Put on `version` (attribute_not_exists for the first), so
 * of two evaluators that read the same version exactly one can write; the other gets `conflict`.
 * Records for people and reports (audit, incidents, rollups, probe results) are plain attributes,
 * written idempotently on their keys, and parsed with core's schemas when read back.
 */

export interface DynamoStoreOptions extends SingleTableOptions {
  /** How long probe results are kept (TTL). Default 35 days. */
  resultTtlDays?: number;
}

/** DynamoDB's item limit is 400 KB; stay clear of it with a readable error instead of a ValidationException. */
const maxStateItemBytes = 380_000;

export class StateItemTooLargeError extends Error {
  override name = "StateItemTooLargeError";
}

/** The condition of a write stamped with a round: no item yet, or one from this round or an older one. */
function noNewerRound(lastRoundAt: number) {
  return {
    ConditionExpression: "attribute_not_exists(PK) OR lastRoundAt <= :at",
    ExpressionAttributeValues: { ":at": lastRoundAt },
  };
}

export class DynamoStore implements Store {
  private readonly table: SingleTable;
  private readonly resultTtlSeconds: number;

  constructor(options: DynamoStoreOptions) {
    this.table = new SingleTable(options);
    this.resultTtlSeconds = (options.resultTtlDays ?? 35) * 86_400;
  }

  // ---- state ----------------------------------------------------------------------------------

  async loadState(site: string): Promise<StoredState | undefined> {
    const item = await this.table.get({ PK: keys.site(site), SK: keys.state });
    if (!item) return undefined;
    const what = `state of site ${site}`;
    const state = parseJsonItem(siteStateSchema, item.state, what);
    const outbox =
      item.outbox === undefined
        ? undefined
        : parseJsonItem(effectsSchema, item.outbox, `outbox of site ${site}`);
    return outbox ? { state, outbox } : { state };
  }

  async saveState(next: SiteState, expectedVersion: number, outbox?: Effects): Promise<SaveOutcome> {
    const state = JSON.stringify(next);
    const outboxJson = outbox ? JSON.stringify(outbox) : undefined;
    const bytes = Buffer.byteLength(state) + (outboxJson ? Buffer.byteLength(outboxJson) : 0);
    if (bytes > maxStateItemBytes) {
      throw new StateItemTooLargeError(
        `state item of site ${next.site} would be ${bytes} bytes (limit ${maxStateItemBytes}); the outbox holds ` +
          `${outbox?.events.length ?? 0} events and ${outbox?.rollups.length ?? 0} rollups not yet carried out`,
      );
    }
    const saved = await this.table.put(
      {
        PK: keys.site(next.site),
        SK: keys.state,
        version: next.version,
        state,
        ...(outboxJson ? { outbox: outboxJson } : {}),
      },
      expectedVersion === 0
        ? { ConditionExpression: "attribute_not_exists(PK)" }
        : {
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": expectedVersion },
          },
    );
    return saved ? { kind: "saved" } : { kind: "conflict" };
  }

  // ---- trackers -------------------------------------------------------------------------------

  async loadTrackers(site: string): Promise<StoredTracker[]> {
    const items = await this.table.query({
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.site(site), ":prefix": keys.trackerPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => {
      const what = `tracker ${String(item.SK)} of site ${site}`;
      return {
        site,
        provider: stringAttribute(item, "provider", what),
        region: stringAttribute(item, "region", what),
        tracker: parseItem(regionTrackerSchema, item.tracker, what),
      };
    });
  }

  /**
   * Trackers are versionless (re-folding the same rounds gives the same tracker), but an older round
   * must never overwrite a newer one: the write is conditional on `lastRoundAt` not going back.
   */
  async saveTracker(entry: StoredTracker): Promise<void> {
    // Refused when a newer round is already folded in: this one is late, and the newer tracker stands.
    await this.table.put(
      {
        PK: keys.site(entry.site),
        SK: keys.tracker(entry.provider, entry.region),
        provider: entry.provider,
        region: entry.region,
        lastRoundAt: entry.tracker.lastRoundAt,
        tracker: entry.tracker,
      },
      noNewerRound(entry.tracker.lastRoundAt),
    );
  }

  async saveDnsObservation(site: string, observation: DnsObservation): Promise<void> {
    await this.table.put({ PK: keys.site(site), SK: keys.dnsObservation(observation.region), observation });
  }

  async loadDnsObservations(site: string): Promise<DnsObservation[]> {
    const items = await this.table.query({
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.site(site), ":prefix": keys.dnsObservationPrefix },
    });
    return items.map((item) =>
      parseItem(dnsObservationSchema, item.observation, `DNS observation ${String(item.SK)} of site ${site}`),
    );
  }

  /**
   * One item per region and shard (`HEARTBEAT` / `heartbeatKey`), conditional on `lastRoundAt` not
   * going back. It expires a week after its round: a layout the config no longer has leaves nothing.
   */
  async saveRegionHeartbeat(heartbeat: RegionHeartbeat): Promise<void> {
    await this.table.put(
      {
        PK: keys.heartbeats,
        SK: heartbeatKey(heartbeat),
        ...heartbeat,
        expiresAt: Math.floor(heartbeat.lastRoundAt / 1000) + heartbeatTtlSeconds,
      },
      noNewerRound(heartbeat.lastRoundAt),
    );
  }

  async loadRegionHeartbeats(): Promise<RegionHeartbeat[]> {
    const items = await this.table.query({
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.heartbeats },
      ConsistentRead: true,
    });
    return items.map((item) => parseItem(heartbeatItemSchema, item, `heartbeat ${String(item.SK)}`));
  }

  // ---- probe results --------------------------------------------------------------------------

  /**
   * One item per provider and region round, holding that round's results: a round of five probes is
   * one write unit instead of five, the largest saving in the deployment's DynamoDB bill. The fields
   * every result of the round shares (site, provider, region, at) live in the keys.
   */
  async putResults(results: readonly ProbeResult[]): Promise<void> {
    const rounds = new Map<string, ProbeResult[]>();
    for (const result of results) {
      const key = `${result.site}\u0000${result.provider}\u0000${result.region}\u0000${result.at}`;
      const round = rounds.get(key);
      if (round) round.push(result);
      else rounds.set(key, [result]);
    }
    await this.table.putAll(
      [...rounds.values()].map((round) => {
        const { site, provider, region, at } = round[0] as ProbeResult;
        return {
          PK: keys.probe(site, provider),
          SK: keys.probeRound(at, region),
          expiresAt: Math.floor(Date.parse(at) / 1000) + this.resultTtlSeconds,
          site,
          provider,
          region,
          at,
          results: round.map(({ site: _s, provider: _p, region: _r, at: _a, ...rest }) => rest),
        };
      }),
    );
  }

  async listResults(site: string, provider: string, from: number, to: number): Promise<ProbeResult[]> {
    if (to <= from) return [];
    // SK is `{at}#{region}`: BETWEEN `{from}` AND `{to}` is exactly [from, to).
    const items = await this.table.query(
      sortKeyBetween(keys.probe(site, provider), timeKey(from), timeKey(to)),
    );
    return items.flatMap((item) => {
      const round = parseItem(probeRoundSchema, item, `probe round ${String(item.SK)}`);
      return round.results.map((result) =>
        parseItem(
          probeResultSchema,
          { ...result, site: round.site, provider: round.provider, region: round.region, at: round.at },
          `probe result ${String(item.SK)}`,
        ),
      );
    });
  }

  // ---- journal --------------------------------------------------------------------------------

  async appendAudit(records: readonly AuditRecord[]): Promise<void> {
    await this.table.putAll(
      records.map((record) => ({
        PK: keys.site(record.site),
        SK: keys.audit(record.at, record.seq, record.action, record.actor),
        ...record,
      })),
    );
  }

  async listAudit(site: string, from: number, to: number, limit = 100): Promise<AuditRecord[]> {
    if (to <= from || limit <= 0) return [];
    const items = await this.table.query(
      { ...sortKeyBetween(keys.site(site), keys.auditAt(from), keys.auditAt(to)), ScanIndexForward: false },
      limit,
    );
    return items.map((item) => parseItem(auditRecordSchema, item, `audit record ${String(item.SK)}`));
  }

  async putIncident(incident: Incident): Promise<void> {
    await this.table.put({
      PK: keys.site(incident.site),
      SK: keys.incident(incident.start, incident.id),
      ...incident,
    });
  }

  /**
   * Incidents overlapping [from, to). A site has one incident open at a time, so they do not overlap:
   * reading back from `to`, the first one that started before `from` is the last that can matter.
   */
  async listIncidents(site: string, from: number, to: number): Promise<Incident[]> {
    if (to <= from) return [];
    const found: Incident[] = [];
    const pages = this.table.queryPages({
      ...sortKeyBetween(keys.site(site), keys.incidentPrefix, keys.incidentAt(to)),
      ScanIndexForward: false,
    });
    for await (const page of pages) {
      for (const item of page) {
        const incident = parseItem(incidentSchema, item, `incident ${String(item.SK)}`);
        if (incident.endAt === undefined || Date.parse(incident.endAt) >= from) found.push(incident);
        if (Date.parse(incident.start) < from) return found.reverse();
      }
    }
    return found.reverse();
  }

  async putRollups(rollups: readonly MinuteRollup[]): Promise<void> {
    await this.table.putAll(
      rollups.map((rollup) => ({
        PK: keys.rollup(rollup.site, rollup.provider),
        SK: isoKey(rollup.minute),
        ...rollup,
      })),
    );
  }

  async listRollups(site: string, provider: string, from: number, to: number): Promise<MinuteRollup[]> {
    if (to <= from) return [];
    const items = await this.table.query(
      sortKeyBetween(keys.rollup(site, provider), timeKey(from), timeKey(to - 1)),
    );
    return items.map((item) => parseItem(minuteRollupSchema, item, `rollup ${String(item.SK)}`));
  }
}
