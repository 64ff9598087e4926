import { describe, expect, it } from "vitest";
import type { ProbeResult } from "./probe-result.js";
import { testConfig } from "./testing.js";
import {
  globalVerdict,
  observeRound,
  type RegionTracker,
  type RegionView,
  type RoundSummary,
  regionVerdictOf,
  regionView,
  summarizeRound,
} from "./verdict.js";

/*
 * Verdicts as walks: rounds in, verdicts out, the way a probe region sees an outage unfold.
 * Default policy: down after 2 failed rounds in a row or 3 of the last 6; up after 3 healthy rounds.
 */

const policy = testConfig().policy;
const T0 = Date.parse("2026-04-01T00:00:00Z");
const cadence = policy.cadenceSeconds * 1000;

function result(probe: string, ok: boolean, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    site: "acme",
    provider: "okta",
    region: "us-east-1",
    probe,
    kind:
      probe === "saml-metadata"
        ? "saml-metadata"
        : probe === "jwks"
          ? "jwks"
          : probe === "token"
            ? "token"
            : "oidc-discovery",
    criticality: probe === "saml-metadata" ? "signal" : "critical",
    at: new Date(T0).toISOString(),
    ok,
    latencyMs: 120,
    ...(ok ? {} : { error: { class: "http-5xx" as const, message: "HTTP 503" }, status: 503 }),
    ...extra,
  };
}

const healthy = ["oidc-discovery", "jwks", "token"].map((p) => result(p, true));

/** A failed signal probe of `kind` (it does not decide up or down; it can name a mode). */
function failedSignal(kind: ProbeResult["kind"], extra: Partial<ProbeResult> = {}): ProbeResult {
  return result(kind, false, { kind, criticality: "signal", ...extra });
}

const letter = { up: "u", degraded: "g", down: "D", stale: "s", impaired: "i" } as const;

/**
 * Folds a string of rounds ("o" ok, "f" failed token, "d" slow) from T0; returns the verdict after
 * each as a letter: u(p), (de)g(raded), D(own), s(tale).
 */
function walk(
  rounds: string,
  start?: RegionTracker,
): { tracker: RegionTracker | undefined; verdicts: string } {
  let tracker = start;
  let verdicts = "";
  [...rounds].forEach((code, i) => {
    const at = T0 + i * cadence;
    const results =
      code === "f"
        ? [result("oidc-discovery", true), result("jwks", true), result("token", false)]
        : code === "d"
          ? [
              result("oidc-discovery", false, {
                error: { class: "slow", message: "3000 ms" },
                latencyMs: 3000,
              }),
              ...healthy.slice(1),
            ]
          : healthy;
    tracker = observeRound(tracker, summarizeRound(at, results), policy);
    verdicts += letter[regionVerdictOf(tracker, at, policy)];
  });
  return { tracker, verdicts };
}

describe("region verdict", () => {
  it("goes down after two failed rounds in a row, and only the token probe failing is enough", () => {
    expect(walk("oooff").verdicts).toBe("uuugD");
  });

  it.each([
    ["a single failed round is degraded, not down", "ooofoo", "uuuguu"],
    ["two failed rounds in a row are down", "ooffo", "uugDD"],
    ["three of six failed, never twice in a row, is down", "fofofo", "guguDD"],
    ["recovery needs three healthy rounds in a row", "ffooo", "gDDDu"],
    ["a failure during recovery restarts it", "ffoofooo", "gDDDDDDu"],
  ])("%s", (_name, rounds, expected) => {
    expect(walk(rounds).verdicts).toBe(expected);
  });

  it("calls a slow answer degraded, never down", () => {
    expect(walk("dddddd").verdicts).toBe("gggggg");
    expect(walk("dddddd").tracker?.down).toBe(false);
  });

  it("is up again in the first round after a slow spell ends", () => {
    expect(walk(`${"d".repeat(30)}oo`).verdicts.slice(-3)).toBe("guu");
  });

  it("does not let a failing signal probe make the region down", () => {
    let tracker: RegionTracker | undefined;
    for (let i = 0; i < 6; i++) {
      tracker = observeRound(
        tracker,
        summarizeRound(T0 + i * cadence, [...healthy, result("saml-metadata", false)]),
        policy,
      );
    }
    expect(regionVerdictOf(tracker, T0 + 5 * cadence, policy)).toBe("degraded");
  });

  it("is stale when no round completed within staleAfterSeconds", () => {
    const { tracker } = walk("ooo");
    const last = T0 + 2 * cadence;
    expect(regionVerdictOf(tracker, last + policy.staleAfterSeconds * 1000, policy)).toBe("up");
    expect(regionVerdictOf(tracker, last + policy.staleAfterSeconds * 1000 + 1, policy)).toBe("stale");
    expect(regionVerdictOf(undefined, T0, policy)).toBe("stale");
  });

  it("calls flakiness that retries hid degraded, and forgets it after the window", () => {
    let tracker: RegionTracker | undefined;
    const flaky = healthy.map((r, i) => (i === 0 ? { ...r, attempts: 2 } : r));
    for (let i = 0; i < 12; i++)
      tracker = observeRound(tracker, summarizeRound(T0 + i * cadence, flaky), policy);
    expect(regionVerdictOf(tracker, T0 + 11 * cadence, policy)).toBe("degraded");
    const later = T0 + 11 * cadence + policy.degraded.windowSeconds * 1000 + 60_000;
    tracker = observeRound(tracker, summarizeRound(later, healthy), policy);
    expect(regionVerdictOf(tracker, later, policy)).toBe("up");
  });

  it("does not count an outage's failures as flakiness after it ends", () => {
    const { tracker } = walk(`${"f".repeat(30)}ooo`);
    expect(regionVerdictOf(tracker, T0 + 32 * cadence, policy)).toBe("up");
  });

  it("remembers when the trouble started and what it looked like", () => {
    const { tracker } = walk("ooff");
    const view = regionView("us-east-1", tracker, T0 + 3 * cadence, policy);
    expect(view.failingSince).toBe(T0 + 2 * cadence);
    expect(view.evidence[0]).toMatchObject({ probe: "token", class: "http-5xx", status: 503 });
  });
});

