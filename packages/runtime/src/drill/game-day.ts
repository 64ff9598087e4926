import type { Config } from "@idp-failover/core";
import type { StandInFault } from "@idp-failover/stand-ins";
import { evaluationIntervalMs } from "../loop/evaluation-loop.js";
import { drillSitePolicy, timedOutRoundMs } from "./drill-config.js";

/*
 * The game day the drill plays, per `--outage` mode: normal operation, then (for some modes) a
 * trouble the policy must ride out without failing over, then the outage that must fail over, then
 * recovery, the failback approval and the stepped failback. Pure data: the drill applies the faults
 * and checks the outcome against `failoverBoundMs`.
 */

export const outageModes = ["full", "partial", "slow", "one-region"] as const;
export type OutageMode = (typeof outageModes)[number];

export interface FaultStep {
  /** What happens, for the timeline. */
  text: string;
  /** What the policy should do about it. */
  expect: string;
  /** Applied to the Okta stand-in (every region sees it). */
  okta?: StandInFault;
  /** One region's network path to Okta is cut (only that region sees it). */
  cutRegion?: string;
}

export interface GameDayPlan {
  mode: OutageMode;
  /** Normal operation before anything breaks (virtual ms). */
  normalMs: number;
  /** Trouble that must not fail over, and for how long (virtual ms). */
  benign?: FaultStep & { durationMs: number };
  /** The primary's outage: it must fail over. */
  outage: FaultStep;
  /** How long the outage lasts after the failover is in sync (virtual ms). */
  outageAfterFailoverMs: number;
}

export function gameDayPlan(mode: OutageMode, config: Config): GameDayPlan {
  const p = drillSitePolicy(config);
  const cadenceMs = p.cadenceSeconds * 1000;
  const primary = config.sites[0]?.providers[0]?.id ?? "okta";
  const secondary = config.sites[0]?.providers[1]?.id ?? "entra";
  const failover = `${primary} down in a quorum of regions: fail over to ${secondary}`;
  const base = { mode, normalMs: 6 * cadenceMs, outageAfterFailoverMs: 18 * cadenceMs };
  const full: FaultStep = {
    text: `${primary} answers HTTP 503 to every request, in every region`,
    expect: failover,
    okta: { mode: "http-5xx", status: 503 },
  };
  switch (mode) {
    case "full":
      return { ...base, outage: full };
    case "partial":
      return {
        ...base,
        outage: {
          text: `${primary} fails half of all requests (HTTP 503), in every region`,
          expect: `${failover} (the partial-outage rule: half the first attempts failing)`,
          okta: { mode: "http-5xx", status: 503, failureRate: 0.5 },
        },
      };
    case "slow": {
      const slowLatency = p.slowMs + Math.round((p.probeTimeoutMs - p.slowMs) / 2);
      return {
        ...base,
        benign: {
          text: `${primary} answers correctly but takes ${slowLatency} ms, over the ${p.slowMs} ms latency budget`,
          expect: `${primary} degraded, no failover: a slow IdP still signs people in`,
          okta: { mode: "slow", latencyMs: slowLatency },
          durationMs: 6 * cadenceMs,
        },
        outage: {
          text: `${primary} takes ${p.probeTimeoutMs + 500} ms, past the ${p.probeTimeoutMs} ms probe timeout: logins time out`,
          expect: failover,
          okta: { mode: "slow", latencyMs: p.probeTimeoutMs + 500 },
        },
      };
    }
    case "one-region": {
      const region = config.regions.at(-1) ?? "eu-west-1";
      return {
        ...base,
        benign: {
          text: `${region} loses its network path to ${primary}; the other regions still reach it`,
          expect: `${region} says ${primary} down, short of the quorum of ${p.quorum}: no failover`,
          cutRegion: region,
          durationMs: 9 * cadenceMs,
        },
        outage: full,
      };
    }
  }
}

/**
 * How long after an outage begins the policy promises the failover in sync, on the drill's clock:
 * detection within `failure.windowRounds` rounds after the first failing one (rounds are spaced by
 * the cadence, or by the round's own duration when timeouts make it longer, which real timeouts on a
 * compressed clock do), one evaluation period, and Route 53's propagation.
 */
export function failoverBoundMs(config: Config, options: { speed: number; insyncMs: number }): number {
  const rounds = drillSitePolicy(config).failure.windowRounds + 1;
  return rounds * roundSpacingMs(config, options.speed) + evaluationIntervalMs(config) + options.insyncMs;
}

/** Drill-clock ms between a region's rounds at worst: the cadence, or a timed-out round's real length. */
function roundSpacingMs(config: Config, speed: number): number {
  return Math.max(drillSitePolicy(config).cadenceSeconds * 1000, timedOutRoundMs(config) * speed);
}

/** How long the stepped failback may take after approval, on the drill's clock (with room to spare). */
export function failbackBoundMs(config: Config, insyncMs: number): number {
  const p = drillSitePolicy(config);
  const step = insyncMs + p.failback.holdSeconds * 1000 + 2 * p.cadenceSeconds * 1000;
  return 2 * p.failback.steps.length * step;
}

/**
 * How long after the outage ends the failback request should come: the recovery rounds, the
 * flakiness window (failures seen before a region called the provider down keep it degraded until
 * they age out), then the sustain; doubled for room.
 */
export function recoveryBoundMs(config: Config, speed: number): number {
  const p = drillSitePolicy(config);
  return (
    2 *
    ((p.recovery.consecutiveRounds + 2) * roundSpacingMs(config, speed) +
      p.degraded.windowSeconds * 1000 +
      p.recovery.sustainSeconds * 1000)
  );
}
