import { vendorModes } from "./monitor.js";
import { minuteRollupSchema } from "./rollup.js";
import { incidentSchema, regionEvidenceSchema, stateNames, weightsSchema } from "./site-state.js";
import * as z from "./zod-mini.js";

/*
 * What a decision asks the world to do, as plain values. The core never performs them: the evaluator
 * hands them to the ports (store, event bus, notifier). Schemas, because they are stored (the state's
 * outbox, the notification outbox) and read back by other functions.
 */

const iso = z.iso.datetime();
const stateName = z.enum(stateNames);
const globalVerdict = z.enum(["up", "degraded", "down", "impaired"]);

export const transitionSchema = z.object({
  site: z.string(),
  from: stateName,
  to: stateName,
  at: iso,
  reason: z.string(),
  /** `evaluator`, `operator:{name}` or `slack:{user id}`. */
  actor: z.string(),
  /** The state's version after the transition. */
  version: z.number().check(z.int()),
});
export type Transition = z.infer<typeof transitionSchema>;

/**
 * Who gave an operator command (issue 18): the caller's AWS identity as STS `GetCallerIdentity`
 * answered it, or, on a local runtime with no AWS behind it, the local user, unverified. See
 * operator-identity.ts.
 */
/** STS's limits on an ARN (20 to 2048 characters, AWS STS API reference). */
const arn = z.string().check(z.minLength(20), z.maxLength(2048), z.startsWith("arn:"));

export const operatorIdentitySchema = z.discriminatedUnion("verifiedBy", [
  z.object({
    verifiedBy: z.literal("sts"),
    arn,
    account: z.string().check(z.regex(/^\d{12}$/)),
    userId: z.string().check(z.minLength(1), z.maxLength(256)),
  }),
  z.object({ verifiedBy: z.literal("none"), localUser: z.string().check(z.minLength(1), z.maxLength(256)) }),
]);
export type OperatorIdentity = z.infer<typeof operatorIdentitySchema>;

/** One line of the audit trail: every transition and every operator command, accepted or refused. */
export const auditRecordSchema = z.object({
  site: z.string(),
  at: iso,
  /** Orders records written at the same instant: the state version they belong to. */
  seq: z.number().check(z.int()),
  actor: z.string(),
  action: z.string(),
  reason: z.string(),
  from: z.optional(stateName),
  to: z.optional(stateName),
  weights: z.optional(weightsSchema),
  evidence: z.optional(z.array(regionEvidenceSchema)),
  /**
   * Who an operator's record is, as AWS verified it (or `verifiedBy: "none"` on a local runtime),
   * and the name they gave, kept beside it (issue 18). Absent on the evaluator's records and on
   * records written before.
   */
  identity: z.optional(operatorIdentitySchema),
  displayName: z.optional(z.string()),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** Events on the bus (the EventBridge `detail-type` comes from `type`; see docs/events.md). */
export const domainEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("state-changed"),
    id: z.string(),
    site: z.string(),
    at: iso,
    from: stateName,
    to: stateName,
    reason: z.string(),
    actor: z.string(),
    version: z.number().check(z.int()),
    weights: weightsSchema,
    incidentId: z.optional(z.string()),
  }),
  z.object({
    type: z.literal("verdict-changed"),
    id: z.string(),
    site: z.string(),
    at: iso,
    provider: z.string(),
    from: z.union([globalVerdict, z.literal("unknown")]),
    to: globalVerdict,
    regions: z.record(z.string(), z.string()),
    /** A vendor mode the degraded provider is in (read-only, backup-auth). */
    mode: z.optional(z.enum(vendorModes)),
  }),
  z.object({
    type: z.literal("alert"),
    id: z.string(),
    site: z.string(),
    at: iso,
    alert: z.enum([
      "both-down",
      "monitor-impaired",
      "monitor-restored",
      "dns-error",
      "flapping-paused",
      "flapping-resumed",
    ]),
    message: z.string(),
  }),
  /** A site's SLA report for a period was built (the monthly report; see docs/report-schema.md). */
  z.object({
    type: z.literal("report-published"),
    id: z.string(),
    site: z.string(),
    at: iso,
    period: z.object({ from: iso, to: iso, label: z.string() }),
    loginAvailabilityPct: z.nullable(z.number()),
    providers: z.array(
      z.object({
        id: z.string(),
        availabilityPct: z.nullable(z.number()),
        downtimeMinutes: z.number(),
        slaTargetPct: z.number(),
        slaMet: z.nullable(z.boolean()),
        creditQualifies: z.nullable(z.boolean()),
      }),
    ),
    incidents: z.number().check(z.int()),
  }),
]);
export type DomainEvent = z.infer<typeof domainEventSchema>;

