import {
  type Config,
  type Incident,
  InMemoryStore,
  type MinuteRollup,
  parseConfig,
  type VerdictSeconds,
} from "@idp-failover/core";

/*
 * Small worlds for the report's own tests: a config with one or more sites, and an in-memory store
 * filled with minute rollups drawn from a verdict timeline.
 */

export const testRegions = ["us-east-1", "us-west-2", "eu-west-1"];

export function testConfig(siteIds: string[] = ["example"], ttl = 60): Config {
  const parsed = parseConfig({
    regions: testRegions,
    sites: siteIds.map((id, i) => ({
      id,
      hostname: `login${i ? i : ""}.example.com`,
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      ttl,
      providers: [
        { id: "okta", kind: "okta", issuer: "https://example.okta.com", dnsTarget: "example.okta.com" },
        {
          id: "entra",
          kind: "entra",
          tenantId: "00000000-0000-4000-8000-000000000001",
          dnsTarget: "example.azurefd.net",
        },
      ],
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

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
      minute: new Date(m).toISOString(),
      global: { [v]: 60 },
      regions: Object.fromEntries(testRegions.map((r) => [r, { [v]: 60 }])),
    });
  }
  return out;
}

export function testIncident(fields: Partial<Incident> = {}): Incident {
  return {
    id: "example-20261110-100017",
    site: "example",
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
export async function novemberStore(site = "example", incident = testIncident()): Promise<InMemoryStore> {
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
