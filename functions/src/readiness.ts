import {
  readinessPorts,
  readinessRunEventSchema,
  runSiteReadiness,
} from "@idp-failover/orchestration/readiness-run";
import { deployment } from "../wiring/deployment.js";
import { scheduledRun } from "../wiring/idempotency.js";
import { createLogger, lambdaHandler } from "../wiring/observability.js";

/*
 * readiness: a site's daily identity continuity readiness run (one CronV2 per site passes
 * `{ site, scheduledAt }`): Okta and Entra read, compared, stored in the home table; a readiness-low
 * alert below the minimum. Idempotent on the schedule's firing: a duplicate delivery reads nothing twice.
 */

const logger = createLogger();
const { config, home, secret, redactor } = deployment();
const { aws, idempotency } = scheduledRun({ ...home, redactor }, "readiness", "[site, scheduledAt]");

export class ReadinessRunError extends Error {
  override name = "ReadinessRunError";
}

export const handler = lambdaHandler({ logger, use: [idempotency] }, async (event: unknown) => {
  const { site } = readinessRunEventSchema.parse(event);
  const outcome = await runSiteReadiness(config, site, readinessPorts(config, aws, secret));
  if ("error" in outcome) throw new ReadinessRunError(`readiness of ${site}: ${outcome.error}`);
  const { status, readinessPct, mode } = outcome.result;
  logger.info("readiness", { site, status, readinessPct, mode, alert: outcome.alert });
  // An idempotent handler returns a value: Middy runs the handler again when the stored result is undefined.
  return { site, status, readinessPct, mode };
});
