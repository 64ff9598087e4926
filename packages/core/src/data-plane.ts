import type { Config, Policy, Site } from "./config.js";
import {
  type DataPlaneEntry,
  type DataPlaneItem,
  verdictPath,
  verdictResource,
  withdrawMarker as withdrawMarkerText,
} from "./data-plane-answer.js";
import { isLatchedOut, type SiteState } from "./site-state.js";
import type { RegionTracker } from "./verdict.js";
import * as z from "./zod-mini.js";

/*
 * The data plane of failover (DESIGN.md "Two paths to the DNS answer"). Each probe region serves a
 * verdict endpoint that Route 53 health checks poll; it answers from a small item the probe in the
 * same region writes after each round, so an incident needs no Route 53 API call and no read outside
 * the region. A calculated health check per site applies the region quorum and is attached to the
 * primary's weighted record: Route 53 then stops answering with the primary on its own.
 *
 * It fails safe. The endpoint answers "withdraw" (HTTP 200 with `withdrawMarker`) only when it knows
 * the provider must go: the state machine latched it out (failed over, failback not yet approved), or
 * this region's fresh verdict is down and another provider here can take over, and automatic changes
 * are not held (frozen, or paused for flapping). Everything else is "keep" (HTTP 404): up, stale,
 * impaired, an unknown site, a wrong secret. The Route 53 checks are *inverted*, so a check that
 * fails (404, a throttle's 429, a timeout, an error) counts as healthy: nothing the endpoint cannot
 * say, and nothing a flood can do to it, withdraws an IdP. See docs/design.md.
 */

/** Route 53 health checkers' regions (HealthCheckRegion in the API); a check uses at least three. */
export const healthCheckerRegions = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

export const dataPlaneSettingsSchema = z.strictObject({
  /** Route 53 health checks on the verdict endpoints. Off: failover only through the Route 53 API. */
  enabled: z._default(z.boolean(), true),
  /** 30 (standard) or 10 (fast: about 20 s sooner, and an extra charge per health check). */
  healthCheckIntervalSeconds: z._default(z.union([z.literal(10), z.literal(30)]), 30),
  /**
   * Answers in a row before one Route 53 checker changes its view (both ways). At least 2: one
   * answer alone never moves traffic. Each step above 1 delays the data plane by one interval.
   */
  failureThreshold: z._default(
    z
      .number()
      .check(z.int(), z.gte(2, { error: "at least 2: a single answer must never move traffic" }), z.lte(10)),
    2,
  ),
  /**
   * Also require the withdraw marker in the body (HTTPS_STR_MATCH, one more billed option per
   * check). Off: a 2xx alone withdraws, which only the endpoint's withdraw answer gives.
   */
  matchString: z._default(z.boolean(), false),
  /** Where Route 53's checkers run; each checker region polls every endpoint, so fewer is cheaper. */
  checkerRegions: z._default(
    z
      .array(z.enum(healthCheckerRegions))
      .check(z.minLength(3, { error: "Route 53 needs at least three health checker regions" })),
    ["us-east-1", "us-west-2", "eu-west-1"],
  ),
});
export type DataPlaneSettings = z.infer<typeof dataPlaneSettingsSchema>;

export const defaultDataPlaneSettings: DataPlaneSettings = dataPlaneSettingsSchema.parse({});

export function dataPlaneSettings(config: Pick<Config, "dataPlane">): DataPlaneSettings {
  return config.dataPlane ?? defaultDataPlaneSettings;
}

export type {
  DataPlaneAnswer,
  DataPlaneEntry,
  DataPlaneItem,
  VerdictManifest,
} from "./data-plane-answer.js";
export {
  dataPlaneAnswer,
  manifestSite,
  parseDataPlaneItem,
  parseVerdictManifest,
  parseVerdictPath,
  verdictManifest,
  verdictPath,
  verdictResource,
  withdrawMarker,
} from "./data-plane-answer.js";

/**
 * The data-plane item for a site after a round: each provider's region verdict (from the tracker
 * this region keeps: down, impaired, its vendor mode) and, from the site's state, the latch and
 * whether automatic changes are held (frozen, or paused for flapping). Without a state (never
 * evaluated, or the home region unreachable and nothing cached) nothing is latched or held.
 */
