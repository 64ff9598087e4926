import type { NotificationIntent } from "./effects.js";
import * as z from "./zod-mini.js";

/*
 * Identity continuity readiness: can the primary's people sign in through the secondary to the apps
 * they use? This module owns the vocabulary every package shares: the stored result of a readiness
 * run, and the pure rules that read it (when to alert, whether the gate holds a failover). The site's
 * `continuity` settings and the policy's gate are config sections, in config.ts with the others. The
 * reading and comparing live in packages/readiness; storage in packages/aws.
 */

const iso = z.iso.datetime();

// ---------------------------------------------------------------------------------------------
// The result of a readiness run (stored, printed with --json, read by status, the dashboard, the
// report and the evaluator). docs/readiness.md describes every field.
// ---------------------------------------------------------------------------------------------

/** Lists in a result keep at most this many names; counts are always whole. */
export const readinessListLimit = 100;

const count = z.number().check(z.int(), z.nonnegative());

export const readinessAppSchema = z.object({
  name: z.string(),
  okta: z.string(),
  entra: z.string(),
  /** The primary's active users assigned to the Okta app (directly or through a group). */
  assignedInPrimary: count,
  /** Of those, how many the service principal lets sign in (matched, enabled, assigned or not required). */
  coveredInSecondary: count,
  notCoveredCount: count,
  notCovered: z.array(z.string()),
  /** Entra lets every enabled user in when the service principal does not require assignment. */
  assignmentRequired: z.boolean(),
  /** Groups assigned to the Okta app whose Entra counterpart is not assigned to the service principal. */
  groupsNotAssigned: z.array(z.string()),
});
export type ReadinessApp = z.infer<typeof readinessAppSchema>;

export const groupDriftSchema = z.object({
  name: z.string(),
  okta: z.string(),
  entra: z.string(),
  primaryMembers: count,
  /** Active primary members who are not members of the Entra group (or have no Entra account). */
  missingInSecondary: count,
  /** Entra members who are not members of the Okta group. */
  extraInSecondary: count,
});
export type GroupDrift = z.infer<typeof groupDriftSchema>;

export const partialReasonSchema = z.object({
  /** What could not be read, like `okta users` or `graph servicePrincipals/{id}`. */
  what: z.string(),
  message: z.string(),
  hint: z.optional(z.string()),
});
export type PartialReason = z.infer<typeof partialReasonSchema>;

export const readinessResultSchema = z.object({
  schemaVersion: z.literal(1),
  site: z.string(),
  primary: z.string(),
  secondary: z.string(),
  startedAt: iso,
  at: iso,
  /** `incremental`: the Entra side came from the stored snapshot and Graph delta queries. */
  mode: z.enum(["full", "incremental"]),
  /** `partial`: something could not be read; no score is given for a partial read. */
  status: z.enum(["complete", "partial"]),
  readinessPct: z.nullable(z.number()),
  minReadinessPct: z.number(),
  partial: z._default(z.array(partialReasonSchema), []),
  users: z.object({
    primaryActive: count,
    matched: count,
    missingCount: count,
    missing: z.array(z.string()),
    disabledInSecondaryCount: count,
    disabledInSecondary: z.array(z.string()),
    /** Active primary users who could sign in through the secondary to every mapped app of theirs. */
    ready: count,
  }),
  groups: z.object({
    match: z.enum(["name", "map"]),
    primary: count,
    mapped: count,
    unmappedCount: count,
    unmapped: z.array(z.string()),
    /** Memberships the secondary lacks, summed over the mapped groups. */
    membershipDrift: count,
    withDrift: count,
    /** The mapped groups with the most drift, worst first. */
    worst: z.array(groupDriftSchema),
  }),
  apps: z.object({
    mapped: count,
    assignedInPrimary: count,
    coveredInSecondary: count,
    items: z.array(readinessAppSchema),
  }),
  requests: z.object({ okta: count, graph: count, throttled: count }),
});
export type ReadinessResult = z.infer<typeof readinessResultSchema>;

/** What the evaluator and alerts need of the last complete result: the secondary and how ready it is. */
export interface ReadinessSummary {
  site: string;
  secondary: string;
  readinessPct: number;
  at: string;
}

export function summaryOf(result: ReadinessResult): ReadinessSummary | undefined {
  if (result.status !== "complete" || result.readinessPct === null) return undefined;
  return { site: result.site, secondary: result.secondary, readinessPct: result.readinessPct, at: result.at };
}

