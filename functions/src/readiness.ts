import { createAwsAdapters } from "@idp-failover/aws";
import { readinessPorts, runSiteReadiness } from "@idp-failover/orchestration/readiness-run";
import { deployment } from "../wiring/deployment.js";
import { createLogger } from "../wiring/observability.js";

/*
 * readiness: a site's daily identity continuity readiness run (one CronV2 per site passes `{site}`):
 * Okta and Entra read, compared, stored in the home table; a readiness-low alert below the minimum.
 */

const logger = createLogger();

export class ReadinessRunError extends Error {
  override name = "ReadinessRunError";
}

export async function handler(event: { site?: unknown } = {}): Promise<void> {
  const { config, home, secret } = deployment();
  const aws = createAwsAdapters(home);
  try {
    const site = typeof event.site === "string" ? event.site : "";
    const outcome = await runSiteReadiness(config, site, readinessPorts(config, aws, secret));
    if ("error" in outcome) throw new ReadinessRunError(`readiness of ${site}: ${outcome.error}`);
    const { result, alert } = outcome;
    logger.info("readiness", {
      site,
      status: result.status,
      readinessPct: result.readinessPct,
      mode: result.mode,
      alert,
    });
  } finally {
    aws.destroy();
  }
}
