import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import {
  dnsChangeSeconds,
  oldestResultAgeSeconds,
  type SiteOutcome,
} from "@idp-failover/orchestration/evaluate-sites";
import type { ProbeMessageOutcome } from "@idp-failover/orchestration/probe-round";
import { MetricUnit, metricNames } from "./observability.js";

/*
 * What each use case's outcome means in logs and metrics. The handlers stay wiring; the words and
 * figures an operator reads in CloudWatch are decided here, in one place.
 */

export function recordProbeMessage(outcome: ProbeMessageOutcome, logger: Logger, metrics: Metrics): void {
  switch (outcome.kind) {
    case "malformed":
      logger.error("dropping a malformed tick message", { body: outcome.body });
      return;
    case "failed":
      logger.error("probe round failed", { tick: outcome.tick, error: outcome.error });
      return;
    case "duplicate":
      return;
    case "probed":
      for (const r of outcome.round.results)
        metrics.addMetric(metricNames.probeLatency, MetricUnit.Milliseconds, r.latencyMs);
      if (outcome.recorded.changes.length > 0)
        metrics.addMetric(
          metricNames.regionVerdictChanges,
          MetricUnit.Count,
          outcome.recorded.changes.length,
        );
      if (outcome.wakeError) logger.warn("could not wake the evaluator", { error: outcome.wakeError });
  }
}

/** Logs each site's transitions and deferred effects; publishes the evaluator's figures. Returns the failed sites. */
export function recordEvaluations(
  outcomes: readonly SiteOutcome[],
  now: number,
  logger: Logger,
  metrics: Metrics,
): string[] {
  let oldest = 0;
  const failed: string[] = [];
  for (const outcome of outcomes) {
    if ("error" in outcome) {
      logger.error("evaluation failed", { site: outcome.site, error: outcome.error });
      failed.push(outcome.site);
      continue;
    }
    const { report } = outcome;
    const keys = { site: report.site, incident: report.state.incident?.id };
    for (const step of report.steps)
      if (step.transition) logger.info("transition", { ...keys, ...step.transition });
    for (const error of report.effectErrors) logger.warn("effect deferred", { ...keys, error });
    const transitions = report.steps.filter((s) => s.transition).length;
    if (transitions > 0) metrics.addMetric(metricNames.transitions, MetricUnit.Count, transitions);
    const dnsSeconds = dnsChangeSeconds(report);
    if (dnsSeconds !== undefined)
      metrics.addMetric(metricNames.dnsChangeSeconds, MetricUnit.Seconds, dnsSeconds);
    oldest = Math.max(oldest, oldestResultAgeSeconds(report.verdicts, now));
  }
  metrics.addMetric(metricNames.probeResultAgeSeconds, MetricUnit.Seconds, oldest);
  return failed;
}
