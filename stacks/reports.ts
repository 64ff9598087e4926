import { functionSizing } from "@idp-failover/core";
import { sizedFunction } from "./defaults";
import { homeBusPermission } from "./iam";
import { secretsFor } from "./secrets";
import { type SiteConfig, secretRefs } from "./site-config";
import type { Storage } from "./storage";

/*
 * The monthly SLA report: a CronV2 at 06:00 UTC on the 1st, reading rollups and incidents. The event
 * carries the schedule's firing time, which names the month and keys the function's idempotency
 * record (Powertools, in the home table: hence Put/Update/DeleteItem; PutItem also records where the
 * month's summary was posted, so a retry never posts it twice).
 */
export function reports(site: SiteConfig, storage: Storage) {
  const { config } = site;
  const sizing = functionSizing(config);
  // Microsoft's SLA attainment comes through the graph-health probe's app registration.
  const graphRefs = config.sites.flatMap((s) =>
    s.providers.flatMap((p) =>
      p.probes.flatMap((probe) => (probe.kind === "graph-health" ? [probe.clientSecretRef] : [])),
    ),
  );
  const report = sizedFunction("Report", sizing.report, {
    handler: "functions/src/report.handler",
    description: "idp-failover monthly SLA report",
    link: [storage.link, ...secretsFor([...secretRefs(config).deploymentSlackBot, ...graphRefs])],
    permissions: [
      {
        actions: [
          "dynamodb:Query",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
        ],
        resources: [storage.home.tableArn],
      },
      homeBusPermission(storage),
    ],
  });
  new sst.aws.CronV2("ReportSchedule", {
    schedule: "cron(0 6 1 * ? *)",
    function: report.arn,
    // EventBridge Scheduler fills in the firing time (its context attribute), the same on every retry.
    event: { scheduledAt: "<aws.scheduler.scheduled-time>" },
  });
  return { report };
}
