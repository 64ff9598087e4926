import {
  type Config,
  mapConcurrent,
  monitorSettings,
  type ProbeResult,
  type ProbeRound,
  type ResolvedProbe,
  siteDueAt,
} from "@idp-failover/core";
import { checkCanaries } from "./canaries.js";
import type { ProbeTarget } from "./probe-context.js";
import type { ProbeMemory } from "./probe-memory.js";
import {
  executeProbe,
  type ProbePolicy,
  prepareFor,
  probeEnvironment,
  targetOf,
  toResult,
} from "./run-probe.js";
import type { SecretSource } from "./secrets.js";

/*
 * One region's round: every probe of every provider of every site, concurrently under a cap, sharing
 * the round's documents, all stamped with the round's start, and beside them the region's own canaries
 * (its network and clock, see canaries.ts). The probe Lambda, `idpctl run`, the local drill and
 * `idpctl probe` all run rounds through here.
 */

export interface RegionRoundOptions {
  /** The label results carry: the AWS region, or any name for a local worker. */
  region: string;
  /** Round start, epoch ms; now when absent. */
  at?: number;
  secrets: SecretSource;
  /**
   * Probes in flight at once. Default 32: enough to finish 400 probes well inside a 10 s cadence, few
   * enough that event-loop contention does not inflate the latencies the probes measure.
   */
  concurrency?: number;
  /** Extra PEM CA certificate(s) to trust on top of the default store. */
  ca?: string;
  /** Only these sites / providers (ids); all when absent. */
  sites?: readonly string[];
  providers?: readonly string[];
  /**
   * `due` (default): only the sites whose cadence has a round at `at` (a site with a longer cadence
   * than the deployment's runs on every k-th tick); `all`: every site, whatever its cadence (a probe by hand).
   */
  cadence?: "due" | "all";
  /** Skip the region's canaries (a single probe run by hand). Default false. */
  skipCanaries?: boolean;
  /** Rate-limit budgets, tokens and SDK clients kept between rounds; pass the same one every round. */
  memory?: ProbeMemory;
  /** The clock (epoch ms): the round's start when `at` is absent, token and certificate expiry. */
  now: () => number;
}

interface PlannedProbe {
  site: string;
  provider: string;
  spec: ResolvedProbe;
  target: ProbeTarget;
  /** The site's own timeouts, confirm retries and latency budget. */
  policy: ProbePolicy;
}

export async function runRegionRound(config: Config, options: RegionRoundOptions): Promise<ProbeRound> {
  const at = options.at ?? options.now();
  const env = probeEnvironment({ ...options, policy: config.policy });
  const planned = planRound(config, {
    ...options,
    ...(options.cadence === "all" ? {} : { dueAt: at }),
  });
  await prepareFor(planned.map((p) => p.spec));
  // Started first, outside the probes' concurrency cap: a big round must not delay the canaries.
  const health = options.skipCanaries
    ? undefined
    : checkCanaries(monitorSettings(config), options.region, {
        http: env.http,
        policy: env.policy,
        now: options.now,
      });
  const results = await mapConcurrent(
    planned,
    options.concurrency ?? 32,
    async (probe): Promise<ProbeResult> => {
      const outcome = await executeProbe(probe.spec, probe.target, env, probe.policy);
      return toResult(outcome, probe.spec, {
        site: probe.site,
        provider: probe.provider,
        region: options.region,
        at,
      });
    },
  );
  return { region: options.region, at, results, ...(health ? { health: await health } : {}) };
}

/**
 * Loads what the config's probes need (the Okta SDK takes about a second) ahead of the first round:
 * call it at start-up, outside a Lambda handler's clock. Rounds do it themselves when needed.
 */
export async function prepareRound(config: Config): Promise<void> {
  await prepareFor(planRound(config).map((p) => p.spec));
}

/** The round's probes, in config order; with `dueAt`, of the sites whose cadence has a round then. */
export function planRound(
  config: Config,
  filters: { sites?: readonly string[]; providers?: readonly string[]; dueAt?: number } = {},
): PlannedProbe[] {
  const planned: PlannedProbe[] = [];
  for (const site of config.sites) {
    if (filters.sites && !filters.sites.includes(site.id)) continue;
    if (filters.dueAt !== undefined && !siteDueAt(site, filters.dueAt, config.policy.cadenceSeconds))
      continue;
    for (const provider of site.providers) {
      if (filters.providers && !filters.providers.includes(provider.id)) continue;
      const target = targetOf(provider);
      for (const spec of provider.probes)
        planned.push({ site: site.id, provider: provider.id, spec, target, policy: site.policy });
    }
  }
  return planned;
}
