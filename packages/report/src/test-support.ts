import {
  type Incident,
  InMemoryStore,
  isoTime,
  type MinuteRollup,
  type VerdictSeconds,
} from "@idp-failover/core";
import { testRegions } from "@idp-failover/core/testing";

/*
 * Small worlds for the report's own tests: an in-memory store filled with minute rollups drawn from a
 * verdict timeline (the config is core's `testConfig`, whose site is `acme`).
 */

type Verdict = keyof VerdictSeconds;

/** Whole-minute rollups over [from, to): `verdictOf(minute)` for the global verdict and every region. */
export function minuteRollups(
  site: string,
  provider: string,
  from: number,
  to: number,
  verdictOf: (minute: number) => Verdict,
): MinuteRollup[] {
  const out: MinuteRollup[] = [];
  for (let m = from; m < to; m += 60_000) {
    const v = verdictOf(m);
    out.push({
      site,
      provider,
      minute: isoTime(m),
      global: { [v]: 60 },
      regions: Object.fromEntries(testRegions.map((r) => [r, { [v]: 60 }])),
    });
  }
  return out;
}

export function testIncident(fields: Partial<Incident> = {}): Incident {
  return {
    id: "acme-20261110-100017",
    site: "acme",
    provider: "okta",
    start: "2026-11-10T10:00:00Z",
    detectedAt: "2026-11-10T10:00:15Z",
    failoverTo: "entra",
    dnsSubmittedAt: "2026-11-10T10:00:15Z",
    insyncAt: "2026-11-10T10:00:45Z",
    recoveredAt: "2026-11-10T11:30:30Z",
    failbackRequestedAt: "2026-11-10T11:40:30Z",
    failbackApprovedAt: "2026-11-10T12:00:00Z",
    approvedBy: "slack:U0123ABCDEF",
    endAt: "2026-11-10T12:16:30Z",
    evidence: [],
    ...fields,
  };
}

/** A store with November 2026 for `site`: Okta down 10:00-11:30 on the 10th (as the incident says). */
export async function novemberStore(site = "acme", incident = testIncident()): Promise<InMemoryStore> {
  const store = new InMemoryStore();
  const from = Date.parse("2026-10-31T00:00:00Z");
  const to = Date.parse("2026-12-02T00:00:00Z");
  const down = [Date.parse("2026-11-10T10:00:00Z"), Date.parse("2026-11-10T11:30:00Z")] as const;
  await store.putRollups(
    minuteRollups(site, "okta", from, to, (m) => (m >= down[0] && m < down[1] ? "down" : "up")),
  );
  await store.putRollups(minuteRollups(site, "entra", from, to, () => "up"));
  await store.putIncident({ ...incident, site });
  return store;
}
