import type { AwsAdapters } from "@idp-failover/aws";
import {
  type Config,
  type DnsWeights,
  type EvaluatorDeps,
  type EventPublisher,
  evaluateSite,
  FakeClock,
  notificationChannels,
  OutboxNotifier,
} from "@idp-failover/core";
import { stopPoint, testConfig, testTrackers } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AwsWorld, startAwsWorld } from "./fixtures.js";

/*
 * The evaluator end to end on the real adapters: dynalite for the table, the Route 53 and
 * EventBridge stand-ins, the real SDK clients. Each test has its own site; one world serves them all.
 */

const sites = ["acme", "race", "crash", "stuck", "reject", "throttle"];
const config: Config = testConfig({ sites });
let world: AwsWorld;
beforeAll(async () => {
  world = await startAwsWorld(config);
});
afterAll(async () => {
  await world?.close();
});

const t0 = Date.parse("2026-03-01T12:00:00.000Z");

function deps(
  adapters: AwsAdapters,
  clock: FakeClock,
  overrides: Partial<EvaluatorDeps> = {},
): EvaluatorDeps {
  return {
    store: adapters.store,
    dns: adapters.dns,
    events: adapters.events,
    notifier: new OutboxNotifier(adapters.outbox, notificationChannels(config), clock),
    clock,
    ...overrides,
  };
}

async function setHealth(adapters: AwsAdapters, site: string, at: number, oktaDown: boolean): Promise<void> {
  for (const tracker of testTrackers(site, at, { okta: oktaDown })) await adapters.store.saveTracker(tracker);
}

/** A healthy site that has been evaluated once, then an okta outage seen by every region. */
async function siteWithOutage(site: string, clock: FakeClock): Promise<AwsAdapters> {
  const adapters = world.adapters();
  await setHealth(adapters, site, clock.now(), false);
  await evaluateSite(deps(adapters, clock), config, site);
  clock.advance(10_000);
  await setHealth(adapters, site, clock.now(), true);
  return adapters;
}

function hostnameOf(site: string): string {
  return config.sites.find((s) => s.id === site)?.hostname ?? "";
}

const changesFor = (site: string) =>
  world.route53.changes.filter((c) => c.changes.some((ch) => ch.record.name === `${hostnameOf(site)}.`));
const eventsFor = (site: string) =>
  world.eventbridge.events("idp-failover").filter((e) => e.detail.site === site);
const transitionsOnBus = (site: string) =>
  eventsFor(site)
    .filter((e) => e.detailType === "Failover State Changed")
    .map((e) => e.detail.to);

