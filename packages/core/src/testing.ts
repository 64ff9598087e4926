import { type Config, type Policy, parseConfig, type Site } from "./config.js";
import type { ReadinessResult } from "./continuity.js";
import type { DataPlaneEntry, DataPlaneItem } from "./data-plane-answer.js";
import type { VendorMode } from "./monitor.js";
import type { StoredTracker } from "./ports.js";
import type { DecisionContext } from "./state-machine.js";
import {
  type GlobalVerdict,
  globalVerdict,
  observeRound,
  type RegionTracker,
  type RegionVerdict,
  type RegionView,
  type SiteVerdicts,
  summarizeRound,
} from "./verdict.js";

/*
 * Fixtures for tests across packages (`@idp-failover/core/testing`): the one config builder every
 * test starts from, region trackers folded by the real verdict code, and verdicts written the way
 * people say them ("okta down, entra up").
 */

export const testRegions = ["us-east-1", "us-west-2", "eu-west-1"] as const;
/** The hosted zone every test site's login hostname is in. */
export const testZoneName = "example.com";
export const testZoneId = "Z0123456789ABCDEFGHIJ";
export const testTenantId = "00000000-0000-4000-8000-000000000001";
export const testApprover = "U0APPROVER";

/** What a test may choose about its config; everything else is the same in every test. */
export interface TestConfigOptions {
  /** Site ids, each with Okta primary and Entra secondary (see `testSiteInput`). Default: `acme`. */
  sites?: readonly string[];
  regions?: readonly string[];
  policy?: Record<string, unknown>;
  /** Replaces the default: Slack `#idp`, `testApprover` approves. `{}` for none. */
  alerting?: Record<string, unknown>;
  dataPlane?: Record<string, unknown>;
  /** Every site's TTL (default: the schema's). */
  ttl?: number;
  /** The Okta provider's probes (default: the schema's for its kind). */
  oktaProbes?: readonly unknown[];
  /** More providers after the two, `oidc` ones: `oidc1` at idp1.example.net, and so on. */
  extraProviders?: number;
  /** Per site id, keys added to that site's entry: its own `policy`, `alerting`, `tags`. */
  siteSettings?: Record<string, Record<string, unknown>>;
}

/**
 * One site as a config file holds it, named from its id: `login.{id}.example.com` in `testZoneId`, Okta at
 * `https://{id}.okta.com/oauth2/default` behind `{id}.customdomains.okta.com`, Entra (`testTenantId`)
 * behind `{id}-login.azurefd.net`.
 */
export function testSiteInput(id: string, options: TestConfigOptions = {}): Record<string, unknown> {
  return {
    id,
    hostname: `login.${id}.${testZoneName}`,
    hostedZoneId: testZoneId,
    ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
    providers: [
      {
        id: "okta",
        kind: "okta",
        issuer: `https://${id}.okta.com/oauth2/default`,
        dnsTarget: `${id}.customdomains.okta.com`,
        ...(options.oktaProbes ? { probes: options.oktaProbes } : {}),
      },
      { id: "entra", kind: "entra", tenantId: testTenantId, dnsTarget: `${id}-login.azurefd.net` },
      ...Array.from({ length: options.extraProviders ?? 0 }, (_, i) => ({
        id: `oidc${i + 1}`,
        kind: "oidc",
        issuer: `https://idp${i + 1}.example.net`,
        dnsTarget: `idp${i + 1}.example.net`,
      })),
    ],
  };
}

/** The config document, as a config file would hold it. */
export function testConfigInput(options: TestConfigOptions = {}): Record<string, unknown> {
  return {
    regions: [...(options.regions ?? testRegions)],
    ...(options.policy ? { policy: options.policy } : {}),
    alerting: options.alerting ?? { slack: { channel: "#idp", approvers: { users: [testApprover] } } },
    ...(options.dataPlane ? { dataPlane: options.dataPlane } : {}),
    sites: (options.sites ?? ["acme"]).map((id) => ({
      ...testSiteInput(id, options),
      ...options.siteSettings?.[id],
    })),
  };
}

