import { type Config, parseConfig, type Site } from "./config.js";
import type { ReadinessResult } from "./continuity.js";
import type { DecisionContext } from "./state-machine.js";
import type { GlobalVerdict, RegionVerdict, RegionView, SiteVerdicts } from "./verdict.js";

/*
 * Fixtures for tests across packages (`@idp-failover/core/testing`): a small valid config and
 * verdicts written the way people say them ("okta down, entra up").
 */

export const testRegions = ["us-east-1", "us-west-2", "eu-west-1"] as const;

/** A valid two-provider config (okta primary, entra secondary), optionally with policy overrides. */
export function testConfig(policy: Record<string, unknown> = {}, extraProviders = 0): Config {
  const parsed = parseConfig({
    regions: [...testRegions],
    policy,
    alerting: { slack: { channel: "#idp", approvers: { users: ["U0APPROVER"] } } },
    sites: [
      {
        id: "acme",
        hostname: "login.acme.com",
        hostedZoneId: "Z0123456789ABC",
        providers: [
          {
            id: "okta",
            kind: "okta",
            issuer: "https://acme.okta.com/oauth2/default",
            dnsTarget: "acme.okta.com",
          },
          { id: "entra", kind: "entra", tenantId: "tenant-1", dnsTarget: "acme.azurefd.net" },
          ...Array.from({ length: extraProviders }, (_, i) => ({
            id: `oidc${i + 1}`,
            kind: "oidc" as const,
            issuer: `https://idp${i + 1}.example.net`,
            dnsTarget: `idp${i + 1}.example.net`,
          })),
        ],
      },
    ],
  });
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.issues)}`);
  return parsed.config;
}

export function testSite(config: Config): Site {
  const site = config.sites[0];
  if (!site) throw new Error("test config has no site");
  return site;
}

const regionFor: Record<GlobalVerdict, RegionVerdict> = {
  up: "up",
  degraded: "degraded",
  down: "down",
  impaired: "stale",
};

/**
 * Verdicts where every region agrees with the global verdict (impaired: every region stale).
 * `{ okta: "down", entra: "up" }`.
 */
export function verdicts(byProvider: Record<string, GlobalVerdict>, failingSince?: number): SiteVerdicts {
  const out: SiteVerdicts = {};
  for (const [provider, verdict] of Object.entries(byProvider)) {
    const regions: RegionView[] = testRegions.map((region) => ({
      region,
      verdict: regionFor[verdict],
      evidence:
        verdict === "down"
          ? [{ probe: "token", class: "http-5xx", message: "HTTP 503", latencyMs: 80, status: 503 }]
          : [],
      ...(verdict === "down" && failingSince !== undefined ? { failingSince } : {}),
    }));
    out[provider] = {
      provider,
      verdict,
      regions,
      ...(verdict === "down" && failingSince !== undefined ? { failingSince } : {}),
    };
  }
  return out;
}

/** A decision context at `now` for the test config's site. */
export function contextAt(
  config: Config,
  now: number,
  byProvider: Record<string, GlobalVerdict>,
): DecisionContext {
  return {
    now,
    site: testSite(config),
    regions: config.regions,
    policy: config.policy,
    verdicts: verdicts(byProvider),
  };
}

/** A complete readiness result of the test site (96 of 100 ready, minimum 98), with overrides. */
export function testReadinessResult(patch: Partial<ReadinessResult> = {}): ReadinessResult {
  return {
    schemaVersion: 1,
    site: "acme",
    primary: "okta",
    secondary: "entra",
    startedAt: "2026-03-02T05:21:00.000Z",
    at: "2026-03-02T05:22:10.000Z",
    mode: "full",
    status: "complete",
    readinessPct: 96,
    minReadinessPct: 98,
    partial: [],
    users: {
      primaryActive: 100,
      matched: 98,
      missingCount: 2,
      missing: ["user17@example.com", "user42@example.com"],
      disabledInSecondaryCount: 1,
      disabledInSecondary: ["user99@example.com"],
      ready: 96,
    },
    groups: {
      match: "name",
      primary: 12,
      mapped: 12,
      unmappedCount: 0,
      unmapped: [],
      membershipDrift: 0,
      withDrift: 0,
      worst: [],
    },
    apps: { mapped: 0, assignedInPrimary: 0, coveredInSecondary: 0, items: [] },
    requests: { okta: 20, graph: 6, throttled: 0 },
    ...patch,
  };
}
