import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialSiteState, isServable, type SiteState } from "./site-state.js";
import { type Decision, type DecisionContext, decide, type Input } from "./state-machine.js";
import { contextAt, testConfig, testSite } from "./testing.js";
import type { GlobalVerdict } from "./verdict.js";

/*
 * Invariants of the state machine over random walks: any sequence of verdicts, DNS outcomes,
 * approvals and operator commands, at any pace.
 */

const config = testConfig({ extraProviders: 1 });
const site = testSite(config);
const providers = site.providers.map((p) => p.id);
const T0 = Date.parse("2026-05-01T00:00:00Z");

const verdict = fc.constantFrom<GlobalVerdict>("up", "up", "up", "degraded", "down", "impaired");
const verdictsArb = fc.record(
  Object.fromEntries(providers.map((p) => [p, verdict])) as Record<string, typeof verdict>,
);
const actor = fc.constantFrom("operator:ana", "slack:U1");

type StepInput =
  | "tick"
  | "dns-submitted"
  | "dns-insync"
  | "dns-failed"
  | "approve"
  | "snooze"
  | "decline"
  | "freeze"
  | "unfreeze"
  | "manual-failover"
  | "manual-failback";
const step = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 2 * 3600_000 })),
  verdicts: verdictsArb,
  input: fc.constantFrom<StepInput>(
    "tick",
    "tick",
    "tick",
    "tick",
    "dns-submitted",
    "dns-insync",
    "dns-insync",
    "dns-failed",
    "approve",
    "snooze",
    "decline",
    "freeze",
    "unfreeze",
    "manual-failover",
    "manual-failback",
  ),
  retryable: fc.boolean(),
  target: fc.constantFrom(...providers, "nope"),
  actor,
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function toInput(s: Step, state: SiteState): Input {
  const approvalId = state.approval?.id ?? "stale-approval";
  switch (s.input) {
    case "tick":
      return { kind: "tick" };
    case "dns-submitted":
      return { kind: "dns-submitted", changeId: `C${state.version}` };
    case "dns-insync":
      return { kind: "dns-insync" };
    case "dns-failed":
      return { kind: "dns-failed", retryable: s.retryable, message: "Throttling" };
    case "approve":
    case "snooze":
    case "decline":
      return { kind: s.input, approvalId, actor: s.actor };
    case "freeze":
    case "unfreeze":
      return { kind: s.input, actor: s.actor, reason: "property test" };
    case "manual-failover":
      return { kind: "manual-failover", to: s.target, actor: s.actor, reason: "property test" };
    case "manual-failback":
      return { kind: "manual-failback", actor: s.actor, reason: "property test" };
  }
}

/** Weight each provider gains between what is applied and what a decision asks for. */
function gains(before: SiteState, after: SiteState): string[] {
  if (!after.dns || after.dns === before.dns || after.dns.requestedAt === before.dns?.requestedAt) return [];
  return providers.filter((p) => (after.dns?.weights[p] ?? 0) > (before.weights[p] ?? 0));
}

/**
 * Plays `steps` from a fresh site: each step moves the clock, and `visit` sees the decision on the
 * step's input (`input`, by default its own) and returns the state the walk goes on from.
 */
function walk(
  steps: readonly Step[],
  visit: (state: SiteState, decision: Decision, s: Step, ctx: DecisionContext) => SiteState,
  input: (s: Step, state: SiteState) => Input = toInput,
): { state: SiteState; now: number } {
  let state = initialSiteState(site, T0);
  let now = T0;
  for (const s of steps) {
    now += s.advanceMs;
    const ctx = contextAt(config, now, s.verdicts);
    state = visit(state, decide(state, input(s, state), ctx), s, ctx);
  }
  return { state, now };
}

/** The state a decision leaves: its next state when it applies, else the same. */
const applied = (state: SiteState, decision: Decision): SiteState =>
  decision.kind === "apply" ? decision.next : state;

describe("state machine invariants", () => {
  it("never asks for an all-zero weighted set, never moves weight onto a down provider, and only bumps versions forward", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        walk(steps, (state, decision, s) => {
          if (decision.kind !== "apply") return state;
          const next = decision.next;
          expect(next.version).toBe(state.version + 1);
          expect(isServable(next.weights)).toBe(true);
          if (next.dns) expect(isServable(next.dns.weights)).toBe(true);
          for (const provider of gains(state, next)) expect(s.verdicts[provider]).not.toBe("down");
          return next;
        });
      }),
      { numRuns: 400 },
    );
  });

  it("gives every transition an audit record, one state-changed event and a notification intent", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        walk(steps, (state, decision) => {
          if (decision.kind !== "apply" || !decision.transition) return applied(state, decision);
          const { effects } = decision;
          const { from, to } = decision.transition;
          expect(effects.audit.filter((a) => a.action === "transition" && a.to === to)).toHaveLength(1);
          expect(effects.events.filter((e) => e.type === "state-changed" && e.to === to)).toHaveLength(1);
          expect(effects.notifications.length, `${from} -> ${to}`).toBeGreaterThan(0);
          return decision.next;
        });
      }),
      { numRuns: 300 },
    );
  });

  it("takes no action on stale data: with every region stale, a tick moves no weight", () => {
    const impaired = Object.fromEntries(providers.map((p) => [p, "impaired" as GlobalVerdict]));
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 0, max: 3600_000 }),
        (steps, pause) => {
          const { state, now } = walk(steps, applied);
          const decision = decide(state, { kind: "tick" }, contextAt(config, now + pause, impaired));
          if (decision.kind !== "apply") return;
          expect(decision.next.dns?.requestedAt ?? null).toBe(state.dns?.requestedAt ?? null);
          expect(decision.next.weights).toEqual(state.weights);
          const to = decision.transition?.to;
          expect(to === undefined || to === state.state).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("re-evaluating the same input at the same moment changes nothing", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        walk(
          steps,
          (state, decision, _s, ctx) => {
            const next = applied(state, decision);
            expect(decide(next, { kind: "tick" }, ctx).kind).toBe("hold");
            return next;
          },
          () => ({ kind: "tick" }),
        );
      }),
      { numRuns: 300 },
    );
  });
});
