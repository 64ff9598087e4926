import type { Policy } from "./config.js";
import { type VendorMode, vendorModes } from "./monitor.js";
import { errorClasses, type ProbeResult, weighResult } from "./probe-result.js";
import * as z from "./zod-mini.js";

/*
 * From probe results to verdicts, in three steps:
 *   round   -> one region's probes of one provider at one tick, summarised (`summarizeRound`);
 *   region  -> a small fold over rounds (`RegionTracker`) that says up | degraded | down | stale, or
 *              impaired when the region's own canaries failed (its results are about its network);
 *   global  -> the region verdicts under the quorum rule (`globalVerdict`).
 * The tracker is the only memory. It is small and serialisable, so the probe in each region can keep
 * it next to its results, and the evaluator reads one item per region instead of a window of results.
 */

export type RegionVerdict = "up" | "degraded" | "down" | "stale" | "impaired";
export type GlobalVerdict = "up" | "degraded" | "down" | "impaired";

/** What a failing or slow probe showed, kept short for alerts and the audit trail; parsed when read back. */
export const evidenceSchema = z.object({
  probe: z.string(),
  class: z.enum(errorClasses),
  message: z.string(),
  latencyMs: z.number(),
  status: z.optional(z.number()),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export type RoundOutcome = "ok" | "degraded" | "fail";

export interface RoundSummary {
  /** Round start, epoch ms. */
  at: number;
  outcome: RoundOutcome;
  /** Probe results in the round. */
  probes: number;
  /**
   * Results whose first attempt failed (they needed a confirm retry, or failed outright): the raw
   * flakiness that retries hide. Slow answers and signal probes' findings are not flakiness: they
   * show in every round they last, and must not keep a provider degraded once they stop.
   */
  flaky: number;
  /** Critical probes in the round, and those whose first attempt failed (before confirm retries). */
  critical: number;
  criticalFailedFirst: number;
  evidence: Evidence[];
  /** A vendor mode the round showed: a vendor's own signal, or a sign-in page missing while tokens work. */
  mode?: VendorMode;
  /**
   * The region's canaries failed (or its clock is off) in this round: why. Its probe results are then
   * about its own network, and the round is not folded in (see `observeRound`).
   */
  impaired?: string;
}

const maxEvidence = 3;

/** What a round's summary needs of each probe result (replay's simulated probes make just this). */
export type RoundResult = Pick<
  ProbeResult,
  "probe" | "kind" | "criticality" | "ok" | "latencyMs" | "status" | "attempts" | "error" | "mode"
>;

export function summarizeRound<R extends RoundResult>(
  at: number,
  results: readonly R[],
  impaired?: string,
): RoundSummary {
  let outcome: RoundOutcome = "ok";
  let flaky = 0;
  let critical = 0;
  let criticalFailedFirst = 0;
  const evidence: Evidence[] = [];
  for (const result of results) {
    const weight = weighResult(result);
    if (weight === "failing" || (result.attempts ?? 1) > 1) flaky++;
    if (result.criticality === "critical") {
      critical++;
      // Retries run only after a failure, so more than one attempt means the first one failed.
      if (weight === "failing" || (result.attempts ?? 1) > 1) criticalFailedFirst++;
    }
    if (weight === "failing") outcome = "fail";
    else if (weight === "degrading" && outcome === "ok") outcome = "degraded";
    if (!result.ok && result.error && evidence.length < maxEvidence) {
      evidence.push({
        probe: result.probe,
        class: result.error.class,
        message: result.error.message,
        latencyMs: result.latencyMs,
        ...(result.status !== undefined ? { status: result.status } : {}),
      });
    }
  }
  const mode = roundMode(results, outcome);
  return {
    at,
    outcome,
    probes: results.length,
    flaky,
    critical,
    criticalFailedFirst,
    evidence,
    ...(mode ? { mode } : {}),
    ...(impaired ? { impaired } : {}),
  };
}

/**
 * The vendor mode a round shows. A vendor's own signal names it (Okta's E0000010, Microsoft's
 * service health); otherwise an interactive sign-in page that failed while every critical probe
 * passed (tokens are still issued) is what Entra's backup authentication looks like from outside.
 */
function roundMode(results: readonly RoundResult[], outcome: RoundOutcome): VendorMode | undefined {
  for (const result of results) if (result.mode) return result.mode;
  if (outcome === "fail") return undefined;
  const signIn = results.some((r) => r.kind === "interactive-sign-in" && !r.ok && r.error?.class !== "slow");
  const tokens = results.some((r) => r.criticality === "critical" && r.ok);
  return signIn && tokens ? "backup-auth" : undefined;
}

/**
 * One provider as seen from one region: the fold of its rounds. All times are epoch ms; absent
 * times are `null` so the shape never changes (it is stored, and folded millions of times in replay).
 */
export const regionTrackerSchema = z.object({
  lastRoundAt: z.number(),
  down: z.boolean(),
  /** When the region started calling the provider down. */
  downSince: z.nullable(z.number()),
  /** First failing round of the current trouble: the best estimate of when an outage began. */
  failingSince: z.nullable(z.number()),
  consecutiveFailed: z.number().check(z.int(), z.nonnegative()),
  consecutiveHealthy: z.number().check(z.int(), z.nonnegative()),
  /** Outcomes of the last `failure.windowRounds` rounds, oldest first: o(k), d(egraded), f(ail). */
  recent: z.string(),
  /** [critical probes, first attempts failed] of the last `failure.windowRounds` rounds, oldest first. */
  recentFirstAttempts: z.array(z.tuple([z.number(), z.number()])),
  lastOutcome: z.enum(["ok", "degraded", "fail"]),
  /** Per-minute counts for the flakiness window: [minute start, probes, flaky]. */
  flakyByMinute: z.array(z.tuple([z.number(), z.number(), z.number()])),
  /** What the last unhealthy round showed, and when that round was. */
  evidence: z.array(evidenceSchema),
  evidenceAt: z.nullable(z.number()),
  /** Since when the region's own canaries fail (it abstains), and why; null when it is healthy. */
  impairedSince: z._default(z.nullable(z.number()), null),
  impairment: z._default(z.nullable(z.string()), null),
  /** The vendor mode the last round showed, if any. */
  mode: z._default(z.nullable(z.enum(vendorModes)), null),
});
export type RegionTracker = z.infer<typeof regionTrackerSchema>;

const outcomeLetter: Record<RoundOutcome, string> = { ok: "o", degraded: "d", fail: "f" };

/** Folds one round into a region's tracker. Pure: returns a new tracker. */
export function observeRound(
  tracker: RegionTracker | undefined,
  round: RoundSummary,
  policy: Policy,
): RegionTracker {
  const { failure, recovery, degraded } = policy;
  const prev = tracker ?? emptyTracker(round.at);
  if (round.impaired !== undefined) {
    // The round's results describe the region's own network: keep the fold as it was, and abstain.
    return {
      ...prev,
      lastRoundAt: Math.max(prev.lastRoundAt, round.at),
      impairedSince: prev.impairedSince ?? round.at,
      impairment: round.impaired,
    };
  }
  const failed = round.outcome === "fail";
  const consecutiveFailed = failed ? prev.consecutiveFailed + 1 : 0;
  const consecutiveHealthy = failed ? 0 : prev.consecutiveHealthy + 1;
  const recent = (prev.recent + outcomeLetter[round.outcome]).slice(-failure.windowRounds);

  const recentFirstAttempts = [
    ...prev.recentFirstAttempts,
    [round.critical, round.criticalFailedFirst] as [number, number],
  ];
  if (recentFirstAttempts.length > failure.windowRounds) recentFirstAttempts.shift();
  const failingFirst = firstAttemptsFailing(recentFirstAttempts, policy);

  let down = prev.down;
  let downSince: number | null = prev.downSince;
  if (!down) {
    const failedInWindow = countChar(recent, "f");
    const strike =
      failed &&
      (consecutiveFailed >= failure.consecutiveRounds || failedInWindow >= failure.failedRoundsInWindow);
    if (strike || failingFirst) {
      down = true;
      downSince = round.at;
    }
  } else if (consecutiveHealthy >= recovery.consecutiveRounds && !failingFirst) {
    down = false;
    downSince = null;
  }

  let failingSince: number | null = prev.failingSince;
  if (failed && failingSince === null) failingSince = round.at;
  if (!down && !failed && consecutiveHealthy >= recovery.consecutiveRounds) failingSince = null;

  // Flakiness counts only while the region is not calling the provider down: the failures of an
  // outage are the outage, and must not keep the provider "degraded" for a window after it ends.
  const minute = Math.floor(round.at / 60_000) * 60_000;
  const horizon = round.at - degraded.windowSeconds * 1000;
  const oldest = prev.flakyByMinute[0];
  let flakyByMinute =
    oldest && oldest[0] + 60_000 <= horizon
      ? prev.flakyByMinute.filter(([start]) => start + 60_000 > horizon)
      : prev.flakyByMinute;
  if (!down && !prev.down) {
    const last = flakyByMinute.at(-1);
    if (last && last[0] === minute) {
      flakyByMinute = flakyByMinute.slice(0, -1);
      flakyByMinute.push([minute, last[1] + round.probes, last[2] + round.flaky]);
    } else {
      flakyByMinute = [...flakyByMinute, [minute, round.probes, round.flaky]];
    }
  }

  const healthy = round.outcome === "ok";
  return {
    lastRoundAt: Math.max(prev.lastRoundAt, round.at),
    down,
    downSince,
    failingSince,
    consecutiveFailed,
    consecutiveHealthy,
    recent,
    recentFirstAttempts,
    lastOutcome: round.outcome,
    flakyByMinute,
    evidence: healthy ? prev.evidence : round.evidence,
    evidenceAt: healthy ? prev.evidenceAt : round.at,
    impairedSince: null,
    impairment: null,
    mode: round.mode ?? null,
  };
}

function emptyTracker(at: number): RegionTracker {
  return {
    lastRoundAt: at,
    down: false,
    downSince: null,
    failingSince: null,
    consecutiveFailed: 0,
    consecutiveHealthy: 0,
    recent: "",
    recentFirstAttempts: [],
    lastOutcome: "ok",
    flakyByMinute: [],
    evidence: [],
    evidenceAt: null,
    impairedSince: null,
    impairment: null,
    mode: null,
  };
}

/**
 * The partial-outage rule: so many first attempts of critical probes failing over the window that
 * this is no noise, even though confirm retries let most probes pass. 2% noise almost never makes
 * half of 18 first attempts fail (~1e-11); a 50% partial outage does within a minute.
 */
function firstAttemptsFailing(window: ReadonlyArray<[number, number]>, policy: Policy): boolean {
  let probes = 0;
  let failed = 0;
  for (const [p, f] of window) {
    probes += p;
    failed += f;
  }
  return (
    probes >= policy.failure.firstAttemptMinSamples &&
    failed >= probes * policy.failure.firstAttemptFailureRate
  );
}

function countChar(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

/** A region's verdict on one provider at a moment. */
export interface RegionView {
  region: string;
  verdict: RegionVerdict;
  /** Epoch ms of the last round, if any. */
  lastRoundAt?: number;
  failingSince?: number;
  /** The last round failed (or the region says down): trouble that may be about to become `down`. */
  failing?: boolean;
  evidence: Evidence[];
  /** A vendor mode this region's last round showed. */
  mode?: VendorMode;
  /** Why the region is impaired (its canaries or clock), and since when, when it is. */
  impairment?: string;
  impairedSince?: number;
}

/** A region's verdict alone, without building its view (replay's hot path; `regionView` builds on it). */
export function regionVerdictOf(
  tracker: RegionTracker | undefined,
  now: number,
  policy: Policy,
): RegionVerdict {
  if (!tracker || now - tracker.lastRoundAt > policy.staleAfterSeconds * 1000) return "stale";
  if (tracker.impairedSince !== null) return "impaired";
  if (tracker.down) return "down";
  if (tracker.lastOutcome !== "ok" || tracker.mode !== null || isFlaky(tracker, now, policy))
    return "degraded";
  return "up";
}

export function regionView(
  region: string,
  tracker: RegionTracker | undefined,
  now: number,
  policy: Policy,
): RegionView {
  const verdict = regionVerdictOf(tracker, now, policy);
  if (!tracker || verdict === "stale") {
    return {
      region,
      verdict: "stale",
      ...(tracker ? { lastRoundAt: tracker.lastRoundAt } : {}),
      evidence: [],
    };
  }
  if (verdict === "impaired") {
    return {
      region,
      verdict,
      lastRoundAt: tracker.lastRoundAt,
      evidence: [],
      ...(tracker.impairment !== null ? { impairment: tracker.impairment } : {}),
      ...(tracker.impairedSince !== null ? { impairedSince: tracker.impairedSince } : {}),
    };
  }
  const base = {
    region,
    verdict,
    lastRoundAt: tracker.lastRoundAt,
    ...(tracker.failingSince !== null ? { failingSince: tracker.failingSince } : {}),
    ...(tracker.down || tracker.lastOutcome === "fail" ? { failing: true } : {}),
    ...(tracker.mode !== null && !tracker.down ? { mode: tracker.mode } : {}),
  };
  if (verdict === "down") return { ...base, evidence: tracker.evidence };
  if (verdict === "degraded") {
    // Evidence older than the flakiness window says nothing about why the region is degraded now.
    const recent = (tracker.evidenceAt ?? 0) > now - policy.degraded.windowSeconds * 1000;
    return { ...base, evidence: recent ? tracker.evidence : [] };
  }
  return { ...base, evidence: [] };
}

function isFlaky(tracker: RegionTracker, now: number, policy: Policy): boolean {
  const horizon = now - policy.degraded.windowSeconds * 1000;
  let probes = 0;
  let flaky = 0;
  for (const [start, p, f] of tracker.flakyByMinute) {
    if (start + 60_000 <= horizon) continue;
    probes += p;
    flaky += f;
  }
  return flaky >= policy.degraded.minFlaky && flaky >= probes * policy.degraded.flakyRate;
}

/** One provider's verdict across regions. */
export interface ProviderVerdict {
  provider: string;
  verdict: GlobalVerdict;
  regions: RegionView[];
  /** Earliest first failure among the regions that say down: when the outage was first seen. */
  failingSince?: number;
  /**
   * A quorum of regions saw its last round fail, though not yet long enough to say down. Failover
   * does not pick such a provider: when both providers break together, the second is usually a round
   * behind the first, and flipping onto it would only cost a second flip.
   */
  failingInQuorum?: boolean;
  /** A vendor mode a quorum of fresh regions see (a documented half-working state, not an outage). */
  mode?: VendorMode;
}

/**
 * The quorum rule. Stale and impaired regions abstain; with fewer than `quorum` fresh regions the
 * monitor is `impaired` (missing data is not an outage). `down` needs `quorum` regions to say down.
 * A vendor mode seen by `quorum` regions makes an otherwise up provider `degraded`, with the mode.
 */
export function globalVerdict(provider: string, regions: RegionView[], quorum: number): ProviderVerdict {
  let fresh = 0;
  let down = 0;
  let unhealthy = 0;
  let failing = 0;
  let failingSince: number | undefined;
  const modes = new Map<VendorMode, number>();
  for (const view of regions) {
    if (view.verdict === "stale" || view.verdict === "impaired") continue;
    fresh++;
    if (view.mode) modes.set(view.mode, (modes.get(view.mode) ?? 0) + 1);
    if (view.failing) failing++;
    if (view.verdict === "down") {
      down++;
      if (view.failingSince !== undefined)
        failingSince = Math.min(failingSince ?? Infinity, view.failingSince);
    }
    if (view.verdict !== "up") unhealthy++;
  }
  const mode = [...modes].find(([, count]) => count >= quorum)?.[0];
  const verdict: GlobalVerdict =
    fresh < quorum ? "impaired" : down >= quorum ? "down" : unhealthy >= quorum || mode ? "degraded" : "up";
  return {
    provider,
    verdict,
    regions,
    ...(verdict === "down" && failingSince !== undefined ? { failingSince } : {}),
    ...(verdict !== "down" && failing >= quorum ? { failingInQuorum: true } : {}),
    ...(verdict === "degraded" && mode ? { mode } : {}),
  };
}

/** Every provider's verdict for one site, keyed by provider id. */
export type SiteVerdicts = Record<string, ProviderVerdict>;