/** Readiness as people read it: one decimal, never rounded up to 100 while anyone is left out. */
export function formatReadinessPct(pct: number): string {
  const floored = Math.floor(pct * 10) / 10;
  return `${floored.toFixed(1)}%`;
}

/**
 * Whether a result calls for the "readiness low" alert: a complete result below the minimum, when the
 * previous complete one was not (or there was none). A partial read alerts too (nobody knows how
 * ready the secondary is), once, until a complete read comes back.
 */
export function readinessAlertDue(
  current: ReadinessResult,
  previous: ReadinessResult | undefined,
): "below-minimum" | "partial" | undefined {
  if (current.status === "partial") return previous?.status === "partial" ? undefined : "partial";
  const below = (r: ReadinessResult | undefined) =>
    r?.status === "complete" && r.readinessPct !== null && r.readinessPct < r.minReadinessPct;
  if (!below(current)) return undefined;
  return below(previous) ? undefined : "below-minimum";
}

/**
 * The failover gate (`policy.continuity.gateBelowPct`): the reason to hold an automatic failover onto
 * `target`, or undefined. Only a complete measurement of that very provider below the gate holds it;
 * no measurement, or one of another provider, never does (a missing number must not keep users on a
 * provider that is down).
 */
export function readinessGateHolds(
  gateBelowPct: number | undefined,
  readiness: ReadinessSummary | undefined,
  target: string,
): string | undefined {
  if (gateBelowPct === undefined || !readiness || readiness.secondary !== target) return undefined;
  if (readiness.readinessPct >= gateBelowPct) return undefined;
  return `${target} was ${formatReadinessPct(readiness.readinessPct)} ready at ${readiness.at}, below policy.continuity.gateBelowPct ${gateBelowPct}%`;
}

/** Where readiness results are kept: the latest per site and a dated history. */
export interface ReadinessStore {
  putResult(result: ReadinessResult): Promise<void>;
  latest(site: string): Promise<ReadinessResult | undefined>;
  /** Results finished in [from, to), oldest first. Epoch ms. */
  history(site: string, from: number, to: number): Promise<ReadinessResult[]>;
}

/** The evaluator reads only the summary, and only when a provider is down. */
export interface ReadinessReader {
  latestReadiness(site: string): Promise<ReadinessSummary | undefined>;
}

/** One line for people: how ready the secondary is, or why nobody knows. */
export function readinessHeadline(result: ReadinessResult): string {
  const who = `${result.secondary} for ${result.primary}'s ${result.users.primaryActive.toLocaleString("en-US")} active user(s)`;
  if (result.status === "partial" || result.readinessPct === null) {
    return `readiness of ${who}: unknown (partial read: ${result.partial.length} problem(s))`;
  }
  const below = result.readinessPct < result.minReadinessPct ? ", BELOW the minimum" : "";
  return `${formatReadinessPct(result.readinessPct)} ready: ${who} (minimum ${result.minReadinessPct}%${below})`;
}

/**
 * The Entra state a readiness run continues from the next day (bytes the readiness package writes
 * and reads back; stores keep them opaque).
 */
export interface ReadinessSnapshots {
  loadSnapshot(site: string): Promise<Uint8Array | undefined>;
  saveSnapshot(site: string, bytes: Uint8Array, at: number): Promise<void>;
}

/** The `readiness-low` notification for a result the alert rule picked (see `readinessAlertDue`). */
export function readinessLowIntent(result: ReadinessResult): NotificationIntent {
  return {
    id: `${result.site}:readiness:${result.at}`,
    site: result.site,
    at: result.at,
    kind: "readiness-low",
    secondary: result.secondary,
    status: result.status,
    readinessPct: result.readinessPct,
    minReadinessPct: result.minReadinessPct,
    primaryActive: result.users.primaryActive,
    missingCount: result.users.missingCount,
    disabledCount: result.users.disabledInSecondaryCount,
    apps: result.apps.items
      .filter((a) => a.notCoveredCount > 0)
      .sort((a, b) => b.notCoveredCount - a.notCoveredCount)
      .slice(0, 10)
      .map((a) => ({ name: a.name, notCoveredCount: a.notCoveredCount })),
    reasons: result.partial.slice(0, 10).map((p) => (p.hint ? `${p.message} (fix: ${p.hint})` : p.message)),
  };
}