/** The parsed config (`testConfigInput`); a test config the schema refuses is a bug in the test. */
export function testConfig(options: TestConfigOptions = {}): Config {
  const parsed = parseConfig(testConfigInput(options));
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.issues, null, 2)}`);
  return parsed.config;
}

/**
 * A region's tracker after two probe rounds ending at `at`, 10 s apart, both failing (down) or both
 * passing (up), folded by the verdict code itself, so it always has the shape the core expects.
 */
export function testTracker(at: number, down: boolean, policy: Policy = testConfig().policy): RegionTracker {
  const round = (t: number) =>
    summarizeRound(t, [
      {
        probe: "jwks",
        kind: "jwks",
        criticality: "critical",
        ok: !down,
        latencyMs: 41,
        attempts: 1,
        ...(down ? { status: 503, error: { class: "http-5xx" as const, message: "HTTP 503" } } : {}),
      },
    ]);
  return observeRound(observeRound(undefined, round(at - 10_000), policy), round(at), policy);
}

/** A site's stored tracker of one provider in one region (default us-east-1): `testTracker(at, down)`. */
export function testStoredTracker(
  site: string,
  provider: string,
  at: number,
  down: boolean,
  region = "us-east-1",
): StoredTracker {
  return { site, provider, region, tracker: testTracker(at, down) };
}

/** A site's trackers in every test region, okta and entra each down where `down` says, up otherwise. */
export function testTrackers(
  site: string,
  at: number,
  down: { okta?: boolean; entra?: boolean } = {},
): StoredTracker[] {
  return testRegions.flatMap((region) => [
    testStoredTracker(site, "okta", at, down.okta ?? false, region),
    testStoredTracker(site, "entra", at, down.entra ?? false, region),
  ]);
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

/**
 * Verdicts while some probe regions are impaired (their canaries fail since `since`): those regions
 * abstain, the others see `byProvider`, and the quorum rule (2) decides.
 */
export function withImpairedRegions(
  byProvider: Record<string, "up" | "down">,
  impaired: readonly string[],
  since: number,
): SiteVerdicts {
  const out: SiteVerdicts = {};
  for (const [provider, verdict] of Object.entries(byProvider)) {
    const regions: RegionView[] = testRegions.map((region) =>
      impaired.includes(region)
        ? {
            region,
            verdict: "impaired",
            lastRoundAt: since,
            impairedSince: since,
            impairment: "canaries failing: aws-region (no answer within 5000 ms)",
            evidence: [],
          }
        : {
            region,
            verdict,
            lastRoundAt: since,
            ...(verdict === "down" ? { failing: true, failingSince: since } : {}),
            evidence: [],
          },
    );
    out[provider] = globalVerdict(provider, regions, 2);
  }
  return out;
}

/** `verdicts(byProvider)` with one provider degraded in a vendor mode in every region. */
export function withMode(
  byProvider: Record<string, GlobalVerdict>,
  provider: string,
  mode: VendorMode,
): SiteVerdicts {
  const out = verdicts(byProvider);
  const regions: RegionView[] = testRegions.map((region) => ({
    region,
    verdict: "degraded",
    lastRoundAt: 0,
    mode,
    evidence: [],
  }));
  out[provider] = globalVerdict(provider, regions, 2);
  return out;
}

/**
 * A point a run under test stops at (a call that hangs, a process that dies): `arrive()` where it
 * gets there, `await reached` in the test, so the test knows it got there without sleeping.
 */
export function stopPoint(): { reached: Promise<void>; arrive(): void } {
  let arrive: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return { reached, arrive };
}

/**
 * A probe region's data-plane item for a site, written at `at`: okta and entra up and not latched,
 * but for what `okta` and `entra` say.
 */
export function testDataPlaneItem(
  at: number,
  options: {
    site?: string;
    region?: string;
    okta?: Partial<DataPlaneEntry>;
    entra?: Partial<DataPlaneEntry>;
  } = {},
): DataPlaneItem {
  const entry = (patch: Partial<DataPlaneEntry> = {}) => ({
    lastRoundAt: at,
    down: false,
    latched: false,
    ...patch,
  });
  return {
    site: options.site ?? "acme",
    region: options.region ?? "eu-west-1",
    writtenAt: at,
    providers: { okta: entry(options.okta), entra: entry(options.entra) },
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
