import { type NotificationIntent, type NotificationKind, notificationSchema } from "@idp-failover/core";

/*
 * One realistic notification of each kind, for `idpctl webhook test`: a receiver's author sees the
 * fields a real one carries. A Record over every kind, so a new kind does not compile until it has a
 * sample; the test parses each with core's notificationSchema.
 */

type Sample<K extends NotificationKind> = Omit<
  Extract<NotificationIntent, { kind: K }>,
  "id" | "site" | "at" | "kind"
>;

const evidence = [
  {
    region: "us-east-1",
    verdict: "down" as const,
    evidence: [
      { probe: "token", class: "http-5xx" as const, message: "HTTP 503", latencyMs: 212, status: 503 },
    ],
  },
  {
    region: "eu-west-1",
    verdict: "down" as const,
    evidence: [
      { probe: "token", class: "http-5xx" as const, message: "HTTP 503", latencyMs: 198, status: 503 },
    ],
  },
];

function samplesAt(at: number): { [K in NotificationKind]: Sample<K> } {
  const iso = (offsetSeconds: number) => new Date(at + offsetSeconds * 1000).toISOString();
  const incidentId = `example-${iso(-30).replace(/\D/g, "").slice(0, 17)}`;
  return {
    "failing-over": {
      incidentId,
      from: "okta",
      to: "entra",
      reason: "okta down in 3 of 3 regions",
      actor: "evaluator",
      weights: { okta: 0, entra: 255 },
      evidence,
    },
    "failed-over": {
      incidentId,
      from: "okta",
      to: "entra",
      changeId: "C0123456789ABCDEFGHIJ",
      submittedAt: iso(-30),
      insyncAt: iso(0),
      evidence,
    },
    "both-down": { incidentId, providers: ["okta", "entra"], evidence },
    "monitor-impaired": {
      provider: "okta",
      staleRegions: ["ap-southeast-2"],
      freshRegions: ["us-east-1", "eu-west-1"],
      impairedRegions: ["ap-southeast-2"],
      reasons: { "ap-southeast-2": "canary https://canary.example.com failed: connection refused" },
      holding: false,
      since: iso(-120),
    },
    "monitor-restored": { provider: "okta", since: iso(-120) },
    "provider-degraded": { provider: "okta", evidence, mode: "read-only" },
    "provider-down": { incidentId, provider: "okta", evidence },
    "provider-recovered": { incidentId, provider: "okta", was: "down" },
    "failback-requested": {
      incidentId,
      approvalId: "example-approval-1",
      expiresAt: iso(3600),
      primary: "okta",
      healthySince: iso(-600),
    },
    "failback-started": {
      incidentId,
      approvalId: "example-approval-1",
      approvedBy: "slack:U0123ABCD",
      weights: { okta: 25, entra: 230 },
      steps: 3,
    },
    "failback-progress": {
      incidentId,
      approvalId: "example-approval-1",
      step: 2,
      steps: 3,
      weights: { okta: 128, entra: 127 },
      approvedBy: "slack:U0123ABCD",
    },
    "failback-done": {
      incidentId,
      approvalId: "example-approval-1",
      primary: "okta",
      approvedBy: "slack:U0123ABCD",
    },
    "failback-aborted": {
      incidentId,
      approvalId: "example-approval-1",
      reason: "okta failed again in 2 of 3 regions during step 2",
      weights: { okta: 0, entra: 255 },
    },
    "failback-deferred": {
      incidentId,
      approvalId: "example-approval-1",
      outcome: "snoozed",
      by: "slack:U0123ABCD",
      until: iso(7200),
      reason: "change freeze until the release is out",
    },
    "dns-error": {
      incidentId,
      message: "Throttling: Rate exceeded",
      rejected: false,
      retryAt: iso(15),
      weights: { okta: 0, entra: 255 },
    },
    "dns-disagrees": {
      region: "eu-west-1",
      hostname: "login.example.com",
      answers: ["example.okta.com"],
      expected: ["example.azurefd.net"],
      since: iso(-300),
    },
    "flapping-paused": { incidentId, changes: 6, limit: 6, serving: "entra", until: iso(3600) },
    "flapping-resumed": { incidentId, by: "evaluator", reason: "an hour without a wanted change" },
    "incident-resolved": {
      incidentId,
      provider: "okta",
      start: iso(-5400),
      endAt: iso(0),
      failoverTo: "entra",
    },
    "readiness-low": {
      secondary: "entra",
      status: "complete",
      readinessPct: 91.5,
      minReadinessPct: 98,
      primaryActive: 1200,
      missingCount: 96,
      disabledCount: 6,
      apps: [{ name: "Salesforce", notCoveredCount: 40 }],
      reasons: [],
    },
    "failover-held": {
      incidentId,
      from: "okta",
      to: "entra",
      reason: "entra is 91.5% ready, below policy.continuity.gateBelowPct (95%)",
      evidence,
    },
    frozen: { by: "operator:alice", reason: "planned Okta maintenance window" },
    unfrozen: { by: "operator:alice", resumedAs: "primary-active" },
  };
}

/** Every kind a sample exists for (all of them), in the schema's order. */
export const sampleNotificationKinds = Object.keys(samplesAt(0)) as NotificationKind[];

/** A sample notification of `kind` for site `example`, dated `at`, with an id no real one has. */
export function sampleNotification(kind: NotificationKind, at: number): NotificationIntent {
  const fields = samplesAt(at)[kind];
  // Parsed rather than cast: the schema is what a receiver is promised.
  return notificationSchema.parse({
    id: `example:test-${at}:${kind}`,
    site: "example",
    at: new Date(at).toISOString(),
    kind,
    ...fields,
  });
}
