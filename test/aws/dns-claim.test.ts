import { Route53Client } from "@aws-sdk/client-route-53";
import { Route53DnsWeights } from "@idp-failover/aws";
import {
  type Config,
  type DnsWeights,
  type EvaluatorDeps,
  evaluateSite,
  FakeClock,
  InMemoryStore,
  inMemoryEvaluatorDeps,
  notificationChannels,
  OutboxNotifier,
  type Store,
} from "@idp-failover/core";
import { stopPoint, testConfig, testTrackers } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testCredentials } from "./dynalite.js";
import { type AwsWorld, startAwsWorld } from "./fixtures.js";

/*
 * The DNS-submission claim (`dns.claim` in the site state): the lease that stops two evaluators from
 * both sending the same Route 53 change. Every case starts from a change that is pending and due but
 * not yet sent (the first attempt was throttled), with the same cases on the in-memory store and on
 * DynamoDB (dynalite) with the Route 53 stand-in, where a submission is a ChangeResourceRecordSets the
 * stand-in accepted. Route 53's read-back ("already applied") cannot save a second sender that read
 * the records before the first one's change landed, so only the claim keeps the count at one.
 */

const sites = ["simultaneous", "in-flight", "expired", "retry"];
const config: Config = testConfig({ sites });
const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const leaseMs = 30_000;

interface EvaluatorHooks {
  /** Runs after each state read: lets a test hold both evaluators until both have read. */
  afterLoad?: () => Promise<void>;
  /** Runs before this evaluator's first ChangeResourceRecordSets is sent. */
  beforeSubmit?: () => Promise<void>;
}

/** One store and one Route 53 (or its in-memory model) shared by evaluators that each have their own clients. */
interface ClaimWorld {
  evaluator(clock: FakeClock, hooks?: EvaluatorHooks): EvaluatorDeps;
  /** Route 53 changes sent for the site's login name. */
  submitted(site: string): number;
  setOktaDown(site: string, at: number): Promise<void>;
}

/** Runs `hook` once, on the first call. */
function once(hook: (() => Promise<void>) | undefined): () => Promise<void> {
  let done = false;
  return async () => {
    if (done || !hook) return;
    done = true;
    await hook();
  };
}

function withAfterLoad(store: Store, afterLoad: () => Promise<void>): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === "loadState")
        return async (site: string) => {
          const loaded = await target.loadState(site);
          await afterLoad();
          return loaded;
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function inMemoryWorld(): ClaimWorld {
  const store = new InMemoryStore();
  const shared = inMemoryEvaluatorDeps(store, new FakeClock(t0));
  const sent = new Map<string, number>();
  return {
    evaluator: (clock, hooks = {}) => {
      const beforeSubmit = once(hooks.beforeSubmit);
      const dns: DnsWeights = {
        read: (site) => shared.dns.read(site),
        status: (changeId) => shared.dns.status(changeId),
        apply: async (site, weights) => {
          await beforeSubmit();
          // Counted here: the in-memory model answers a second identical change "already applied".
          sent.set(site.id, (sent.get(site.id) ?? 0) + 1);
          return shared.dns.apply(site, weights);
        },
      };
      return {
        ...shared,
        store: hooks.afterLoad ? withAfterLoad(store, hooks.afterLoad) : store,
        dns,
        clock,
      };
    },
    submitted: (site) => sent.get(site) ?? 0,
    setOktaDown: async (site, at) => {
      for (const tracker of testTrackers(site, at, { okta: true })) store.setTracker(tracker);
    },
  };
}

function awsWorld(world: () => AwsWorld): ClaimWorld {
  const hostnameOf = (site: string) => config.sites.find((s) => s.id === site)?.hostname ?? "";
  return {
    evaluator: (clock, hooks = {}) => {
      const adapters = world().adapters();
      const beforeSubmit = once(hooks.beforeSubmit);
      const route53 = new Route53Client({
        region: "us-east-1",
        endpoint: world().route53.url,
        credentials: testCredentials,
        maxAttempts: 1,
      });
      route53.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName?.startsWith("ChangeResourceRecordSets")) await beforeSubmit();
          return next(args);
        },
        { step: "initialize", name: "holdSubmission" },
      );
      return {
        store: hooks.afterLoad ? withAfterLoad(adapters.store, hooks.afterLoad) : adapters.store,
        dns: new Route53DnsWeights({ client: route53 }),
        events: adapters.events,
        notifier: new OutboxNotifier(adapters.outbox, notificationChannels(config), clock),
        clock,
      };
    },
    submitted: (site) =>
      world().route53.changes.filter((c) => c.changes.some((ch) => ch.record.name === `${hostnameOf(site)}.`))
        .length,
    setOktaDown: async (site, at) => {
      const store = world().adapters().store;
      for (const tracker of testTrackers(site, at, { okta: true })) await store.saveTracker(tracker);
    },
  };
}

