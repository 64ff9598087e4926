import {
  type Config,
  loadVerdicts,
  mapConcurrent,
  type ReadinessLook,
  type ReadinessStore,
  readHeartbeats,
  type Site,
  type SiteSummary,
  type Store,
  summarizeSite,
  troubleFirst,
} from "@idp-failover/core";

/*
 * Every site in one line each (`idpctl status` without --site, the dashboard), the ones in trouble
 * first. Reads what the evaluator reads and nothing more, so a thousand sites stay cheap: the region
 * heartbeats once per pass, then per site its state item (GetItem) and its trackers (one Query), and
 * its last readiness (GetItem) only for a site with continuity: 2 DynamoDB calls a site, 3 with
 * continuity, plus 1. Route 53 is not asked: its API is throttled per account (10 requests a second,
 * bursts of 50, shared with the evaluator's changes during an incident), so 1,000 sites would take
 * minutes and compete with a failover. The weights shown are the state's; `idpctl status --site S`
 * compares them with Route 53's.
 */

export interface SiteOverviewDeps {
  store: Store;
  readiness?: Pick<ReadinessStore, "latest">;
}

export interface SiteOverviewOptions {
  /** Which sites (default: every site of the config), in the config's order. */
  sites?: readonly Site[];
  now: number;
  /** Sites read at once. Default 16. */
  concurrency?: number;
}

export async function readSiteOverview(
  deps: SiteOverviewDeps,
  config: Config,
  options: SiteOverviewOptions,
): Promise<SiteSummary[]> {
  const heartbeats = await readHeartbeats(deps.store, config);
  const summaries = await mapConcurrent(
    options.sites ?? config.sites,
    options.concurrency ?? 16,
    async (site) => {
      const [stored, verdicts, readiness] = await Promise.all([
        deps.store.loadState(site.id),
        loadVerdicts(deps.store, config, site, options.now, heartbeats),
        site.continuity && deps.readiness
          ? lastReadiness(deps.readiness, site.id)
          : Promise.resolve(undefined),
      ]);
      return summarizeSite(site, stored, verdicts, readiness);
    },
  );
  return troubleFirst(summaries);
}

async function lastReadiness(store: Pick<ReadinessStore, "latest">, site: string): Promise<ReadinessLook> {
  try {
    return (await store.latest(site)) ?? null;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
