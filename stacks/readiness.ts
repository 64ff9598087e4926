import { functionSizing } from "@idp-failover/core";
import { functionDefaults, sizedFunction, tableActions } from "./defaults";
import { secretsFor } from "./secrets";
import { type SiteConfig, secretRefs } from "./site-config";
import type { Storage } from "./storage";

/*
 * Identity continuity readiness (docs/readiness.md): one function that reads a site's Okta primary
 * and Entra secondary with their SDKs (installed beside the bundle, as the probes do), and one
 * CronV2 a day per site with `continuity`, each passing `{site}`, spread over 04:00-05:59 UTC so a
 * deployment's sites do not all read at once. Only this function gets the readiness credentials.
 */
export function readiness(site: SiteConfig, storage: Storage) {
  const { config } = site;
  const sites = config.sites.filter((s) => s.continuity);
  if (sites.length === 0) return undefined;
  const sizing = functionSizing(config).readiness;
  const fn = sizedFunction("Readiness", sizing, {
    nodejs: {
      ...functionDefaults.nodejs,
      install: ["@okta/okta-sdk-nodejs", "@microsoft/microsoft-graph-client"],
    },
    handler: "functions/src/readiness.handler",
    description: "idp-failover identity continuity readiness: Okta and Entra compared, daily per site",
    link: [storage.link, ...secretsFor(secretRefs(config).readiness)],
    // DeleteItem: a failed run removes its idempotency record, so the retry runs.
    permissions: [{ actions: [...tableActions, "dynamodb:DeleteItem"], resources: [storage.home.tableArn] }],
  });
  for (const s of sites) {
    new sst.aws.CronV2(`ReadinessSchedule${pascalCase(s.id)}`, {
      schedule: readinessSchedule(s.id),
      function: fn.arn,
      // The firing time is the same on every retry of one firing: it keys the function's idempotency.
      event: { site: s.id, scheduledAt: "<aws.scheduler.scheduled-time>" },
    });
  }
  return { readiness: fn };
}

/** A daily time between 04:00 and 05:59 UTC that stays the same for a site across deploys. */
export function readinessSchedule(siteId: string): `cron(${string})` {
  let hash = 0;
  for (const char of siteId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const minuteOfWindow = hash % 120;
  return `cron(${minuteOfWindow % 60} ${4 + Math.floor(minuteOfWindow / 60)} * * ? *)`;
}

function pascalCase(id: string): string {
  return id
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
