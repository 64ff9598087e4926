import type { Incident, RegionEvidence, StateName, Weights } from "./site-state.js";
import type { GlobalVerdict } from "./verdict.js";

/*
 * What a decision asks the world to do, as plain values. The core never performs them: the evaluator
 * hands them to the ports (store, DNS, event bus, notifier).
 */

export interface Transition {
  site: string;
  from: StateName;
  to: StateName;
  at: string;
  reason: string;
  /** `evaluator`, `operator:{name}` or `slack:{user id}`. */
  actor: string;
  /** The state's version after the transition. */
  version: number;
}

/** One line of the audit trail: every transition and every operator command, accepted or refused. */
export interface AuditRecord {
  site: string;
  at: string;
  /** Orders records written at the same instant; the state version they belong to. */
  seq: number;
  actor: string;
  action: string;
  reason: string;
  from?: StateName;
  to?: StateName;
  weights?: Weights;
  evidence?: RegionEvidence[];
}

/** Events on the bus (EventBridge `detail-type` comes from `type`; see docs/events.md). */
export type DomainEvent =
  | {
      type: "state-changed";
      site: string;
      at: string;
      from: StateName;
      to: StateName;
      reason: string;
      actor: string;
      version: number;
      weights: Weights;
      incidentId?: string;
    }
  | {
      type: "verdict-changed";
      site: string;
      at: string;
      provider: string;
      from: GlobalVerdict | "unknown";
      to: GlobalVerdict;
      regions: Record<string, string>;
    }
  | {
      type: "alert";
      site: string;
      at: string;
      alert: "both-down" | "monitor-impaired" | "monitor-restored" | "dns-error";
      message: string;
    };

interface NotificationBase {
  /** Stable id (site, version, kind): delivery is idempotent on it. */
  id: string;
  site: string;
  at: string;
  /** Notifications of one incident thread together. */
  incidentId?: string;
}

export type NotificationIntent = NotificationBase &
  (
    | {
        kind: "failing-over";
        from: string;
        to: string;
        reason: string;
        actor: string;
        weights: Weights;
        evidence: RegionEvidence[];
      }
    | {
        kind: "failed-over";
        from: string;
        to: string;
        changeId?: string;
        submittedAt?: string;
        insyncAt: string;
      }
    | { kind: "both-down"; providers: string[]; evidence: RegionEvidence[] }
    | { kind: "monitor-impaired"; provider: string; staleRegions: string[]; freshRegions: string[] }
    | { kind: "monitor-restored"; provider: string }
    | { kind: "provider-degraded"; provider: string; evidence: RegionEvidence[] }
    | { kind: "provider-down"; provider: string; evidence: RegionEvidence[] }
    | { kind: "provider-recovered"; provider: string; was: GlobalVerdict }
    | {
        kind: "failback-requested";
        approvalId: string;
        expiresAt: string;
        primary: string;
        healthySince: string;
      }
    | { kind: "failback-progress"; step: number; steps: number; weights: Weights; approvedBy: string }
    | { kind: "failback-done"; primary: string; approvedBy?: string }
    | { kind: "failback-aborted"; reason: string; weights: Weights }
    | {
        kind: "failback-deferred";
        outcome: "snoozed" | "declined" | "expired" | "cancelled";
        by: string;
        until?: string;
        reason: string;
      }
    | { kind: "dns-error"; message: string; rejected: boolean; retryAt?: string; weights: Weights }
    | { kind: "frozen"; by: string; reason: string }
    | { kind: "unfrozen"; by: string; resumedAs: StateName }
  );

export type NotificationKind = NotificationIntent["kind"];

/** Everything one decision asks for. */
export interface Effects {
  events: DomainEvent[];
  notifications: NotificationIntent[];
  audit: AuditRecord[];
  /** Create or update this incident record. */
  incident?: Incident;
}

export function noEffects(): Effects {
  return { events: [], notifications: [], audit: [] };
}

export function hasEffects(effects: Effects): boolean {
  return (
    effects.incident !== undefined ||
    effects.events.length > 0 ||
    effects.notifications.length > 0 ||
    effects.audit.length > 0
  );
}
