import { DynamoMessageRefs, DynamoNotificationOutbox, DynamoStore } from "@idp-failover/aws";
import {
  type AuditRecord,
  type Incident,
  InMemoryMessageRefs,
  InMemoryOutbox,
  InMemoryStore,
  isoTime,
  type MessageRefs,
  type MinuteRollup,
  type NotificationIntent,
  type NotificationOutbox,
  type ProbeResult,
  type RegionHeartbeat,
  type SiteState,
  type Store,
} from "@idp-failover/core";
import { testStoredTracker, testTracker } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite } from "./dynalite.js";

/*
 * One contract, two implementations: every behaviour the core relies on is checked against the
 * in-memory adapters (what replay and core tests use) and the DynamoDB ones (dynalite, real SDK).
 * Each test works on its own site id, so they share one table.
 */

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.close();
});

let siteCounter = 0;
const newSite = () => `site-${++siteCounter}`;
const t0 = Date.parse("2026-03-01T12:00:00.000Z");

function state(site: string, version: number, name: SiteState["state"] = "primary-active"): SiteState {
  return {
    site,
    version,
    state: name,
    since: isoTime(t0),
    active: "okta",
    weights: { okta: 100, entra: 0 },
    observed: { okta: { verdict: "up", since: isoTime(t0) } },
    alerts: {},
  };
}

function result(site: string, at: number, region: string, probe: string, ok = true): ProbeResult {
  return {
    site,
    provider: "okta",
    region,
    probe,
    kind: "jwks",
    criticality: "critical",
    at: isoTime(at),
    ok,
    latencyMs: 42,
    ...(ok ? {} : { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } }),
  };
}

function audit(site: string, at: number, seq: number, action = "transition"): AuditRecord {
  return {
    site,
    at: isoTime(at),
    seq,
    actor: "evaluator",
    action,
    reason: `r${seq}`,
    from: "primary-active",
    to: "failing-over",
  };
}

function incident(site: string, start: number, end?: number): Incident {
  return {
    id: `${site}-${start}`,
    site,
    provider: "okta",
    start: isoTime(start),
    detectedAt: isoTime(start + 20_000),
    ...(end !== undefined ? { endAt: isoTime(end) } : {}),
    evidence: [],
  };
}

function rollup(site: string, minute: number): MinuteRollup {
  return {
    site,
    provider: "okta",
    minute: isoTime(minute),
    global: { up: 60 },
    regions: { "us-east-1": { up: 59.5, unknown: 0.5 } },
  };
}

function intent(site: string, n: number, at = t0): NotificationIntent {
  return {
    id: `${site}:${n}:frozen`,
    site,
    at: isoTime(at),
    kind: "frozen",
    by: "operator:ana",
    reason: "drill",
  };
}

const stores: Array<[string, () => Store]> = [
  ["in-memory", () => new InMemoryStore()],
  ["DynamoDB", () => new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() })],
];