/**
 * A meeting of `count` evaluators: `wait` resolves once each has arrived or left (`leave`, called
 * when an evaluation ends without coming), so a meeting no one else will reach never hangs.
 */
function meeting(count: number): { wait: () => Promise<void>; leave: () => void } {
  let expected = count;
  const everyone = stopPoint();
  const leave = () => {
    expected -= 1;
    if (expected <= 0) everyone.arrive();
  };
  return {
    wait: async () => {
      leave();
      await everyone.reached;
    },
    leave,
  };
}

/** A gate held closed until `release()`; `reached` once something waits at it. */
function heldGate() {
  const reached = stopPoint();
  const released = stopPoint();
  return {
    reached: reached.reached,
    release: released.arrive,
    wait: async () => {
      reached.arrive();
      await released.reached;
    },
  };
}

let aws: AwsWorld | undefined;
beforeAll(async () => {
  aws = await startAwsWorld(config);
});
afterAll(async () => {
  await aws?.close();
});

const worlds: Array<[string, () => ClaimWorld]> = [
  ["in memory", inMemoryWorld],
  [
    "DynamoDB and Route 53",
    () =>
      awsWorld(() => {
        if (!aws) throw new Error("the AWS world is not started");
        return aws;
      }),
  ],
];

describe.each(worlds)("the DNS-submission claim (%s)", (_name, makeWorld) => {
  let world: ClaimWorld;
  beforeAll(() => {
    world = makeWorld();
  });

  /**
   * Okta down everywhere; the failover's first submission was throttled and its retry is now due
   * (5 s later, by the default backoff), while the throttled attempt's claim still has 25 s to run.
   */
  async function dueRetry(site: string, clock: FakeClock): Promise<void> {
    await world.setOktaDown(site, clock.now());
    const first = world.evaluator(clock);
    const throttled: DnsWeights = {
      read: (s) => first.dns.read(s),
      status: (id) => first.dns.status(id),
      apply: async () => ({ kind: "retry", message: "Throttling: Rate exceeded" }),
    };
    const report = await evaluateSite({ ...first, dns: throttled }, config, site);
    expect(report.state.dns).toMatchObject({ attempts: 1, claim: { attempt: 0 } });
    expect(report.state.dns?.changeId).toBeUndefined();
    clock.advance(6_000);
  }

  it("two evaluators that read the due change at the same moment send it once", async () => {
    // Prepare: both read the state before either writes; any that gets as far as sending waits
    // there for the other (or for its end), so both would send from the same read of the records.
    const clock = new FakeClock(t0);
    await dueRetry("simultaneous", clock);
    const bothRead = meeting(2);
    const bothSend = meeting(2);
    const racer = () =>
      evaluateSite(
        world.evaluator(clock, { afterLoad: once(bothRead.wait), beforeSubmit: bothSend.wait }),
        config,
        "simultaneous",
      ).finally(bothSend.leave);

    // Act
    await Promise.all([racer(), racer()]);

    // Assess
    expect(world.submitted("simultaneous")).toBe(1);
  });

  it("an evaluator leaves alone a change another is still sending", async () => {
    // Prepare: the first evaluator has claimed the change and is about to send it.
    const clock = new FakeClock(t0);
    await dueRetry("in-flight", clock);
    const sending = heldGate();
    const first = evaluateSite(world.evaluator(clock, { beforeSubmit: sending.wait }), config, "in-flight");
    await sending.reached;

    // Act
    clock.advance(leaseMs - 1_000);
    await evaluateSite(world.evaluator(clock), config, "in-flight");
    const whileClaimed = world.submitted("in-flight");
    sending.release();
    await first;

    // Assess
    expect(whileClaimed).toBe(0);
    expect(world.submitted("in-flight")).toBe(1);
  });

  it("a claim whose lease ran out lets another evaluator send the change", async () => {
    // Prepare: the evaluator that claimed the change died before sending it.
    const clock = new FakeClock(t0);
    await dueRetry("expired", clock);
    const dying = heldGate();
    void evaluateSite(world.evaluator(clock, { beforeSubmit: dying.wait }), config, "expired");
    await dying.reached;

    // Act
    clock.advance(leaseMs + 1_000);
    const report = await evaluateSite(world.evaluator(clock), config, "expired");

    // Assess
    expect(world.submitted("expired")).toBe(1);
    expect(report.state.dns?.changeId).toBeDefined();
  });

  it("the claim of a throttled attempt does not hold back the retry", async () => {
    // Prepare: the retry is due while the throttled attempt's lease still runs.
    const clock = new FakeClock(t0);
    await dueRetry("retry", clock);

    // Act
    const report = await evaluateSite(world.evaluator(clock), config, "retry");

    // Assess
    expect(world.submitted("retry")).toBe(1);
    expect(report.state.dns).toMatchObject({ attempts: 2, claim: { attempt: 1 } });
  });
});
