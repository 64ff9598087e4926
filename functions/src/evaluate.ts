import { evaluateSites, sitesToEvaluate } from "@idp-failover/orchestration/evaluate-sites";
import { deployment } from "../wiring/deployment.js";
import { homePorts } from "../wiring/home-ports.js";
import { createLogger, createMetrics, lambdaHandler } from "../wiring/observability.js";
import { recordEvaluations } from "../wiring/telemetry.js";

/*
 * evaluate: the evaluator in the home region, on a one-minute schedule (the safety net) and on the
 * probes' "verdicts changed" events. Throws when a site failed, so the "evaluator errors" alarm sees
 * it. Not idempotent by middleware: every write is conditional on the site's version, so a retry
 * decides again on fresh verdicts and never repeats an effect.
 */

const logger = createLogger();
const metrics = createMetrics(logger);
let home: ReturnType<typeof homePorts> | undefined;

export class EvaluationFailedError extends Error {
  override name = "EvaluationFailedError";
}

export const handler = lambdaHandler({ logger, metrics }, async (event: unknown) => {
  const { config } = deployment();
  home ??= homePorts(deployment());
  const outcomes = await evaluateSites(home.evaluator, config, sitesToEvaluate(config, event));
  const failed = recordEvaluations(outcomes, home.evaluator.clock.now(), logger, metrics);
  if (failed.length > 0) throw new EvaluationFailedError(`evaluation failed for ${failed.join(", ")}`);
});
