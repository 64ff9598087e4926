import { type Policy, type Provider, worstRoundMs } from "../config.js";
import {
  type Canary,
  type CanaryResult,
  type MonitorSettings,
  regionImpairment,
  type VendorMode,
} from "../monitor.js";
import type { ErrorClass, ProbeKind } from "../probe-result.js";
import { type RoundResult, type RoundSummary, summarizeRound } from "../verdict.js";
import type { Fault } from "./scenario.js";

/*
 * How probes behave under a scenario's faults, attempt by attempt, on the policy's schedule:
 * each probe's attempts run one after another (confirm-on-failure retries `confirm.delayMs` apart),
 * the probes of a round run side by side, and the round completes when its slowest probe does.
 * A fault is judged at the moment each attempt starts, so a fault that begins mid-round hits only
 * the attempts after it. Each region also checks its canaries at the start of its round, as the probe
 * runner does: a `monitor-down` fault (the region's own network) times them out with everything else.
 * Vendor modes (`read-only`, `backup-auth`) change only the probes the vendors' documents say they
 * change, and the vendor-signal probes (okta-api, graph-health) name the mode.
 */

/** A small, fast, seedable PRNG (mulberry32): same seed, same sequence, on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface AttemptOutcome {
  ok: boolean;
  latencyMs: number;
  class?: ErrorClass;
  status?: number;
  message?: string;
  mode?: VendorMode;
}

/** The faults that can touch one provider in one region, walked forward in time. */
class FaultCursor {
  private next = 0;
  private active: Fault[] = [];

  constructor(private readonly sorted: Fault[]) {}

  /** Faults overlapping [from, to). Calls must come with non-decreasing `from`. */
  overlapping(from: number, to: number): Fault[] {
    while (this.next < this.sorted.length && (this.sorted[this.next]?.from ?? Infinity) < to) {
      const fault = this.sorted[this.next++];
      if (fault) this.active.push(fault);
    }
    if (this.active.length > 0 && this.active.some((f) => f.to <= from)) {
      this.active = this.active.filter((f) => f.to > from);
    }
    return this.active;
  }
}

function vendorSignal(latencyMs: number, mode: VendorMode, message: string): AttemptOutcome {
  return { ok: false, latencyMs, class: "upstream", status: 503, message, mode };
}

export type SimulatedRound =
  | { kind: "reported"; summary: RoundSummary; completedAt: number }
  | { kind: "partitioned" };

export class ProbeModel {
  private readonly maxRoundMs: number;
  private readonly faults: Fault[];

  constructor(
    faults: readonly Fault[],
    private readonly policy: Policy,
    private readonly noiseRate: number,
    private readonly random: () => number,
    private readonly monitor: MonitorSettings,
    /** The canaries' own noise draws: a separate stream, so scenarios replay as before for the IdPs. */
    private readonly canaryRandom: () => number,
  ) {
    this.maxRoundMs = worstRoundMs(policy);
    this.faults = [...faults].sort((a, b) => a.from - b.from);
  }

  /** A simulator of one provider's rounds in one region, with its own walk through the faults. */
  forProvider(provider: Provider, region: string): (at: number, impaired?: string) => SimulatedRound {
    const cursor = new FaultCursor(
      this.faults.filter(
        (f) =>
          (f.provider === "*" || f.provider === provider.id || f.mode === "monitor-down") &&
          (f.regions.includes("*") || f.regions.includes(region)),
      ),
    );
    return (at, impaired) => this.round(provider, cursor.overlapping(at, at + this.maxRoundMs), at, impaired);
  }

  /** A simulator of one region's canaries: why the region is impaired in a round starting at `at`. */
  forRegion(region: string): (at: number) => string | undefined {
    const cursor = new FaultCursor(
      this.faults.filter(
        (f) => f.mode === "monitor-down" && (f.regions.includes("*") || f.regions.includes(region)),
      ),
    );
    return (at) => {
      const down = cursor.overlapping(at, at + 1).some((f) => f.from <= at && at < f.to);
      const canaries = this.monitor.canaries.map((canary) => this.canary(canary, down));
      return regionImpairment({ canaries }, this.monitor);
    };
  }

  private canary(canary: Canary, networkDown: boolean): CanaryResult {
    const timeoutMs = this.policy.probeTimeoutMs;
    if (networkDown) {
      return {
        name: canary.name,
        ok: false,
        latencyMs: timeoutMs,
        error: `no answer within ${timeoutMs} ms`,
      };
    }
    for (let attempt = 0; attempt <= this.policy.confirm.retries; attempt++) {
      if (this.noiseRate <= 0 || this.canaryRandom() >= this.noiseRate) {
        return { name: canary.name, ok: true, latencyMs: 20 + Math.floor(this.canaryRandom() * 60) };
      }
    }
    return { name: canary.name, ok: false, latencyMs: 40, error: "connection reset by peer" };
  }

