import {
  type Config,
  dataPlaneSettings,
  dataPlaneSites,
  type Policy,
  primaryPathTarget,
  type Site,
} from "./config.js";
import {
  type DataPlaneEntry,
  type DataPlaneItem,
  sharedVerdictResource,
  type VerdictManifest,
  verdictManifest,
  verdictPath,
  verdictResource,
  withdrawMarker,
} from "./data-plane-answer.js";
import { isLatchedOut, type SiteState } from "./site-state.js";
import type { RegionTracker } from "./verdict.js";

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
 * say, and nothing a flood can do to it, withdraws an IdP. Sites whose primaries share a path share
 * its checks, which withdraw only when every member's answer is withdraw. See docs/design.md.
 */

/** The verdict manifest the stacks link into the verdict function, with the paths sites share. */
export function deployedVerdictManifest(config: Config): VerdictManifest {
  const shared = healthCheckedPaths(config).filter((p) => p.members.length > 1);
  const manifest = verdictManifest(config);
  return shared.length === 0
    ? manifest
    : { ...manifest, sharedPaths: shared.map(({ target, members }) => ({ target, members })) };
}

export type {
  DataPlaneAnswer,
  DataPlaneEntry,
  DataPlaneItem,
  VerdictManifest,
  VerdictTarget,
} from "./data-plane-answer.js";
export {
  dataPlaneAnswer,
  dataPlaneEntrySchema,
  dataPlaneItemSchema,
  manifestSite,
  manifestStaleness,
  parseVerdictManifest,
  parseVerdictPath,
  sharedPathAnswer,
  sharedVerdictResource,
  verdictManifest,
  verdictManifestSchema,
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
 * Whether the probe must write the item now: on any change of what the endpoint answers from (down,
 * latched, impaired, a vendor mode, a hold), and, while some provider is down here, often enough that
 * the endpoint never sees that verdict go stale (three writes per stale period): a withdraw answer
 * needs fresh verdicts. An item that says up, or latched, needs no refreshing: a stale "up" is
 * answered as an abstention, which is the same "keep", and the latch holds however old it is. So a
 * quiet region writes nothing at all, and a region whose probe dies while it says down stops
 * withdrawing once the stale period is over.
 */
export function dataPlaneWriteDue(
  previous: DataPlaneItem | undefined,
  next: DataPlaneItem,
  policy: Pick<Policy, "staleAfterSeconds">,
): boolean {
  if (!previous) return true;
  if ((previous.hold ?? false) !== (next.hold ?? false)) return true;
  const ids = new Set([...Object.keys(previous.providers), ...Object.keys(next.providers)]);
  for (const id of ids) {
    const a = previous.providers[id];
    const b = next.providers[id];
    if (!a || !b || a.down !== b.down || a.latched !== b.latched) return true;
    if ((a.impaired ?? false) !== (b.impaired ?? false) || a.mode !== b.mode) return true;
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
  /** The verdict resource, per site and provider for one member, per path when shared; without the
   * deployment's secret (`checkedVerdictPath` puts it in front). */
  path: string;
  healthThreshold: number;
  /** The checks are inverted: a check that succeeds (the endpoint said withdraw) is unhealthy. */
  inverted: true;
  /** With `dataPlane.matchString`, what the body must contain for the check to succeed. */
  searchString?: string;
}

/**
 * Which weighted records get health checks. Only the primary's: a record without a health check
 * always counts as healthy, and the secondary at weight 0 is what Route 53 answers with once every
 * non-zero record is unhealthy. Checks cost money per check and count against the account's quota,
 * so nothing else gets one, and sites whose primaries share a path share its checks.
 */
export function healthCheckedPaths(config: Config): HealthCheckedPath[] {
  const settings = dataPlaneSettings(config);
  const byTarget = new Map<string, HealthCheckedPath["members"]>();
  /** Sites sharing a path act together: the strictest quorum among them decides. */
  const quorumOf = new Map<string, number>();
  for (const site of dataPlaneSites(config)) {
    const target = primaryPathTarget(site);
    const members = byTarget.get(target) ?? [];
    members.push({ site: site.id, provider: site.providers[0]?.id ?? "" });
    byTarget.set(target, members);
    quorumOf.set(target, Math.max(quorumOf.get(target) ?? 0, site.policy.quorum));
  }
  return [...byTarget].map(([target, members]) => {
    const only = members.length === 1 ? members[0] : undefined;
    return {
      target,
      members,
      regions: [...config.regions],
      path: only ? verdictResource(only.site, only.provider) : sharedVerdictResource(target),
      healthThreshold: calculatedHealthThreshold(
        config.regions.length,
        quorumOf.get(target) ?? config.policy.quorum,
      ),
      inverted: true as const,
      ...(settings.matchString ? { searchString: withdrawMarker } : {}),
    };
  });
}

/** Route 53's ResourcePath limit (the API model's `max`); verdict paths are kept well below it. */
export const maxResourcePathLength = 255;

export class VerdictSecretError extends Error {
  override name = "VerdictSecretError";
}

/**
 * The resource path a health check requests, with the deployment's secret checked: at least 16
 * URL-safe characters (`openssl rand -hex 32` gives 64), and a path within Route 53's limit.
 */
export function checkedVerdictPath(resource: string, secret: string): string {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(secret)) {
    throw new VerdictSecretError(
      'the VerdictPathSecret must be 16-128 letters, digits, - or _; set one with `npx sst secret set VerdictPathSecret "$(openssl rand -hex 32)"`',
    );
  }
  const path = verdictPath(resource, secret);
  if (path.length > maxResourcePathLength) {
    throw new VerdictSecretError(
      `the verdict path ${resource} is ${path.length} characters with the secret, over Route 53's ${maxResourcePathLength}: use a shorter VerdictPathSecret`,
    );
  }
  return path;
}
