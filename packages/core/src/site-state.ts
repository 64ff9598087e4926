import type { Site } from "./config.js";
import { vendorModes } from "./monitor.js";
import { rollupStateSchema } from "./rollup.js";
import { evidenceSchema } from "./verdict.js";
import * as z from "./zod-mini.js";

/*
 * The persisted shape of one site's failover state machine, and the records it produces. Schemas
 * rather than bare types because these come back from the store and must be parsed, not trusted.
 * Times are ISO-8601 UTC strings.
 */

export const stateNames = [
  "primary-active",
  "failing-over",
  "secondary-active",
  "failback-pending",
  "failing-back",
  "frozen",
] as const;
export type StateName = (typeof stateNames)[number];

const iso = z.iso.datetime();
const verdictName = z.enum(["up", "degraded", "down", "impaired"]);

/** Weight per provider id; what the login hostname's weighted records should carry. */
export const weightsSchema = z.record(z.string(), z.number().check(z.int(), z.gte(0), z.lte(255)));
export type Weights = z.infer<typeof weightsSchema>;

/** What one region saw of a provider when a decision was made. */
export const regionEvidenceSchema = z.object({
  region: z.string(),
  verdict: z.enum(["up", "degraded", "down", "stale", "impaired"]),
  evidence: z.array(evidenceSchema),
});
export type RegionEvidence = z.infer<typeof regionEvidenceSchema>;

/** A weight change the state machine wants and the adapters carry out. */
export const pendingDnsSchema = z.object({
  weights: weightsSchema,
  purpose: z.enum(["failover", "failback-step", "abort", "restore"]),
  requestedAt: iso,
  attempts: z.number().check(z.int(), z.nonnegative()),
  changeId: z.optional(z.string()),
  submittedAt: z.optional(iso),
  retryAt: z.optional(iso),
  lastError: z.optional(z.string()),
  /** Route 53 refused the change for good (InvalidChangeBatch, access denied): no automatic retry. */
  rejected: z.optional(z.boolean()),
  /**
   * An evaluator is submitting this change (attempt number `attempt`) until `until`: others leave it
   * alone, so two evaluators never both send it. Stale once the attempt count moves on.
   */
  claim: z.optional(z.object({ until: iso, attempt: z.number().check(z.int(), z.nonnegative()) })),
});
export type PendingDns = z.infer<typeof pendingDnsSchema>;

