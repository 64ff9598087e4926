import { createAwsAdapters } from "@idp-failover/aws";
import type { Provider } from "@idp-failover/core";
import {
  entraAttainmentSourceFor,
  SlackReportDelivery,
  sendMonthlyReport,
  type VendorAttainmentSource,
} from "@idp-failover/report";
import { createSlackClient } from "@idp-failover/slack";
import { deployment } from "../wiring/deployment.js";
import { createLogger } from "../wiring/observability.js";

/*
 * report: the monthly SLA report (CronV2 on the 1st): last month's report per site, posted to Slack
 * with the HTML attached, and one `report-published` event per site on the bus; Entra providers also
 * get Microsoft's own attainment figure from Graph.
 */

const logger = createLogger();

export class ReportDeliveryError extends Error {
  override name = "ReportDeliveryError";
}

export async function handler(event: { month?: string } = {}): Promise<void> {
  const { config, home, secret } = deployment();
  const aws = createAwsAdapters(home);
  const slack = config.alerting.slack;
  const token = slack && secret(slack.botTokenRef);
  const delivery =
    slack && token
      ? // The HTML upload is a few hundred KB: give it longer than an alert's 5 s.
        new SlackReportDelivery({
          client: createSlackClient(token, { timeoutMs: 30_000 }),
          channel: slack.channel,
        })
      : undefined;
  const vendors = new Map<string, VendorAttainmentSource>();
  const month =
    typeof event.month === "string" && /^\d{4}-\d{2}$/.test(event.month) ? event.month : undefined;
  try {
    const result = await sendMonthlyReport({
      store: aws.store,
      config,
      now: Date.now(),
      ...(month ? { month } : {}),
      ...(delivery ? { delivery, deliveries: aws.messageRefs } : {}),
      events: aws.events,
      // Microsoft's own SLA figure, through the graph-health probe's app registration.
      vendorSource: (_site, provider: Provider) =>
        entraAttainmentSourceFor(provider, secret, { cache: vendors, clock: { now: Date.now } }),
    });
    logger.info("monthly report", {
      period: result.report.period,
      delivery: result.delivery,
      events: result.events,
    });
    // A retry re-posts nothing already delivered, and events carry ids consumers deduplicate on.
    if (result.delivery?.kind === "failed" || result.events?.kind === "failed")
      throw new ReportDeliveryError("the monthly report was not fully delivered");
  } finally {
    aws.destroy();
  }
}