/**
 * The `site` of a notification about the whole deployment rather than one site (the monitor's own
 * health): every site's evaluation raises the same one, with the same id, so it is sent once.
 */
export const deploymentScope = "*";

const notificationBase = {
  /** Stable id (site, version, kind): delivery is idempotent on it. */
  id: z.string(),
  /** The site, or `*` for the deployment as a whole (the monitor's own health). */
  site: z.string(),
  at: iso,
  /** Notifications of one incident share a thread. */
  incidentId: z.optional(z.string()),
};
const evidence = z.array(regionEvidenceSchema);

export const notificationSchema = z.discriminatedUnion("kind", [
  z.object({
    ...notificationBase,
    kind: z.literal("failing-over"),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    actor: z.string(),
    weights: weightsSchema,
    evidence,
    /** How ready `to` was for the primary's users at its last complete readiness run (docs/readiness.md). */
    readiness: z.optional(z.object({ pct: z.number(), at: iso })),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failed-over"),
    from: z.string(),
    to: z.string(),
    changeId: z.optional(z.string()),
    submittedAt: z.optional(iso),
    insyncAt: iso,
    /** What each region saw when the incident was detected (absent for a manual failover). */
    evidence: z.optional(evidence),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("both-down"),
    providers: z.array(z.string()),
    evidence,
    /** Providers that are up but no failover target, by the vendor mode that rules them out. */
    modes: z.optional(z.record(z.string(), z.enum(vendorModes))),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("monitor-impaired"),
    provider: z.string(),
    staleRegions: z.array(z.string()),
    freshRegions: z.array(z.string()),
    /** Regions whose own canaries fail (or clock is off), with why: they abstain. */
    impairedRegions: z.optional(z.array(z.string())),
    reasons: z.optional(z.record(z.string(), z.string())),
    /** Fewer than a quorum of regions can judge: nothing moves automatically until they can. */
    holding: z.optional(z.boolean()),
    /** When the episode began: its alerts share one thread. */
    since: z.optional(iso),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("monitor-restored"),
    provider: z.string(),
    since: z.optional(iso),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("provider-degraded"),
    provider: z.string(),
    evidence,
    mode: z.optional(z.enum(vendorModes)),
  }),
  z.object({ ...notificationBase, kind: z.literal("provider-down"), provider: z.string(), evidence }),
  z.object({
    ...notificationBase,
    kind: z.literal("provider-recovered"),
    provider: z.string(),
    was: globalVerdict,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-requested"),
    approvalId: z.string(),
    expiresAt: iso,
    primary: z.string(),
    healthySince: iso,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-started"),
    /** The approval answered (none for a manual failback without one). */
    approvalId: z.optional(z.string()),
    approvedBy: z.string(),
    /** The first step's weights, now being applied, and how many steps there are. */
    weights: weightsSchema,
    steps: z.number().check(z.int()),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-progress"),
    /** The approval that started this failback, so its message can show the progress. */
    approvalId: z.optional(z.string()),
    step: z.number().check(z.int()),
    steps: z.number().check(z.int()),
    weights: weightsSchema,
    approvedBy: z.string(),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-done"),
    approvalId: z.optional(z.string()),
    primary: z.string(),
    approvedBy: z.optional(z.string()),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-aborted"),
    approvalId: z.optional(z.string()),
    reason: z.string(),
    weights: weightsSchema,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("failback-deferred"),
    /** The approval request this closes. */
    approvalId: z.optional(z.string()),
    outcome: z.enum(["snoozed", "declined", "expired", "cancelled"]),
    by: z.string(),
    until: z.optional(iso),
    reason: z.string(),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("dns-error"),
    message: z.string(),
    rejected: z.boolean(),
    retryAt: z.optional(iso),
    weights: weightsSchema,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("dns-disagrees"),
    /** The probe region whose public DNS answer disagrees with the state, and for how long. */
    region: z.string(),
    hostname: z.string(),
    answers: z.array(z.string()),
    error: z.optional(z.string()),
    expected: z.array(z.string()),
    since: iso,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("flapping-paused"),
    /** Automatic DNS changes in the last hour, and the limit (policy.maxDnsChangesPerHour). */
    changes: z.number().check(z.int()),
    limit: z.number().check(z.int()),
    /** Where traffic stays meanwhile. */
    serving: z.string(),
    /** Automatic changes resume then, unless flapping goes on (each wanted change restarts the hour). */
    until: iso,
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("flapping-resumed"),
    /** `evaluator` after a quiet hour, or the operator who ran `idpctl resume`. */
    by: z.string(),
    reason: z.string(),
  }),
  z.object({
    ...notificationBase,
    kind: z.literal("incident-resolved"),
    provider: z.string(),
    start: iso,
    endAt: iso,
    failoverTo: z.optional(z.string()),
    /** Messages the incident's cap kept back (policy.notifications.maxPerIncident). */
    suppressed: z.optional(z.number().check(z.int())),
  }),
  /** A readiness run found the secondary below `continuity.minReadinessPct`, or could not read it all. */
  z.object({
    ...notificationBase,
    kind: z.literal("readiness-low"),
    secondary: z.string(),
    status: z.enum(["complete", "partial"]),
    readinessPct: z.nullable(z.number()),
    minReadinessPct: z.number(),
    primaryActive: z.number(),
    missingCount: z.number(),
    disabledCount: z.number(),
    /** Mapped apps whose service principal leaves some of their users out, worst first. */
    apps: z.array(z.object({ name: z.string(), notCoveredCount: z.number() })),
    /** Why the read was partial. */
    reasons: z.array(z.string()),
  }),
  /** `policy.continuity.gateBelowPct` held an automatic failover. */
  z.object({
    ...notificationBase,
    kind: z.literal("failover-held"),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    evidence,
  }),
  z.object({ ...notificationBase, kind: z.literal("frozen"), by: z.string(), reason: z.string() }),
  z.object({ ...notificationBase, kind: z.literal("unfrozen"), by: z.string(), resumedAs: stateName }),
]);
export type NotificationIntent = z.infer<typeof notificationSchema>;
export type NotificationKind = NotificationIntent["kind"];

/** Everything one decision asks for, besides the pending DNS change recorded in the state itself. */
export const effectsSchema = z.object({
  events: z.array(domainEventSchema),
  notifications: z.array(notificationSchema),
  audit: z.array(auditRecordSchema),
  /** Create or update this incident record. */
  incident: z.optional(incidentSchema),
  /** Minutes that closed, for SLA reports. */
  rollups: z.array(minuteRollupSchema),
});
export type Effects = z.infer<typeof effectsSchema>;

export function noEffects(): Effects {
  return { events: [], notifications: [], audit: [], rollups: [] };
}

export function hasEffects(effects: Effects): boolean {
  return (
    effects.incident !== undefined ||
    effects.events.length > 0 ||
    effects.notifications.length > 0 ||
    effects.audit.length > 0 ||
    effects.rollups.length > 0
  );
}
