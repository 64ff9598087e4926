import type { Policy, Site } from "./config.js";
import type { NotificationIntent } from "./effects.js";
import type { SiteState } from "./site-state.js";
import * as z from "./zod-mini.js";

/*
 * What users' resolvers get for the login hostname, as each probe region sees it through public DNS,
 * against what the state machine says Route 53 serves. They disagree for a while after every change
 * (Route 53 applies it, then resolvers keep the old answer for the TTL); longer than that, something
 * is wrong where no probe looks: a record changed by hand, a stuck change, a delegation that points
 * elsewhere, a resolver pinned to an old answer. Then the evaluator alerts once per disagreement.
 * Pure: the probes resolve, the store keeps one observation per site and region, written only when
 * the answer changes.
 */

export const dnsObservationSchema = z.object({
  region: z.string(),
  /** The CNAME target, or the addresses, lowercase and sorted; empty when nothing answered. */
  answers: z.array(z.string()),
  /** Why nothing answered (NXDOMAIN, SERVFAIL, a timeout), when nothing did. */
  error: z.optional(z.string()),
  /** When these answers were first seen from this region (epoch ms). */
  since: z.number(),
});
export type DnsObservation = z.infer<typeof dnsObservationSchema>;

/** The answers that agree with the state: the targets of the providers with weight, before and after a pending change. */
export function acceptedAnswers(site: Site, state: Pick<SiteState, "weights" | "dns">): Set<string> {
  const weighted = (weights: Record<string, number>) =>
    site.providers.filter((p) => (weights[p.id] ?? 0) > 0).map((p) => normalAnswer(p.dnsTarget));
  return new Set([...weighted(state.weights), ...(state.dns ? weighted(state.dns.weights) : [])]);
}

export function normalAnswer(value: string): string {
  return value.toLowerCase().replace(/\.$/, "");
}

/** The next observation of a region: the same one while the answers stay, a new one from `now` when they move. */
export function nextObservation(
  previous: DnsObservation | undefined,
  region: string,
  answers: readonly string[],
  error: string | undefined,
  now: number,
): DnsObservation {
  const normal = [...new Set(answers.map(normalAnswer))].sort();
  const same =
    previous !== undefined &&
    previous.error === error &&
    previous.answers.length === normal.length &&
    previous.answers.every((a, i) => a === normal[i]);
  if (same) return previous;
  return { region, answers: normal, ...(error ? { error } : {}), since: now };
}

export interface DnsDisagreement {
  region: string;
  answers: string[];
  error?: string;
  expected: string[];
  /** When the disagreement began: the later of the answer's first sighting and the state's last change. */
  since: number;
  /** The TTL plus the change's time to INSYNC: how long a disagreement may last before it is one. */
  graceMs: number;
}

/**
 * The regions whose public DNS disagrees with the state for longer than the record's TTL plus the
 * time Route 53 took to apply the last change (measured on the incident when it has one, otherwise
 * `policy.dns.insyncTimeoutSeconds`, the longest the state machine waits for INSYNC).
 */
export function dnsDisagreements(
  site: Site,
  state: SiteState,
  observations: readonly DnsObservation[],
  policy: Pick<Policy, "dns">,
  now: number,
): DnsDisagreement[] {
  const accepted = acceptedAnswers(site, state);
  const incident = state.incident;
  const measured =
    incident?.dnsSubmittedAt && incident.insyncAt
      ? Date.parse(incident.insyncAt) - Date.parse(incident.dnsSubmittedAt)
      : undefined;
  const graceMs = site.ttl * 1000 + (measured ?? policy.dns.insyncTimeoutSeconds * 1000);
  const changedAt = Math.max(Date.parse(state.since), Date.parse(state.dns?.submittedAt ?? state.since));
  const out: DnsDisagreement[] = [];
  for (const observation of observations) {
    if (observation.answers.length > 0 && observation.answers.every((a) => accepted.has(a))) continue;
    const since = Math.max(observation.since, changedAt);
    if (now - since <= graceMs) continue;
    out.push({
      region: observation.region,
      answers: observation.answers,
      ...(observation.error ? { error: observation.error } : {}),
      expected: [...accepted].sort(),
      since,
      graceMs,
    });
  }
  return out;
}

/** The alert for one disagreement: its id names the region and the moment it began, so it is sent once. */
export function dnsDisagreementIntent(site: Site, d: DnsDisagreement, now: number): NotificationIntent {
  return {
    id: `${site.id}:dns-disagrees:${d.region}:${d.since}`,
    kind: "dns-disagrees",
    site: site.id,
    at: new Date(now).toISOString(),
    region: d.region,
    hostname: site.hostname,
    answers: d.answers,
    ...(d.error ? { error: d.error } : {}),
    expected: d.expected,
    since: new Date(d.since).toISOString(),
  };
}

/** Whether the round at `tick` (on the cadence grid) resolves the login hostnames: one round per `everySeconds`. */
export function publicDnsDue(tick: number, everySeconds: number, cadenceSeconds: number): boolean {
  return tick % (everySeconds * 1000) < cadenceSeconds * 1000;
}
