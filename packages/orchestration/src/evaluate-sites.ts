import {
  type Config,
  type EvaluationReport,
  type EvaluatorDeps,
  evaluateSite,
  readHeartbeats,
  type SiteVerdicts,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";

/*
 * What the evaluate function runs: the evaluator for the sites a probe said changed (an event on the
 * home bus), or for every site (the one-minute schedule, the safety net). Sites run a few at a time;
 * one site's failure is reported and never stops the others.
 */

const probeEventSchema = z.object({
  "detail-type": z.string(),
  detail: z.object({ sites: z.array(z.string()).check(z.minLength(1)), region: z.optional(z.string()) }),
});

/** The sites an invocation asks for: those in a probe's event, or all on the schedule. */
export function sitesToEvaluate(config: Config, event: unknown): string[] {
  const parsed = probeEventSchema.safeParse(event);
  const all = config.sites.map((s) => s.id);
  if (!parsed.success) return all;
  return [...new Set(parsed.data.detail.sites)].filter((site) => all.includes(site));
}

export type SiteOutcome = { site: string; report: EvaluationReport } | { site: string; error: unknown };

/**
 * One pass of the evaluator over `sites`. The probe regions' heartbeats are read once for the pass
 * (a fixed number of reads a site, however many sites); if that read fails, each site reads them
 * itself and reports its own failure.
 */
export async function evaluateSites(
  deps: EvaluatorDeps,
  config: Config,
  sites: readonly string[],
  concurrency = 8,
): Promise<SiteOutcome[]> {
  const outcomes: SiteOutcome[] = [];
  const heartbeats = await readHeartbeats(deps.store, config).catch(() => undefined);
  const options = heartbeats ? { heartbeats } : {};
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sites.length; i = next++) {
      const site = sites[i] as string;
      try {
        outcomes.push({ site, report: await evaluateSite(deps, config, site, options) });
      } catch (error) {
        outcomes.push({ site, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, sites.length)) }, worker));
  return outcomes;
}

/** Seconds since the stalest fresh-or-stale region last reported, over all providers (for the alarm). */
export function oldestResultAgeSeconds(verdicts: SiteVerdicts, now: number, capSeconds = 3600): number {
  let oldest = 0;
  for (const verdict of Object.values(verdicts)) {
    for (const region of verdict.regions) {
      const age = region.lastRoundAt === undefined ? capSeconds : (now - region.lastRoundAt) / 1000;
      oldest = Math.max(oldest, Math.min(capSeconds, age));
    }
  }
  return oldest;
}

/** How long Route 53 took to apply a failover's change, when this evaluation saw it become INSYNC. */
export function dnsChangeSeconds(report: EvaluationReport): number | undefined {
  const insync = report.steps.find((s) => s.transition?.from === "failing-over")?.transition;
  const incident = report.state.incident;
  if (!insync || !incident?.dnsSubmittedAt || !incident.insyncAt) return undefined;
  return (Date.parse(incident.insyncAt) - Date.parse(incident.dnsSubmittedAt)) / 1000;
}