export function dataPlaneItem(
  site: Site,
  region: string,
  trackerOf: (provider: string) => RegionTracker | undefined,
  state: SiteState | undefined,
  now: number,
): DataPlaneItem {
  const providers: Record<string, DataPlaneEntry> = {};
  for (const provider of site.providers) {
    const tracker = trackerOf(provider.id);
    const latched = state !== undefined && isLatchedOut(state, provider.id);
    if (!tracker && !latched) continue;
    providers[provider.id] = {
      lastRoundAt: tracker?.lastRoundAt ?? 0,
      down: tracker?.down ?? false,
      latched,
      ...(tracker && tracker.impairedSince !== null ? { impaired: true } : {}),
      ...(tracker?.mode ? { mode: tracker.mode } : {}),
    };
  }
  const hold = state !== undefined && (state.state === "frozen" || state.paused !== undefined);
  return { site: site.id, region, writtenAt: now, providers, ...(hold ? { hold: true } : {}) };
}

/**
 * Whether the probe must write the item now: on any change of `down` or `latched`, and otherwise
 * often enough that the endpoint never sees it go stale (three writes per stale period). A write
 * every other round instead of every round halves the data plane's DynamoDB cost.
 */
export function dataPlaneWriteDue(
  previous: DataPlaneItem | undefined,
  next: DataPlaneItem,
  policy: Policy,
): boolean {
  if (!previous) return true;
  if (next.writtenAt - previous.writtenAt >= (policy.staleAfterSeconds * 1000) / 3) return true;
  if ((previous.hold ?? false) !== (next.hold ?? false)) return true;
  const ids = new Set([...Object.keys(previous.providers), ...Object.keys(next.providers)]);
  for (const id of ids) {
    const a = previous.providers[id];
    const b = next.providers[id];
    if (!a || !b || a.down !== b.down || a.latched !== b.latched) return true;
    if ((a.impaired ?? false) !== (b.impaired ?? false) || a.mode !== b.mode) return true;
  }
  return false;
}

/**
 * Route 53's calculated health check is healthy while at least `HealthThreshold` children are. The
 * provider must count as unhealthy once `quorum` regions say down, so the threshold is one more than
 * the regions that may say down without acting: regions - quorum + 1 (3 regions, quorum 2 -> 2).
 */
export function calculatedHealthThreshold(regions: number, quorum: number): number {
  return Math.max(1, regions - quorum + 1);
}

/** One health-checked record: the provider traffic must be able to leave (the primary). */
export interface HealthCheckedRecord {
  site: string;
  hostname: string;
  hostedZoneId: string;
  provider: string;
  setIdentifier: string;
  /** One HTTPS check per probe region on that region's verdict endpoint. */
  regions: string[];
  /** The verdict resource, without the deployment's secret (`verdictPath` puts it in front). */
  path: string;
  healthThreshold: number;
  /** The checks are inverted: a check that succeeds (the endpoint said withdraw) is unhealthy. */
  inverted: true;
  /** With `dataPlane.matchString`, what the body must contain for the check to succeed. */
  searchString?: string;
}

/** Route 53's ResourcePath limit (the API model's `max`); verdict paths are kept well below it. */
export const maxResourcePathLength = 255;

/**
 * Which weighted records get health checks. Only the primary's: a record without a health check
 * always counts as healthy, and the secondary at weight 0 is what Route 53 answers with once every
 * non-zero record is unhealthy. Checks cost money per check, so nothing else gets one.
 */
export function healthCheckedRecords(config: Config): HealthCheckedRecord[] {
  const settings = dataPlaneSettings(config);
  if (!settings.enabled) return [];
  return config.sites.map((site) => {
    const primary = site.providers[0];
    if (!primary) throw new Error(`site ${site.id} has no providers`);
    return {
      site: site.id,
      hostname: site.hostname,
      hostedZoneId: site.hostedZoneId,
      provider: primary.id,
      setIdentifier: primary.setIdentifier,
      regions: [...config.regions],
      path: verdictResource(site.id, primary.id),
      healthThreshold: calculatedHealthThreshold(config.regions.length, config.policy.quorum),
      inverted: true,
      ...(settings.matchString ? { searchString: withdrawMarkerText } : {}),
    };
  });
}

export class VerdictSecretError extends Error {
  override name = "VerdictSecretError";
}

/**
 * The resource path a health check requests, with the deployment's secret checked: at least 16
 * URL-safe characters (`openssl rand -hex 32` gives 64), and a path within Route 53's limit.
 */
export function checkedVerdictPath(site: string, provider: string, secret: string): string {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(secret)) {
    throw new VerdictSecretError(
      'the VerdictPathSecret must be 16-128 letters, digits, - or _; set one with `npx sst secret set VerdictPathSecret "$(openssl rand -hex 32)"`',
    );
  }
  const path = verdictPath(site, provider, secret);
  if (path.length > maxResourcePathLength) {
    throw new VerdictSecretError(
      `the verdict path of ${site}/${provider} is ${path.length} characters, over Route 53's ${maxResourcePathLength}: use a shorter VerdictPathSecret`,
    );
  }
  return path;
}