describe("evaluator on the AWS adapters", () => {
  it("fails over: weights flipped in one change, state, audit, incident, events and notifications recorded", async () => {
    // Prepare
    const clock = new FakeClock(t0);
    const adapters = await siteWithOutage("acme", clock);

    // Act: the outage is seen; then, after Route 53 reports INSYNC, the next run.
    const first = await evaluateSite(deps(adapters, clock), config, "acme");
    const changeId = first.state.dns?.changeId ?? "";
    await vi.waitFor(async () => expect(await adapters.dns.status(changeId)).toEqual({ kind: "insync" }));
    clock.advance(10_000);
    const second = await evaluateSite(deps(adapters, clock), config, "acme");

    // Assess
    expect(first.state.state).toBe("failing-over");
    expect(second.state).toMatchObject({
      state: "secondary-active",
      active: "entra",
      weights: { okta: 0, entra: 100 },
    });
    expect(changesFor("acme")).toHaveLength(1);
    expect(await adapters.dns.read(config.sites[0] ?? (undefined as never))).toEqual({ okta: 0, entra: 100 });
    const audit = await adapters.store.listAudit("acme", t0, t0 + 60_000);
    expect(audit.filter((a) => a.action === "transition").map((a) => a.to)).toEqual([
      "secondary-active",
      "failing-over",
    ]);
    const [incident] = await adapters.store.listIncidents("acme", t0, t0 + 60_000);
    expect(incident).toMatchObject({
      provider: "okta",
      failoverTo: "entra",
      dnsChangeId: changesFor("acme")[0]?.id,
    });
    expect(incident?.insyncAt).toBeDefined();
    expect(transitionsOnBus("acme")).toEqual(["failing-over", "secondary-active"]);
    expect(
      eventsFor("acme").some((e) => e.detailType === "Provider Verdict Changed" && e.detail.to === "down"),
    ).toBe(true);
    const due = (await adapters.outbox.due(clock.now(), 100)).filter((d) => d.intent.site === "acme");
    expect(due.map((d) => d.intent.kind)).toEqual(expect.arrayContaining(["failing-over", "failed-over"]));
    expect((await adapters.store.loadState("acme"))?.outbox).toBeUndefined();
  });

  it("two evaluators racing on one site make exactly one transition and one DNS change", async () => {
    // Prepare: two evaluator processes (their own SDK clients) at the same moment.
    const clock = new FakeClock(t0);
    const one = await siteWithOutage("race", clock);
    const other = world.adapters();

    // Act
    const reports = await Promise.all([
      evaluateSite(deps(one, clock), config, "race"),
      evaluateSite(deps(other, clock), config, "race"),
    ]);

    // Assess
    const transitions = reports.flatMap((r) =>
      r.steps.flatMap((s) => (s.transition ? [s.transition.to] : [])),
    );
    expect(transitions).toEqual(["failing-over"]);
    expect(changesFor("race")).toHaveLength(1);
    expect(transitionsOnBus("race")).toEqual(["failing-over"]);
    const audit = await one.store.listAudit("race", t0, t0 + 60_000);
    expect(audit.filter((a) => a.to === "failing-over")).toHaveLength(1);
  });

  it("an evaluator stopped between the DNS change and the state write is finished by the next run without a second flip", async () => {
    // Prepare: the run's Route 53 call goes through, then the process is gone.
    const clock = new FakeClock(t0);
    const adapters = await siteWithOutage("crash", clock);
    const died = stopPoint();
    const dying: DnsWeights = {
      read: (site) => adapters.dns.read(site),
      status: (id) => adapters.dns.status(id),
      apply: async (site, weights) => {
        await adapters.dns.apply(site, weights);
        died.arrive();
        return new Promise<never>(() => {});
      },
    };
    void evaluateSite(deps(adapters, clock, { dns: dying }), config, "crash");
    await died.reached;
    const changedBeforeCrash = changesFor("crash").length;
    const leftBehind = await adapters.store.loadState("crash");

    // Act: the next scheduled run, a minute later, in a new process.
    clock.advance(60_000);
    const next = await evaluateSite(deps(world.adapters(), clock), config, "crash");

    // Assess
    expect(changedBeforeCrash).toBe(1);
    expect(leftBehind?.state).toMatchObject({ state: "failing-over" });
    expect(leftBehind?.state.dns?.changeId).toBeUndefined();
    expect(changesFor("crash")).toHaveLength(1);
    expect(next.state).toMatchObject({ state: "secondary-active", weights: { okta: 0, entra: 100 } });
    expect(transitionsOnBus("crash")).toEqual(["failing-over", "secondary-active"]);
  });

  it("an evaluator stopped while publishing leaves its decision in the outbox for the next run", async () => {
    // Prepare: the run persists its decision, then hangs on the event bus.
    const clock = new FakeClock(t0);
    const adapters = await siteWithOutage("stuck", clock);
    const publishing = stopPoint();
    const hanging: EventPublisher = {
      publish: () => {
        publishing.arrive();
        return new Promise<never>(() => {});
      },
    };
    void evaluateSite(deps(adapters, clock, { events: hanging }), config, "stuck");
    await publishing.reached;
    const leftBehind = await adapters.store.loadState("stuck");

    // Act
    clock.advance(60_000);
    await evaluateSite(deps(world.adapters(), clock), config, "stuck");

    // Assess
    expect(leftBehind?.outbox?.events.some((e) => e.type === "state-changed")).toBe(true);
    expect(transitionsOnBus("stuck")[0]).toBe("failing-over");
    expect((await adapters.store.loadState("stuck"))?.outbox).toBeUndefined();
  });

  it("stops on a change Route 53 rejects, records it truthfully and raises the alert once", async () => {
    // Prepare
    const clock = new FakeClock(t0);
    const adapters = await siteWithOutage("reject", clock);
    world.route53.failNext("InvalidChangeBatch", { message: "RRSet of type CNAME is not permitted" });

    // Act
    const first = await evaluateSite(deps(adapters, clock), config, "reject");
    const changeCalls = world.route53.count("ChangeResourceRecordSets");
    clock.advance(120_000);
    await setHealth(adapters, "reject", clock.now(), true);
    const later = await evaluateSite(deps(adapters, clock), config, "reject");

    // Assess
    expect(first.state.state).toBe("failing-over");
    expect(first.state.dns).toMatchObject({ rejected: true, weights: { okta: 0, entra: 100 } });
    expect(first.state.dns?.lastError).toMatch(/InvalidChangeBatch/);
    expect(world.route53.count("ChangeResourceRecordSets")).toBe(changeCalls);
    expect(later.state.dns?.rejected).toBe(true);
    expect(
      await adapters.dns.read(config.sites.find((s) => s.id === "reject") ?? (undefined as never)),
    ).toEqual({
      okta: 100,
      entra: 0,
    });
    const alerts = eventsFor("reject").filter((e) => e.detailType === "Failover Alert");
    expect(alerts.map((e) => e.detail.alert)).toEqual(["dns-error"]);
    const due = (await adapters.outbox.due(clock.now(), 100)).filter((d) => d.intent.site === "reject");
    expect(due.some((d) => d.intent.kind === "dns-error")).toBe(true);
  });

  it("retries a change Route 53 throttled after the policy's backoff", async () => {
    // Prepare: Throttling outlasts the SDK's own retries on this run.
    const clock = new FakeClock(t0);
    const adapters = await siteWithOutage("throttle", clock);
    world.route53.failNext("Throttling", { times: 2 });

    // Act
    const throttled = await evaluateSite(deps(adapters, clock), config, "throttle");
    clock.advance((config.policy.dns.retrySeconds[0] ?? 5) * 1000 + 1);
    const retried = await evaluateSite(deps(adapters, clock), config, "throttle");

    // Assess
    expect(throttled.state.dns).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/Throttling/),
    });
    expect(throttled.state.dns?.retryAt).toBeDefined();
    expect(retried.state.dns?.changeId).toBeDefined();
    expect(changesFor("throttle")).toHaveLength(1);
  });
});
