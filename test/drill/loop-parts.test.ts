import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  InMemoryDns,
  InMemoryEvents,
  InMemoryMessageRefs,
  InMemoryOutbox,
  InMemoryStore,
  type Site,
} from "@idp-failover/core";
import { testConfig, testSite, testZoneId } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { CompressedClock, sleepReal } from "../../packages/runtime/src/loop/compressed-clock.js";
import { ControlLoop } from "../../packages/runtime/src/loop/control-loop.js";
import { DryRunDnsWeights } from "../../packages/runtime/src/loop/dry-run-dns-weights.js";
import { startEmbeddedDynamo } from "../../packages/runtime/src/loop/embedded-dynamo.js";
import { eventEntry, regionChangeEntry } from "../../packages/runtime/src/loop/feed-text.js";
import { LoopFeed } from "../../packages/runtime/src/loop/loop-feed.js";
import {
  ObservedDnsWeights,
  ObservedEventPublisher,
} from "../../packages/runtime/src/loop/observed-ports.js";
import { elapsedText, formatEntry, wantsColour } from "../../packages/runtime/src/loop/timeline-format.js";

const at = Date.parse("2026-03-02T09:00:00Z");

function site(): Site {
  return testSite(testConfig());
}

describe("the compressed clock", () => {
  it("runs N times faster than the wall clock from its start", () => {
    // Prepare
    let wall = 1_000;
    const clock = new CompressedClock(10, () => wall, at);

    // Act
    wall += 1_500;

    // Assess
    expect(clock.now()).toBe(at + 15_000);
    expect(clock.realDelayUntil(at + 25_000)).toBe(1_000);
    expect(clock.realDelayUntil(at)).toBe(0);
  });

  it("is the wall clock at speed 1", () => {
    // Prepare
    let wall = 5_000;
    const clock = new CompressedClock(1, () => wall);

    // Act
    wall += 250;

    // Assess
    expect(clock.now()).toBe(5_250);
  });

  it("refuses a speed that is not positive", () => {
    expect(() => new CompressedClock(0)).toThrow(RangeError);
  });

  it("ends a sleep early, without an error, when aborted", async () => {
    // Prepare
    const abort = new AbortController();
    const sleeping = sleepReal(60_000, abort.signal);

    // Act
    abort.abort();

    // Assess
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe("the timeline's words", () => {
  it("names the region, provider, move and the evidence of a region verdict change", () => {
    // Act
    const entry = regionChangeEntry(
      { site: "example", provider: "okta", region: "eu-west-1", from: "up", to: "down" },
      { probe: "oidc-discovery", class: "http-5xx", status: 503, latencyMs: 12, message: "HTTP 503" },
    );

    // Assess
    expect(entry).toMatchObject({ kind: "region", tone: "bad" });
    expect(entry.text).toBe("eu-west-1 sees okta up -> down (oidc-discovery: http-5xx 503, 12 ms)");
  });

  it("shows who acted on a transition only when the reason does not already say", () => {
    // Prepare
    const base = { id: "e1", site: "example", at: "2026-03-02T09:00:00Z", version: 3, weights: {} };

    // Act
    const approved = eventEntry({
      ...base,
      type: "state-changed",
      from: "failback-pending",
      to: "failing-back",
      reason: "approved by slack:U0DRILLOPS",
      actor: "slack:U0DRILLOPS",
    });
    const frozen = eventEntry({
      ...base,
      type: "state-changed",
      from: "primary-active",
      to: "frozen",
      reason: "maintenance",
      actor: "operator:ana",
    });

    // Assess
    expect(approved?.text).toBe("failback-pending -> failing-back: approved by slack:U0DRILLOPS");
    expect(frozen?.text).toBe("primary-active -> frozen: maintenance (by operator:ana)");
  });

  it("keeps the monitor starting up out of the timeline", () => {
    // Act
    const entry = eventEntry({
      type: "verdict-changed",
      id: "v1",
      site: "example",
      at: "2026-03-02T09:00:00Z",
      provider: "okta",
      from: "unknown",
      to: "impaired",
      regions: {},
    });

    // Assess
    expect(entry).toBeUndefined();
  });

  it("prints time, elapsed, tag and text, in colour only when asked", () => {
    // Prepare
    const entry = { seq: 1, at: at + 83_000, kind: "state" as const, tone: "warn" as const, text: "a -> b" };

    // Act
    const plain = formatEntry(entry, { color: false, startedAt: at, showSite: false });
    const coloured = formatEntry(entry, { color: true, startedAt: at, showSite: false });

    // Assess
    expect(plain).toBe("09:01:23  +01:23  STATE     a -> b");
    expect(coloured).toContain("\u001b[33m");
    expect(elapsedText(3_725_000)).toBe("+1:02:05");
  });

  it("colours a terminal unless NO_COLOR says otherwise", () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
  });
});

describe("the observed ports", () => {
  it("put each published event on the timeline once, even when an outbox retry publishes it again", async () => {
    // Prepare
    const feed = new LoopFeed({ now: () => at });
    const published: string[] = [];
    const events = new ObservedEventPublisher(
      { publish: async (list) => void published.push(...list.map((e) => e.id)) },
      feed,
    );
    const event = {
      type: "alert" as const,
      id: "a1",
      site: "example",
      at: "2026-03-02T09:00:00Z",
      alert: "both-down" as const,
      message: "okta and entra are both down",
    };

    // Act
    await events.publish([event]);
    await events.publish([event]);

    // Assess
    expect(published).toEqual(["a1", "a1"]);
    expect(feed.all().map((e) => e.text)).toEqual(["okta and entra are both down"]);
  });

  it("show a DNS change when submitted and once when it is in sync", async () => {
    // Prepare
    const feed = new LoopFeed({ now: () => at });
    const described: string[] = [];
    const dns = new ObservedDnsWeights(new DryRunDnsWeights((_site, change) => described.push(change)), feed);
    const s = site();

    // Act
    const outcome = await dns.apply(s, { okta: 0, entra: 100 });
    await dns.status("dry-run-1");
    await dns.status("dry-run-1");

    // Assess
    expect(outcome).toEqual({ kind: "submitted", changeId: "dry-run-1" });
    expect(feed.all().map((e) => e.text)).toEqual([
      "change dry-run-1 submitted: okta 0, entra 100",
      "change dry-run-1 INSYNC: login.acme.example.com now weighted okta 0, entra 100",
    ]);
    expect(described[0]).toBe(
      `would UPSERT login.acme.example.com CNAME (TTL 60) in zone ${testZoneId}: okta weight 0 -> acme.customdomains.okta.com; entra weight 100 -> acme-login.azurefd.net`,
    );
  });
});

describe("the dry-run DNS", () => {
  it("starts with all weight on the primary and remembers what it was asked for", async () => {
    // Prepare
    const dns = new DryRunDnsWeights(() => {});
    const s = site();

    // Act
    const before = await dns.read(s);
    await dns.apply(s, { okta: 10, entra: 90 });
    const again = await dns.apply(s, { okta: 10, entra: 90 });

    // Assess
    expect(before).toEqual({ okta: 100, entra: 0 });
    expect(await dns.read(s)).toEqual({ okta: 10, entra: 90 });
    expect(again).toEqual({ kind: "already-applied" });
  });

  it("refuses an all-zero weighted set, as Route 53 would split it equally", async () => {
    // Act
    const outcome = await new DryRunDnsWeights(() => {}).apply(site(), { okta: 0, entra: 0 });

    // Assess
    expect(outcome.kind).toBe("rejected");
  });
});

describe("the embedded store's data directory", () => {
  it("is refused, saying why, while another store holds it, and when it is a file", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "idpctl-data-"));
    const file = `${dir}.file`;
    await writeFile(file, "not a directory");
    const holder = await startEmbeddedDynamo({ dataDir: dir });

    // Act
    const held = await startEmbeddedDynamo({ dataDir: dir }).then(
      () => "started",
      (error: Error) => error.message,
    );
    const onFile = await startEmbeddedDynamo({ dataDir: file }).then(
      () => "started",
      (error: Error) => error.message,
    );
    await holder.close();
    const reopened = await startEmbeddedDynamo({ dataDir: dir });
    await reopened.close();

    // Assess
    expect(held).toBe(`${dir} is in use by another process: one idpctl per data directory`);
    expect(onFile).toBe(`cannot keep the store in ${file}: not a directory`);
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(file, { force: true })]);
  });
});

describe("the control loop", () => {
  /** Timers the process holds: one left behind keeps `idpctl` alive after its last line. */
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

  it("leaves no timer behind once stopped, so the process can exit", async () => {
    // Prepare: the loop with no probe region, on in-memory ports.
    const before = timers();
    const clock = new CompressedClock(1);
    const loop = new ControlLoop({
      config: testConfig(),
      ports: {
        store: new InMemoryStore(),
        dns: new InMemoryDns(clock),
        events: new InMemoryEvents(),
        outbox: new InMemoryOutbox(),
        messageRefs: new InMemoryMessageRefs(),
      },
      clock,
      feed: new LoopFeed(clock),
      secrets: () => undefined,
      regions: [],
    });
    loop.start();

    // Act
    await loop.stop();

    // Assess
    expect(timers()).toBe(before);
  });
});
