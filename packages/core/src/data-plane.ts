import type { Config, Policy, Site } from "./config.js";
import {
  type DataPlaneEntry,
  type DataPlaneItem,
  sharedVerdictPath,
  type VerdictManifest,
  verdictManifest,
  verdictPath,
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
 * What the endpoint says, per site and provider:
 *   404  the site or provider is not in the config (a health check pointed at the wrong path);
 *   503  the state machine has latched the provider out (failed over, failback not yet approved), or
 *        this region's fresh verdict is `down`;
 *   200  otherwise, including "no fresh verdict here": a silent region abstains, as it does in the
 *        quorum, because missing data is not an outage.
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

/** The verdict manifest the stacks link into the verdict function, with the paths sites share. */
export function deployedVerdictManifest(config: Config): VerdictManifest {
  const shared = healthCheckedPaths(config).filter((p) => p.members.length > 1);
  const manifest = verdictManifest(config);
  return shared.length === 0
    ? manifest
    : { ...manifest, sharedPaths: shared.map(({ target, members }) => ({ target, members })) };
}

/** How to raise Route 53's health-check quota (Route 53 Developer Guide, "Quotas", checked 2026-12-04). */
export const healthCheckQuotaHint =
  "request a higher quota in the Service Quotas console, region us-east-1, service Amazon Route 53 " +
  "(https://console.aws.amazon.com/servicequotas/home?region=us-east-1#!/services/route53/quotas), " +
  "then set dataPlane.healthCheckQuota to it";

/**
 * The deployment's health checks against the account's quota: an issue when they cannot all be
 * created (the deploy would stop at TooManyHealthChecks), a warning above 80% (the account's other
 * health checks count too).
 */
export function healthCheckQuotaIssue(
  config: Config,
): { severity: "error" | "warning"; message: string; hint: string } | undefined {
  const quota = dataPlaneSettings(config).healthCheckQuota;
  const { total, https, calculated } = healthChecksNeeded(config);
  const counted = `${total} Route 53 health checks (${https} HTTPS, ${calculated} calculated) of the account's quota of ${quota}`;
  if (total > quota) return { severity: "error", message: `needs ${counted}`, hint: healthCheckQuotaHint };
  if (total > quota * 0.8) {
    return {
      severity: "warning",
      message: `needs ${counted}; the account's other health checks count too`,
      hint: healthCheckQuotaHint,
    };
  }
  return undefined;
}

/** Route 53's default quota of active health checks per AWS account (Route 53 Developer Guide, "Quotas"). */
export const defaultHealthCheckQuota = 200;

export const dataPlaneSettingsSchema = z.strictObject({
  /** Route 53 health checks on the verdict endpoints. Off: failover only through the Route 53 API. */
  enabled: z._default(z.boolean(), true),
  /** 30 (standard) or 10 (fast: about 20 s sooner, and an extra charge per health check). */
  healthCheckIntervalSeconds: z._default(z.union([z.literal(10), z.literal(30)]), 30),
  /** Failed requests in a row before one Route 53 checker calls an endpoint unhealthy. */
  failureThreshold: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 1),
  /**
   * The account's quota of active Route 53 health checks (200 unless raised): validate and cost count
   * this deployment's checks against it. Raise it in Service Quotas (us-east-1, Amazon Route 53).
   */
  healthCheckQuota: z._default(z.number().check(z.int(), z.gte(1)), defaultHealthCheckQuota),
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
  DataPlaneStatus,
  VerdictManifest,
} from "./data-plane-answer.js";
export {
  dataPlaneAnswer,
  dataPlaneEntrySchema,
  dataPlaneItemSchema,
  manifestSite,
  parseVerdictManifest,
  parseVerdictPath,
  sharedPathAnswer,
  sharedVerdictPath,
  verdictManifest,
  verdictManifestSchema,
  verdictPath,
} from "./data-plane-answer.js";

/**
 * The data-plane item for a site after a round: each provider's region verdict (from the tracker
 * this region keeps) and the latch read from the site's state. Without a state (never evaluated, or
 * the home region unreachable and nothing cached) nothing is latched.
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
    };
  }
  return { site: site.id, region, writtenAt: now, providers };
}

/**
 * Whether the probe must write the item now: on any change of `down` or `latched`, and, while some
 * provider is down here, often enough that the endpoint never sees that verdict go stale (three writes
 * per stale period). An item that says up, or latched, needs no refreshing: a stale "up" is answered
 * as an abstention, which is the same 200, and the latch holds however old it is. So a quiet region
 * writes nothing at all, and a region whose probe dies while it says down stops failing the check
 * once the stale period is over.
 */
export function dataPlaneWriteDue(
  previous: DataPlaneItem | undefined,
  next: DataPlaneItem,
  policy: Pick<Policy, "staleAfterSeconds">,
): boolean {
  if (!previous) return true;
  const ids = new Set([...Object.keys(previous.providers), ...Object.keys(next.providers)]);
  for (const id of ids) {
    const a = previous.providers[id];
    const b = next.providers[id];
    if (!a || !b || a.down !== b.down || a.latched !== b.latched) return true;
  }
  const anyDown = Object.values(next.providers).some((entry) => entry.down);
  return anyDown && next.writtenAt - previous.writtenAt >= (policy.staleAfterSeconds * 1000) / 3;
}

/**
 * Route 53's calculated health check is healthy while at least `HealthThreshold` children are. The
 * provider must count as unhealthy once `quorum` regions say down, so the threshold is one more than
 * the regions that may say down without acting: regions - quorum + 1 (3 regions, quorum 2 -> 2).
 */
export function calculatedHealthThreshold(regions: number, quorum: number): number {
  return Math.max(1, regions - quorum + 1);
}

/**
 * One health-checked path: the primary's path of one or more sites (their primary's `dnsTarget`).
 * Sites whose primaries share a path share its checks: one HTTPS check per probe region and one
 * calculated check, attached to each of those sites' primary records. What the shared check answers is
 * `sharedPathAnswer`'s rule (docs/deploy.md, "Route 53 health checks").
 */
export interface HealthCheckedPath {
  /** The path's name: the primaries' `dnsTarget`, lowercase, without a trailing dot. */
  target: string;
  /** The sites (and their primary) whose records carry this path's calculated check. */
  members: Array<{ site: string; provider: string }>;
  /** One HTTPS check per probe region on that region's verdict endpoint. */
  regions: string[];
  /** The verdict endpoint's path: per site and provider for one member, per path when shared. */
  path: string;
  healthThreshold: number;
}

/**
 * Which weighted records get health checks. Only the primary's: a record without a health check
 * always counts as healthy, and the secondary at weight 0 is what Route 53 answers with once every
 * non-zero record is unhealthy. Checks cost money per check and count against the account's quota,
 * so nothing else gets one, and sites whose primaries share a path share its checks.
 */
export function healthCheckedPaths(config: Config): HealthCheckedPath[] {
  if (!dataPlaneSettings(config).enabled) return [];
  const byTarget = new Map<string, HealthCheckedPath["members"]>();
  for (const site of config.sites) {
    const primary = site.providers[0];
    if (!primary) throw new Error(`site ${site.id} has no providers`);
    const target = primary.dnsTarget.toLowerCase().replace(/\.$/, "");
    const members = byTarget.get(target) ?? [];
    members.push({ site: site.id, provider: primary.id });
    byTarget.set(target, members);
  }
  return [...byTarget].map(([target, members]) => {
    const only = members.length === 1 ? members[0] : undefined;
    return {
      target,
      members,
      regions: [...config.regions],
      path: only ? verdictPath(only.site, only.provider) : sharedVerdictPath(target),
      healthThreshold: calculatedHealthThreshold(config.regions.length, config.policy.quorum),
    };
  });
}

/** The health checks a deployment creates: per path, one per probe region and one calculated. */
export function healthChecksNeeded(config: Config): { https: number; calculated: number; total: number } {
  const paths = healthCheckedPaths(config);
  const https = paths.reduce((n, p) => n + p.regions.length, 0);
  return { https, calculated: paths.length, total: https + paths.length };
}