describe.each(stores)("Store contract (%s)", (_name, makeStore) => {
  it("writes a state only on the version it read, and keeps the outbox with it", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();
    const outbox = { events: [], notifications: [intent(site, 1)], audit: [audit(site, t0, 1)], rollups: [] };

    // Act
    const first = await store.saveState(state(site, 1), 0, outbox);
    const again = await store.saveState(state(site, 1), 0);
    const stale = await store.saveState(state(site, 2), 5);
    const next = await store.saveState(state(site, 2, "failing-over"), 1);
    const loaded = await store.loadState(site);

    // Assess
    expect([first.kind, again.kind, stale.kind, next.kind]).toEqual([
      "saved",
      "conflict",
      "conflict",
      "saved",
    ]);
    expect(loaded?.state.state).toBe("failing-over");
    expect(loaded?.state.version).toBe(2);
    expect(loaded?.outbox).toBeUndefined();
  });

  it("returns the stored outbox until a write clears it", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();
    const outbox = { events: [], notifications: [intent(site, 1)], audit: [], rollups: [rollup(site, t0)] };

    // Act
    await store.saveState(state(site, 1), 0, outbox);
    const loaded = await store.loadState(site);

    // Assess
    expect(loaded?.outbox).toEqual(outbox);
    expect(await store.loadState(newSite())).toBeUndefined();
  });

  it("keeps one tracker per provider and region", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();

    // Act
    await store.saveTracker(testStoredTracker(site, "okta", t0, false));
    await store.saveTracker(testStoredTracker(site, "okta", t0 + 10_000, true));
    await store.saveTracker(testStoredTracker(site, "entra", t0, false));
    const trackers = await store.loadTrackers(site);

    // Assess
    const okta = trackers.find((t) => t.provider === "okta");
    expect(trackers).toHaveLength(2);
    expect(okta?.tracker).toEqual(testTracker(t0 + 10_000, true));
  });

  it("keeps each region's and shard's newest heartbeat, never an older one", async () => {
    // Prepare: region names of this test only (heartbeats are one partition for the table).
    const store = makeStore();
    const region = `hb-${newSite()}`;
    const whole = { shard: 0, shards: 1 };
    // Act
    await store.saveRegionHeartbeat({ region, ...whole, lastRoundAt: t0 + 20_000, sites: "1:abcdef01" });
    await store.saveRegionHeartbeat({ region, ...whole, lastRoundAt: t0 + 10_000, sites: "1:abcdef01" });
    await store.saveRegionHeartbeat({
      region: `${region}-b`,
      ...whole,
      lastRoundAt: t0,
      sites: "2:00000000",
    });
    await store.saveRegionHeartbeat({
      region,
      shard: 1,
      shards: 3,
      lastRoundAt: t0 + 5_000,
      sites: "7:0000beef",
    });
    await store.saveRegionHeartbeat({
      region,
      shard: 2,
      shards: 3,
      lastRoundAt: t0 + 6_000,
      sites: "5:0000cafe",
    });
    const heartbeats = (await store.loadRegionHeartbeats()).filter((h) => h.region.startsWith(region));
    // Assess
    const order = (h: RegionHeartbeat) => `${h.region}#${h.shard}`;
    expect(heartbeats.sort((a, b) => (order(a) < order(b) ? -1 : 1))).toEqual([
      { region, ...whole, lastRoundAt: t0 + 20_000, sites: "1:abcdef01" },
      { region, shard: 1, shards: 3, lastRoundAt: t0 + 5_000, sites: "7:0000beef" },
      { region, shard: 2, shards: 3, lastRoundAt: t0 + 6_000, sites: "5:0000cafe" },
      { region: `${region}-b`, ...whole, lastRoundAt: t0, sites: "2:00000000" },
    ]);
  });

  it("lists a provider's probe results in [from, to), oldest first", async () => {
    // Prepare: 30 rounds of 2 probes, 10 s apart (more than one batch of writes).
    const store = makeStore();
    const site = newSite();
    const results = Array.from({ length: 30 }, (_, i) => [
      result(site, t0 + i * 10_000, "us-east-1", "jwks"),
      result(site, t0 + i * 10_000, "us-east-1", "token", i % 2 === 0),
    ]).flat();
    await store.putResults(results);

    // Act
    const listed = await store.listResults(site, "okta", t0 + 50_000, t0 + 100_000);

    // Assess: rounds 5..9, both probes, the bounds exact.
    expect(listed.map((r) => r.at)).toEqual(
      [5, 5, 6, 6, 7, 7, 8, 8, 9, 9].map((i) => isoTime(t0 + i * 10_000)),
    );
    expect(listed.find((r) => !r.ok)?.error).toEqual({ class: "http-5xx", message: "HTTP 503" });
    expect(await store.listResults(site, "entra", t0, t0 + 1_000_000)).toEqual([]);
  });

  it("lists the audit trail newest first, bounded by time and limit, without duplicates", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();
    await store.appendAudit([audit(site, t0, 1), audit(site, t0 + 1000, 2), audit(site, t0 + 2000, 3)]);
    await store.appendAudit([audit(site, t0 + 2000, 3), audit(site, t0 + 3000, 4)]);

    // Act
    const all = await store.listAudit(site, t0, t0 + 10_000);
    const window = await store.listAudit(site, t0 + 1000, t0 + 3000);
    const limited = await store.listAudit(site, t0, t0 + 10_000, 2);

    // Assess
    expect(all.map((a) => a.seq)).toEqual([4, 3, 2, 1]);
    expect(window.map((a) => a.seq)).toEqual([3, 2]);
    expect(limited.map((a) => a.seq)).toEqual([4, 3]);
  });

  it("keeps two people's records of the same instant and action apart", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();
    const refused = (actor: string): AuditRecord => ({
      ...audit(site, t0, 0, "refused:approve"),
      actor,
      reason: "not an approver",
    });

    // Act
    await store.appendAudit([refused("slack:U1"), refused("slack:U2")]);

    // Assess
    expect((await store.listAudit(site, t0, t0 + 1)).map((a) => a.actor).sort()).toEqual([
      "slack:U1",
      "slack:U2",
    ]);
  });

  it("lists incidents that overlap the window, including one that began before it", async () => {
    // Prepare: closed long before, long-running across `from`, inside, and after the window.
    const store = makeStore();
    const site = newSite();
    const hour = 3_600_000;
    await store.putIncident(incident(site, t0 - 10 * hour, t0 - 9 * hour));
    await store.putIncident(incident(site, t0 - 2 * hour, t0 + hour));
    await store.putIncident(incident(site, t0 + 2 * hour, t0 + 3 * hour));
    await store.putIncident(incident(site, t0 + 5 * hour));
    const updated = { ...incident(site, t0 + 2 * hour, t0 + 3 * hour), approvedBy: "U1" };
    await store.putIncident(updated);

    // Act
    const listed = await store.listIncidents(site, t0, t0 + 4 * hour);

    // Assess
    expect(listed.map((i) => i.start)).toEqual([isoTime(t0 - 2 * hour), isoTime(t0 + 2 * hour)]);
    expect(listed[1]?.approvedBy).toBe("U1");
  });

  it("lists minute rollups in [from, to)", async () => {
    // Prepare
    const store = makeStore();
    const site = newSite();
    await store.putRollups(Array.from({ length: 5 }, (_, i) => rollup(site, t0 + i * 60_000)));

    // Act
    const listed = await store.listRollups(site, "okta", t0 + 60_000, t0 + 180_000);

    // Assess
    expect(listed.map((r) => r.minute)).toEqual([isoTime(t0 + 60_000), isoTime(t0 + 120_000)]);
    expect(listed[0]?.regions["us-east-1"]).toEqual({ up: 59.5, unknown: 0.5 });
  });
});

