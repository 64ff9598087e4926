import {
  type Config,
  type DataPlaneSettings,
  dataPlaneSettingsSchema,
  type Policy,
  type Site,
} from "./config.js";
import { type DataPlaneEntry, type DataPlaneItem, verdictPath } from "./data-plane-answer.js";
import { isLatchedOut, type SiteState } from "./site-state.js";
import type { RegionTracker } from "./verdict.js";

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
  manifestSite,
  parseDataPlaneItem,
  parseVerdictManifest,
  parseVerdictPath,
  verdictManifest,
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
  const ids = new Set([...Object.keys(previous.providers), ...Object.keys(next.providers)]);
  for (const id of ids) {
    const a = previous.providers[id];
    const b = next.providers[id];
    if (!a || !b || a.down !== b.down || a.latched !== b.latched) return true;
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
  path: string;
  healthThreshold: number;
}

/**
 * Which weighted records get health checks. Only the primary's: a record without a health check
 * always counts as healthy, and the secondary at weight 0 is what Route 53 answers with once every
 * non-zero record is unhealthy. Checks cost money per check, so nothing else gets one.
 */
export function healthCheckedRecords(config: Config): HealthCheckedRecord[] {
  if (!dataPlaneSettings(config).enabled) return [];
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
      path: verdictPath(site.id, primary.id),
      healthThreshold: calculatedHealthThreshold(config.regions.length, config.policy.quorum),
    };
  });
}