describe("round summary", () => {
  it("counts a probe that needed a retry as flaky but not failing", () => {
    const summary: RoundSummary = summarizeRound(T0, [
      { ...healthy[0], attempts: 3 } as ProbeResult,
      ...healthy.slice(1),
    ]);
    expect(summary).toMatchObject({ outcome: "ok", probes: 3, flaky: 1 });
  });
});

describe("global verdict", () => {
  const view = (region: string, verdict: RegionView["verdict"]): RegionView => ({
    region,
    verdict,
    evidence: [],
  });

  it.each([
    [["down", "down", "up"], "down"],
    [["down", "up", "up"], "up"],
    [["down", "degraded", "up"], "degraded"],
    [["down", "stale", "stale"], "impaired"],
    [["down", "down", "stale"], "down"],
    [["up", "up", "stale"], "up"],
    [["degraded", "degraded", "degraded"], "degraded"],
  ] as const)("regions %j with quorum 2 -> %s", (regions, expected) => {
    const views = regions.map((v, i) => view(`r${i}`, v));
    expect(globalVerdict("okta", views, 2).verdict).toBe(expected);
  });

  it("dates the outage from the earliest first failure among the regions that say down", () => {
    const views = [
      { ...view("a", "down"), failingSince: 300 },
      { ...view("b", "down"), failingSince: 200 },
      { ...view("c", "degraded"), failingSince: 100 },
    ];
    expect(globalVerdict("okta", views, 2).failingSince).toBe(200);
  });
});

describe("an impaired region (its own canaries failed)", () => {
  it("abstains while impaired and keeps its fold as it was, so it resumes where it left off", () => {
    let tracker = observeRound(undefined, summarizeRound(T0, healthy), policy);
    const failing = [result("token", false), ...healthy.slice(0, 2)];
    tracker = observeRound(tracker, summarizeRound(T0 + cadence, failing), policy);
    const before = { ...tracker };
    for (let i = 2; i < 10; i++) {
      tracker = observeRound(
        tracker,
        summarizeRound(T0 + i * cadence, failing, "canaries failing: aws-region"),
        policy,
      );
    }

    expect(regionVerdictOf(tracker, T0 + 9 * cadence, policy)).toBe("impaired");
    expect(regionView("us-east-1", tracker, T0 + 9 * cadence, policy)).toMatchObject({
      verdict: "impaired",
      impairment: "canaries failing: aws-region",
      impairedSince: T0 + 2 * cadence,
    });
    expect(tracker.consecutiveFailed).toBe(before.consecutiveFailed);
    expect(tracker.recent).toBe(before.recent);
    tracker = observeRound(tracker, summarizeRound(T0 + 10 * cadence, healthy), policy);
    expect(regionVerdictOf(tracker, T0 + 10 * cadence, policy)).toBe("up");
    expect(tracker.impairedSince).toBeNull();
  });

  it("does not count toward any quorum: one fresh region of three is the monitor impaired", () => {
    const views: RegionView[] = [
      { region: "us-east-1", verdict: "impaired", evidence: [] },
      { region: "us-west-2", verdict: "impaired", evidence: [] },
      { region: "eu-west-1", verdict: "down", failing: true, evidence: [] },
    ];
    expect(globalVerdict("okta", views, 2).verdict).toBe("impaired");
    const oneImpaired = views.map(
      (v, i): RegionView => (i === 1 ? { ...v, verdict: "down", failing: true } : v),
    );
    expect(globalVerdict("okta", oneImpaired, 2).verdict).toBe("down");
  });
});

describe("vendor modes", () => {
  it("names backup authentication when the sign-in page fails while tokens are issued", () => {
    const signIn = failedSignal("interactive-sign-in", {
      error: { class: "content", message: "no sign-in form" },
    });
    const round = summarizeRound(T0, [...healthy, signIn]);

    expect(round).toMatchObject({ outcome: "degraded", mode: "backup-auth" });
    const tracker = observeRound(undefined, round, policy);
    expect(regionView("us-east-1", tracker, T0, policy)).toMatchObject({
      verdict: "degraded",
      mode: "backup-auth",
    });
  });

  it("takes a vendor's own signal as the mode, and needs a quorum of regions to name it globally", () => {
    const signal = failedSignal("okta-api", {
      error: { class: "upstream", message: "E0000010" },
      mode: "read-only",
    });
    expect(summarizeRound(T0, [...healthy, signal]).mode).toBe("read-only");
    const view = (region: string, mode?: "read-only"): RegionView => ({
      region,
      verdict: mode ? "degraded" : "up",
      evidence: [],
      ...(mode ? { mode } : {}),
    });
    expect(globalVerdict("okta", [view("a", "read-only"), view("b"), view("c")], 2)).toMatchObject({
      verdict: "up",
    });
    expect(
      globalVerdict("okta", [view("a", "read-only"), view("b", "read-only"), view("c")], 2),
    ).toMatchObject({
      verdict: "degraded",
      mode: "read-only",
    });
  });

  it("does not call an outage a mode: a failing token probe is not backup authentication", () => {
    const signIn = failedSignal("interactive-sign-in");
    const round = summarizeRound(T0, [result("token", false), signIn]);
    expect(round.outcome).toBe("fail");
    expect(round.mode).toBeUndefined();
  });
});