export const incidentSchema = z.object({
  id: z.string(),
  site: z.string(),
  /** The provider that failed. */
  provider: z.string(),
  /** First failing probe round seen by a region that then called it down. */
  start: iso,
  /** The global verdict became down (quorum reached). */
  detectedAt: iso,
  failoverTo: z.optional(z.string()),
  dnsChangeId: z.optional(z.string()),
  dnsSubmittedAt: z.optional(iso),
  insyncAt: z.optional(iso),
  /** The failed provider was `up` again. */
  recoveredAt: z.optional(iso),
  failbackRequestedAt: z.optional(iso),
  failbackApprovedAt: z.optional(iso),
  approvedBy: z.optional(z.string()),
  /** Failback finished (all weight back on the primary): the incident is over. */
  endAt: z.optional(iso),
  /** How ready the provider failed over to was at its last complete readiness run before the failover. */
  secondaryReadinessPct: z.optional(z.number()),
  secondaryReadinessAt: z.optional(iso),
  evidence: z.array(regionEvidenceSchema),
  /**
   * Earlier down episodes of the same incident: the provider recovered and went down again before
   * the incident closed (it closes only after `policy.notifications.dwellSeconds` of health), so a
   * flapping provider is one incident, one thread. Reports count each episode's own downtime.
   */
  episodes: z.optional(z.array(z.object({ start: iso, recoveredAt: iso }))),
  /** Start of the current episode, when it is not the first. */
  episodeStart: z.optional(iso),
  /** Messages this incident sent, and those its cap (`policy.notifications.maxPerIncident`) kept back. */
  alerts: z.optional(z.number().check(z.int(), z.nonnegative())),
  suppressed: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type Incident = z.infer<typeof incidentSchema>;

export const approvalSchema = z.object({ id: z.string(), requestedAt: iso, expiresAt: iso });
export type Approval = z.infer<typeof approvalSchema>;

export const siteStateSchema = z.object({
  site: z.string(),
  /** Bumped by every write; every write is conditional on the version read. */
  version: z.number().check(z.int(), z.nonnegative()),
  state: z.enum(stateNames),
  since: iso,
  /** The provider the state machine has chosen to serve (or is moving traffic to). */
  active: z.string(),
  /** The weights last confirmed applied. */
  weights: weightsSchema,
  dns: z.optional(pendingDnsSchema),
  failback: z.optional(
    z.object({
      step: z.number().check(z.int(), z.nonnegative()),
      stepInsyncAt: z.optional(iso),
      approvedBy: z.string(),
      approvedAt: iso,
      /** The approval request answered (none for a manual failback without one). */
      approvalId: z.optional(z.string()),
    }),
  ),
  approval: z.optional(approvalSchema),
  lastApproval: z.optional(
    z.object({
      id: z.string(),
      by: z.string(),
      at: iso,
      outcome: z.enum(["approved", "snoozed", "declined", "expired", "cancelled"]),
    }),
  ),
  /** No failback proposal before this (snoozed or declined). */
  requestNotBefore: z.optional(iso),
  frozen: z.optional(z.object({ by: z.string(), reason: z.string(), at: iso })),
  /** The global verdict per provider as last seen, and since when. */
  observed: z.record(
    z.string(),
    z.object({
      verdict: verdictName,
      since: iso,
      /** When the provider last stopped being down: a fresh recovery is not yet a failover target. */
      downUntil: z.optional(iso),
      /** The vendor mode of a degraded verdict. */
      mode: z.optional(z.enum(vendorModes)),
      /**
       * What people were last told about this provider (`down`, `degraded`, `degraded:read-only`):
       * news is sent only when it differs and has lasted `policy.notifications.dwellSeconds`.
       */
      announced: z.optional(z.string()),
    }),
  ),
  /** Open alerts, so each is raised once. */
  alerts: z.object({
    bothDownSince: z.optional(iso),
    /** Before issue 14: "fewer than a quorum of regions report". Read, never written any more. */
    impairedSince: z.optional(iso),
    /** Probe regions impaired or silent: one deployment-wide alert per episode, opened and closed once. */
    monitor: z.optional(
      z.object({
        /** When the episode began (the earliest region's trouble): the alert's identity across sites. */
        since: iso,
        regions: z.array(z.string()),
        holding: z.boolean(),
        /** What was last announced, if anything yet: later news is sent only when it is worse. */
        announced: z.optional(z.object({ regions: z.array(z.string()), holding: z.boolean() })),
        /** Every region healthy again since then; the alert closes after the dwell. */
        quietSince: z.optional(iso),
      }),
    ),
    /** `policy.continuity.gateBelowPct` is holding a failover (raised once). */
    failoverHeldSince: z.optional(iso),
  }),
  /** Automatic failovers of the last hour (policy.maxDnsChangesPerHour counts them). */
  flips: z.optional(z.array(iso)),
  /** Automatic DNS changes are paused (flapping) until `until`, or until `idpctl resume`. */
  paused: z.optional(z.object({ since: iso, until: iso, changes: z.number().check(z.int()) })),
  incident: z.optional(incidentSchema),
  lastTransitionAt: z.optional(iso),
  /** Verdict changes not yet rolled up into closed minutes (see rollup.ts). */
  rollup: z.optional(rollupStateSchema),
  /** The evaluator that wrote the stored outbox is carrying it out until then (see evaluate.ts). */
  outboxClaimedUntil: z.optional(iso),
});
export type SiteState = z.infer<typeof siteStateSchema>;

/**
 * A site before its first evaluation (version 0: not stored yet). It adopts the weights DNS carries
 * now: all on the primary is `primary-active`; anything else means traffic is already elsewhere, so
 * the site starts `secondary-active` on the heaviest other provider and asks for clean weights.
 */
export function initialSiteState(site: Site, now: number, current?: Weights): SiteState {
  const primary = site.providers[0]?.id ?? "";
  const since = new Date(now).toISOString();
  const onPrimary = weightsServing(site, primary);
  const weights = current && isServable(current) ? current : onPrimary;
  const base = { site: site.id, version: 0, since, weights, observed: {}, alerts: {} };
  if ((weights[primary] ?? 0) === 100 || sameWeights(weights, onPrimary)) {
    return { ...base, state: "primary-active", active: primary };
  }
  let active = site.providers[1]?.id ?? primary;
  for (const p of site.providers.slice(1)) if ((weights[p.id] ?? 0) > (weights[active] ?? 0)) active = p.id;
  const clean = weightsServing(site, active);
  return {
    ...base,
    state: "secondary-active",
    active,
    ...(sameWeights(weights, clean)
      ? {}
      : { dns: { weights: clean, purpose: "restore", requestedAt: since, attempts: 0 } }),
  };
}

export function sameWeights(a: Weights, b: Weights): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}

/** All weight on one provider. */
export function weightsServing(site: Site, provider: string): Weights {
  return Object.fromEntries(site.providers.map((p) => [p.id, p.id === provider ? 100 : 0]));
}

/** A split between the primary and the provider traffic is leaving, for stepped failback. */
export function weightsSplit(site: Site, primary: string, primaryWeight: number, other: string): Weights {
  return Object.fromEntries(
    site.providers.map((p) => [
      p.id,
      p.id === primary ? primaryWeight : p.id === other ? 100 - primaryWeight : 0,
    ]),
  );
}

/** Route 53 treats an all-zero weighted set as "split equally": never ask for one. */
export function isServable(weights: Weights): boolean {
  return Object.values(weights).some((w) => w > 0);
}

/**
 * Providers the data plane must report unhealthy even when their probes pass: those the state
 * machine has moved traffic away from and not yet been approved to move it back to.
 */
export function isLatchedOut(state: SiteState, provider: string): boolean {
  if (state.state === "primary-active" || state.active === provider) return false;
  const target = state.dns?.weights ?? state.weights;
  return (target[provider] ?? 0) === 0;
}
