import { createAwsAdapters } from "@idp-failover/aws";
import type { EvaluatorDeps } from "@idp-failover/core";
import {
  dnsChangeSeconds,
  evaluateSites,
  homeEvaluator,
  oldestResultAgeSeconds,
  sitesToEvaluate,
} from "@idp-failover/orchestration";
import { deployment } from "../wiring/deployment.js";
import { createLogger, createMetrics, MetricUnit, metricNames } from "../wiring/observability.js";

/*
 * evaluate: the evaluator in the home region, on a one-minute schedule (the safety net) and on the
 * probes' "verdicts changed" events. Throws when a site failed, so the "evaluator errors" alarm sees it.
 */

const logger = createLogger();
const metrics = createMetrics();
let deps: EvaluatorDeps | undefined;

export class EvaluationFailedError extends Error {
  override name = "EvaluationFailedError";
}

function wire(): EvaluatorDeps {
  const { config, home } = deployment();
  return homeEvaluator(config, createAwsAdapters(home));
}

export async function handler(event: unknown): Promise<void> {
  deps ??= wire();
  const { config } = deployment();
  const outcomes = await evaluateSites(deps, config, sitesToEvaluate(config, event));
  let oldest = 0;
  for (const outcome of outcomes) {
    if ("error" in outcome) {
      logger.error("evaluation failed", { site: outcome.site, error: outcome.error });
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
    oldest = Math.max(oldest, oldestResultAgeSeconds(report.verdicts, deps.clock.now()));
  }
  metrics.addMetric(metricNames.probeResultAgeSeconds, MetricUnit.Seconds, oldest);
  metrics.publishStoredMetrics();
  const failed = outcomes.filter((o) => "error" in o).map((o) => o.site);
  if (failed.length > 0) throw new EvaluationFailedError(`evaluation failed for ${failed.join(", ")}`);
}
