import { describe, expect, it } from "vitest";
import type { DomainEvent } from "./effects.js";
import { commandSite, evaluateSite } from "./evaluate.js";
import { FakeClock, type InMemoryDns, InMemoryStore, inMemoryEvaluatorDeps } from "./in-memory.js";
import type { EventPublisher } from "./ports.js";
import { stopPoint, testConfig, testTracker, testTrackers } from "./testing.js";

/*
 * The evaluator's ordering under concurrency and failure: two evaluators on one site, a run that
 * dies after Route 53 accepted a change, and effects whose target is down.
 */

const start = Date.parse("2026-03-01T10:00:00Z");

function world(clock: FakeClock, options: { oktaDown: boolean }) {
  const store = new InMemoryStore();
  for (const tracker of testTrackers("acme", clock.now(), { okta: options.oktaDown }))
    store.setTracker(tracker);
  return inMemoryEvaluatorDeps(store, clock, { insyncAfterMs: 20_000 });
}

function stateChanges(events: readonly DomainEvent[]) {
  return events.filter((e) => e.type === "state-changed").map((e) => e.type === "state-changed" && e.to);
}

describe("evaluator under concurrency", () => {
  it("two evaluators racing on a failover make one transition and one DNS change", async () => {
    // Prepare: the site was healthy; okta is now down in every region.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: false });
    await evaluateSite(deps, config, "acme");
    for (const region of config.regions)
      deps.store.setTracker({ site: "acme", provider: "okta", region, tracker: testTracker(start, true) });
    clock.advance(10_000);

    // Act
    const reports = await Promise.all([
      evaluateSite(deps, config, "acme"),
      evaluateSite(deps, config, "acme"),
    ]);

    // Assess
    const transitions = reports.flatMap((r) =>
      r.steps.flatMap((s) => (s.transition ? [s.transition.to] : [])),
    );
    expect(transitions).toEqual(["failing-over"]);
    expect(deps.dns.changes.map((c) => c.weights)).toEqual([{ okta: 0, entra: 100 }]);
    expect(stateChanges(deps.events.events)).toEqual(["failing-over"]);
    expect(new Set(deps.events.events.map((e) => e.id)).size).toBe(deps.events.events.length);
  });

  it("a run that died after Route 53 accepted the change is finished by the next run without a second flip", async () => {
    // Prepare: okta down; the first run's DNS call succeeds and then the run dies.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: true });
    const died = stopPoint();
    const dying = {
      ...deps,
      dns: {
        read: deps.dns.read.bind(deps.dns),
        status: deps.dns.status.bind(deps.dns),
        apply: async (...args: Parameters<InMemoryDns["apply"]>) => {
          await deps.dns.apply(...args);
          died.arrive();
          return new Promise<never>(() => {}); // the Lambda timed out here
        },
      },
    };
    void evaluateSite(dying, config, "acme");
    await died.reached;
    const afterCrash = await deps.store.loadState("acme");

    // Act: the next scheduled run, after the dead run's claim ran out.
    clock.advance(60_000);
    const report = await evaluateSite(deps, config, "acme");

    // Assess
    expect(afterCrash?.state.dns?.changeId).toBeUndefined();
    expect(deps.dns.changes).toHaveLength(1);
    expect(report.state.state).toBe("secondary-active");
    expect(report.state.weights).toEqual({ okta: 0, entra: 100 });
  });

  it("a second evaluator leaves a site alone while the first carries out its decision", async () => {
    // Prepare: effects are slow, so the first run is still publishing when the second starts.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: true });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const publishing = stopPoint();
    const slowEvents: EventPublisher = {
      publish: async (events) => {
        publishing.arrive();
        await gate;
        await deps.events.publish(events);
      },
    };
    const first = evaluateSite({ ...deps, events: slowEvents }, config, "acme");
    await publishing.reached;

    // Act
    const second = await evaluateSite(deps, config, "acme");
    release();
    await first;

    // Assess
    expect(second.yielded).toMatch(/another evaluation/);
    expect(stateChanges(deps.events.events)).toEqual(["failing-over"]);
  });

  it("effects that failed stay in the outbox through later decisions and run on the next evaluation", async () => {
    // Prepare: the event bus is down during the failover.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: true });
    const downBus: EventPublisher = {
      publish: async () => {
        throw new Error("event bus unavailable");
      },
    };
    const during = await evaluateSite({ ...deps, events: downBus }, config, "acme");

    // Act: the bus is back.
    clock.advance(30_000);
    await evaluateSite(deps, config, "acme");

    // Assess: the failing-over event was not lost when the DNS submission was recorded after it.
    expect(during.effectErrors.length).toBeGreaterThan(0);
    expect(stateChanges(deps.events.events)).toEqual(["failing-over", "secondary-active"]);
    expect((await deps.store.loadState("acme"))?.outbox).toBeUndefined();
  });

  it("an operator command still applies while an evaluator holds the outbox", async () => {
    // Prepare: a stored outbox claimed by a run that is still going.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: false });
    const publishing = stopPoint();
    const stuck: EventPublisher = {
      publish: () => {
        publishing.arrive();
        return new Promise<void>(() => {});
      },
    };
    void evaluateSite({ ...deps, events: stuck }, config, "acme");
    await publishing.reached;

    // Act
    const outcome = await commandSite(deps, config, "acme", {
      kind: "freeze",
      actor: "operator:ana",
      reason: "drill",
    });

    // Assess
    expect(outcome.kind).toBe("applied");
    expect(outcome.state.state).toBe("frozen");
  });

  it("a command whose decision is written is reported applied when a racing evaluator wins a later write", async () => {
    // Prepare: a healthy, evaluated site; the command's second write (carrying out its effects)
    // loses to another evaluator that wrote the site in between.
    const config = testConfig();
    const clock = new FakeClock(start);
    const deps = world(clock, { oktaDown: false });
    await evaluateSite(deps, config, "acme");
    const store = deps.store;
    let saves = 0;
    const raced: InMemoryStore = Object.create(store);
    raced.saveState = async (next, expectedVersion, outbox) => {
      saves += 1;
      const stored = await store.loadState("acme");
      if (saves === 2 && stored) {
        await store.saveState(
          { ...stored.state, version: stored.state.version + 1 },
          stored.state.version,
          stored.outbox,
        );
      }
      return store.saveState(next, expectedVersion, outbox);
    };

    // Act
    const outcome = await commandSite({ ...deps, store: raced }, config, "acme", {
      kind: "freeze",
      actor: "operator:ana",
      reason: "maintenance",
    });

    // Assess: applied once, and no refusal of it written to the audit trail.
    expect(saves).toBeGreaterThanOrEqual(2);
    expect(outcome).toMatchObject({ kind: "applied", transition: { from: "primary-active", to: "frozen" } });
    expect(outcome.state.state).toBe("frozen");
    const audit = await store.listAudit("acme", start - 1, start + 60_000, 100);
    expect(audit.map((a) => a.action)).not.toContain("refused:freeze");
  });
});