const outboxes: Array<[string, () => NotificationOutbox]> = [
  ["in-memory", () => new InMemoryOutbox()],
  ["DynamoDB", () => new DynamoNotificationOutbox({ tableName: dynamo.tableName, client: dynamo.client() })],
];

describe.each(outboxes)("NotificationOutbox contract (%s)", (_name, makeOutbox) => {
  it("records one delivery per intent and channel, once, due from when it was enqueued", async () => {
    // Prepare
    const outbox = makeOutbox();
    const site = newSite();
    const intents = [intent(site, 1), intent(site, 2, t0 + 1)];

    // Act
    await outbox.enqueue(intents, ["slack", "webhook:pager"], t0);
    await outbox.enqueue(intents, ["slack"], t0 + 5000);
    const early = (await outbox.due(t0 - 1, 100)).filter((d) => d.intent.site === site);
    const due = (await outbox.due(t0, 100)).filter((d) => d.intent.site === site);

    // Assess
    expect(early).toEqual([]);
    expect(due.map((d) => `${d.intent.id}|${d.channel}|${d.attempts}`).sort()).toEqual([
      `${site}:1:frozen|slack|0`,
      `${site}:1:frozen|webhook:pager|0`,
      `${site}:2:frozen|slack|0`,
      `${site}:2:frozen|webhook:pager|0`,
    ]);
    expect(due[0]?.intent).toEqual(intents[0]);
  });

  it("hands out nothing delivered or abandoned, and a failed delivery again at its next attempt", async () => {
    // Prepare
    const outbox = makeOutbox();
    const site = newSite();
    await outbox.enqueue([intent(site, 1), intent(site, 2), intent(site, 3)], ["slack"], t0);
    const [first, second, third] = (await outbox.due(t0, 100)).filter((d) => d.intent.site === site);
    if (!first || !second || !third) throw new Error("expected three deliveries");

    // Act
    await outbox.markDelivered(first, t0 + 100);
    await outbox.markFailed(second, t0 + 100, "HTTP 503 from Slack", t0 + 60_000);
    await outbox.markFailed(third, t0 + 100, "invalid_auth", undefined);
    const soon = (await outbox.due(t0 + 30_000, 100)).filter((d) => d.intent.site === site);
    const later = (await outbox.due(t0 + 60_000, 100)).filter((d) => d.intent.site === site);

    // Assess
    expect(soon).toEqual([]);
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({
      channel: "slack",
      attempts: 1,
      lastError: "HTTP 503 from Slack",
      nextAttemptAt: t0 + 60_000,
    });
    expect(later[0]?.intent.id).toBe(second.intent.id);
  });

  it("postpones a delivery without counting an attempt, and leaves a delivered one alone", async () => {
    // Prepare
    const outbox = makeOutbox();
    const site = newSite();
    await outbox.enqueue([intent(site, 1), intent(site, 2)], ["slack"], t0);
    const [waiting, done] = (await outbox.due(t0, 100)).filter((d) => d.intent.site === site);
    if (!waiting || !done) throw new Error("expected two deliveries");
    await outbox.markDelivered(done, t0 + 10);

    // Act
    await outbox.postpone(waiting, t0 + 90_000, "not attempted: the channel is rate limited");
    await outbox.postpone(done, t0 + 90_000, "not attempted");
    const soon = (await outbox.due(t0 + 60_000, 100)).filter((d) => d.intent.site === site);
    const later = (await outbox.due(t0 + 90_000, 100)).filter((d) => d.intent.site === site);

    // Assess
    expect(soon).toEqual([]);
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ attempts: 0, nextAttemptAt: t0 + 90_000 });
    expect(later[0]?.intent.id).toBe(waiting.intent.id);
  });

  it("hands out the oldest due first, up to the limit", async () => {
    // Prepare: a day before every other test's deliveries, so these are the oldest in the table.
    const outbox = makeOutbox();
    const site = newSite();
    const early = t0 - 86_400_000;
    await outbox.enqueue([intent(site, 3, early + 3)], ["slack"], early + 3);
    await outbox.enqueue([intent(site, 1, early + 1)], ["slack"], early + 1);
    await outbox.enqueue([intent(site, 2, early + 2)], ["slack"], early + 2);

    // Act
    const due = (await outbox.due(early + 10, 1000)).filter((d) => d.intent.site === site);
    const limited = await outbox.due(early + 10, 2);

    // Assess
    expect(due.map((d) => d.intent.id)).toEqual([1, 2, 3].map((n) => `${site}:${n}:frozen`));
    expect(limited.map((d) => d.intent.id)).toEqual([1, 2].map((n) => `${site}:${n}:frozen`));
  });
});

const refs: Array<[string, () => MessageRefs]> = [
  ["in-memory", () => new InMemoryMessageRefs()],
  ["DynamoDB", () => new DynamoMessageRefs({ tableName: dynamo.tableName, client: dynamo.client() })],
];

describe.each(refs)("MessageRefs contract (%s)", (_name, makeRefs) => {
  it("remembers where a message was posted, per site and key", async () => {
    // Prepare
    const messageRefs = makeRefs();
    const site = newSite();

    // Act
    await messageRefs.remember(site, "incident:1", { channel: "C123", ts: "1700000000.000100" });
    await messageRefs.remember(site, "incident:1", { channel: "C123", ts: "1700000000.000200" });

    // Assess
    expect(await messageRefs.recall(site, "incident:1")).toEqual({
      channel: "C123",
      ts: "1700000000.000200",
    });
    expect(await messageRefs.recall(site, "incident:2")).toBeUndefined();
    expect(await messageRefs.recall(newSite(), "incident:1")).toBeUndefined();
  });
});
