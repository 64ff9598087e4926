import type { Incident } from "@idp-failover/core";
import type { ReportPeriod } from "./period.js";

/*
 * What the login hostname delivered, and each incident's timings.
 *
 * The login hostname is down from an incident's onset (`start`, the first failing probe round) until
 * users' resolvers can have the new answer: the DNS change INSYNC plus the record's TTL. Without a
 * failover (nowhere healthy to go, or the change never completed) it is down for as long as the
 * serving provider was: until it recovered. If the provider recovered before the change took effect,
 * the login hostname was fine from then. Overlapping incidents are merged, and everything is clipped
 * to the period; an incident still open counts until `now`.
 *
 * `recoveredAt` is when the verdict said up again, which needs `recovery.consecutiveRounds` healthy
 * rounds: the recovery itself is dated that many rounds earlier (`recoveryLagMs`), the first healthy
 * round, just as the onset is the first failing one. Both ends are then late by the same part of a
 * probe cadence, and an outage with nowhere to fail over to costs the login hostname what it cost the
 * provider.
 *
 * A provider that went down again before its incident closed (a flapping one: one incident, one
 * thread) left its earlier episodes in `episodes`: each costs the login hostname from its start to
 * its recovery; the time between them, with the provider up, costs nothing.
 */

export interface LoginTiming {
  /** The record's TTL. */
  ttlSeconds: number;
  /** How much later than the recovery the verdict says up (recovery rounds x cadence). */
  recoveryLagMs: number;
  /** Epoch ms: open incidents count until then. */
  now: number;
}

export interface Interval {
  from: number;
  to: number;
}

/** The spans during which an incident kept users from signing in: its earlier episodes, then the last. */
export function loginOutageSpans(incident: Incident, timing: LoginTiming): Interval[] {
  const earlier = (incident.episodes ?? []).map((e) => {
    const from = Date.parse(e.start);
    return { from, to: Math.max(from, Date.parse(e.recoveredAt) - timing.recoveryLagMs) };
  });
  const last = loginOutage(
    incident.episodeStart ? { ...incident, start: incident.episodeStart } : incident,
    timing,
  );
  return [...earlier, last];
}

/** The span during which an incident's (last) episode kept users from signing in through the login hostname. */
export function loginOutage(incident: Incident, timing: LoginTiming): Interval {
  const start = Date.parse(incident.start);
  const said = firstTime(incident.recoveredAt, incident.endAt);
  const recovered = said === undefined ? timing.now : said - timing.recoveryLagMs;
  const insync = incident.insyncAt === undefined ? undefined : Date.parse(incident.insyncAt);
  const end = insync === undefined ? recovered : Math.min(insync + timing.ttlSeconds * 1000, recovered);
  return { from: start, to: Math.max(start, end) };
}

/** Merged outages clipped to the period, in time order. */
export function loginOutages(
  incidents: readonly Incident[],
  timing: LoginTiming,
  period: ReportPeriod,
): Interval[] {
  const clipped = incidents
    .flatMap((i) => loginOutageSpans(i, timing))
    .map((o) => ({ from: Math.max(o.from, period.from), to: Math.min(o.to, period.to) }))
    .filter((o) => o.to > o.from)
    .sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const outage of clipped) {
    const last = merged[merged.length - 1];
    if (last && outage.from <= last.to) last.to = Math.max(last.to, outage.to);
    else merged.push({ ...outage });
  }
  return merged;
}

export function totalSeconds(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, i) => sum + (i.to - i.from) / 1000, 0);
}

/** One incident as a report shows it: times, and the delays an operator is judged on. */
export interface IncidentRow {
  id: string;
  provider: string;
  failoverTo: string | null;
  start: string;
  detectedAt: string;
  dnsSubmittedAt: string | null;
  insyncAt: string | null;
  recoveredAt: string | null;
  failbackRequestedAt: string | null;
  failbackApprovedAt: string | null;
  approvedBy: string | null;
  end: string | null;
  ongoing: boolean;
  startedBeforePeriod: boolean;
  endsAfterPeriod: boolean;
  /** Onset to quorum (the global verdict became down). */
  detectionSeconds: number;
  /** Onset to the DNS change being submitted. */
  dnsChangeSeconds: number | null;
  /** Onset to the change being INSYNC. */
  insyncSeconds: number | null;
  /** All weight on the other provider: INSYNC until failback began (or the incident ended). */
  timeOnSecondarySeconds: number | null;
  /** Failback requested to approved: how long the approval took. */
  failbackApprovalWaitSeconds: number | null;
  /** Approved to all weight back on the primary. */
  failbackSeconds: number | null;
  /** The login hostname's downtime this incident caused, inside the period. */
  loginDowntimeSeconds: number;
  /** Readiness of the provider failed over to, as last measured before the failover (docs/readiness.md). */
  secondaryReadinessPct: number | null;
  secondaryReadinessAt: string | null;
}

export function incidentRow(incident: Incident, timing: LoginTiming, period: ReportPeriod): IncidentRow {
  const now = timing.now;
  const start = Date.parse(incident.start);
  const since = (at: string | undefined) => (at === undefined ? null : seconds(Date.parse(at) - start));
  const between = (a: string | undefined, b: string | undefined) =>
    a === undefined || b === undefined ? null : seconds(Date.parse(b) - Date.parse(a));
  const end = incident.endAt ?? null;
  const insync = incident.insyncAt;
  const leftSecondary = incident.failbackApprovedAt ?? incident.endAt;
  const inside = loginOutageSpans(incident, timing).reduce(
    (sum, o) => sum + Math.max(0, Math.min(o.to, period.to) - Math.max(o.from, period.from)),
    0,
  );
  return {
    id: incident.id,
    provider: incident.provider,
    failoverTo: incident.failoverTo ?? null,
    start: incident.start,
    detectedAt: incident.detectedAt,
    dnsSubmittedAt: incident.dnsSubmittedAt ?? null,
    insyncAt: insync ?? null,
    recoveredAt: incident.recoveredAt ?? null,
    failbackRequestedAt: incident.failbackRequestedAt ?? null,
    failbackApprovedAt: incident.failbackApprovedAt ?? null,
    approvedBy: incident.approvedBy ?? null,
    end,
    ongoing: end === null,
    startedBeforePeriod: start < period.from,
    endsAfterPeriod: end === null ? now >= period.to : Date.parse(end) >= period.to,
    detectionSeconds: seconds(Date.parse(incident.detectedAt) - start),
    dnsChangeSeconds: since(incident.dnsSubmittedAt),
    insyncSeconds: since(insync),
    timeOnSecondarySeconds:
      insync === undefined
        ? null
        : seconds((leftSecondary === undefined ? now : Date.parse(leftSecondary)) - Date.parse(insync)),
    failbackApprovalWaitSeconds: between(incident.failbackRequestedAt, incident.failbackApprovedAt),
    failbackSeconds: between(incident.failbackApprovedAt, incident.endAt),
    loginDowntimeSeconds: seconds(inside),
    secondaryReadinessPct: incident.secondaryReadinessPct ?? null,
    secondaryReadinessAt: incident.secondaryReadinessAt ?? null,
  };
}

function firstTime(...values: Array<string | undefined>): number | undefined {
  for (const value of values) if (value !== undefined) return Date.parse(value);
  return undefined;
}

/** Milliseconds to seconds, to the millisecond. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