  /** One region's round of one provider's probes, starting at `at` (epoch ms). */
  private round(
    provider: Provider,
    faults: readonly Fault[],
    at: number,
    impaired: string | undefined,
  ): SimulatedRound {
    if (faults.length > 0 && faults.some((f) => f.mode === "partition" && f.from <= at && at < f.to)) {
      return { kind: "partitioned" };
    }
    const { retries, delayMs } = this.policy.confirm;
    let completedAt = at;
    const results: RoundResult[] = [];
    for (const probe of provider.probes) {
      const timeoutMs = probe.timeoutMs ?? this.policy.probeTimeoutMs;
      const slowMs = probe.slowMs ?? this.policy.slowMs;
      let t = at;
      let attempt: AttemptOutcome = { ok: true, latencyMs: 0 };
      let attempts = 0;
      for (let i = 0; i <= retries; i++) {
        attempts++;
        attempt = this.attempt(faults, probe.kind, t, timeoutMs);
        t += attempt.latencyMs;
        if (attempt.ok) break;
        if (i < retries) t += delayMs;
      }
      if (t > completedAt) completedAt = t;
      if (attempt.ok && attempt.latencyMs > slowMs) {
        attempt = {
          ok: false,
          latencyMs: attempt.latencyMs,
          class: "slow",
          message: `answered in ${attempt.latencyMs} ms`,
        };
      }
      const result: RoundResult = {
        probe: probe.name,
        kind: probe.kind,
        criticality: probe.criticality,
        ok: attempt.ok,
        latencyMs: attempt.latencyMs,
        attempts,
      };
      if (attempt.status !== undefined) result.status = attempt.status;
      if (!attempt.ok) result.error = { class: attempt.class ?? "content", message: attempt.message ?? "" };
      if (attempt.mode) result.mode = attempt.mode;
      results.push(result);
    }
    // The same summary production makes of real results, so replay folds rounds exactly as the probes do.
    return { kind: "reported", summary: summarizeRound(at, results, impaired), completedAt };
  }

  private attempt(faults: readonly Fault[], kind: ProbeKind, t: number, timeoutMs: number): AttemptOutcome {
    let latencyMs = 80 + Math.floor(this.random() * 170);
    let flakyRate = 0;
    for (const f of faults) {
      if (f.from > t || t >= f.to || (f.probes && !f.probes.includes(kind))) continue;
      switch (f.mode) {
        case "timeout":
        case "monitor-down":
          return {
            ok: false,
            latencyMs: timeoutMs,
            class: "timeout",
            message: `no answer within ${timeoutMs} ms`,
          };
        case "down":
          return {
            ok: false,
            latencyMs: 40 + Math.floor(latencyMs / 4),
            class: "http-5xx",
            status: 503,
            message: "HTTP 503 Service Unavailable",
          };
        case "slow":
          latencyMs = Math.max(latencyMs, f.latencyMs ?? latencyMs);
          break;
        case "flaky":
          flakyRate = Math.max(flakyRate, f.failureRate ?? 0);
          break;
        case "partition":
          break;
        case "read-only": {
          // Okta's read-only mode: sign-ins and tokens work; the management API names the mode.
          if (kind === "okta-api")
            return vendorSignal(latencyMs, "read-only", "Okta is in read-only mode (HTTP 503 E0000010)");
          break;
        }
        case "backup-auth": {
          // Entra's backup authentication: no new interactive sign-ins; tokens and documents are served.
          if (kind === "graph-health") {
            return vendorSignal(
              latencyMs,
              "backup-auth",
              "Microsoft service health: backup authentication in use",
            );
          }
          if (kind === "interactive-sign-in") {
            return {
              ok: false,
              latencyMs,
              class: "content",
              status: 200,
              message: "the authorize page rendered no sign-in form",
            };
          }
          break;
        }
      }
    }
    if (latencyMs >= timeoutMs) {
      return {
        ok: false,
        latencyMs: timeoutMs,
        class: "timeout",
        message: `no answer within ${timeoutMs} ms`,
      };
    }
    if (flakyRate > 0 && this.random() < flakyRate) {
      return { ok: false, latencyMs, class: "http-5xx", status: 502, message: "HTTP 502 Bad Gateway" };
    }
    if (this.noiseRate > 0 && this.random() < this.noiseRate) {
      return {
        ok: false,
        latencyMs: Math.floor(latencyMs / 2),
        class: "tcp",
        message: "connection reset by peer",
      };
    }
    return { ok: true, latencyMs };
  }
}
