import * as z from "@idp-failover/core/zod-mini";
import { escapeMrkdwn } from "@idp-failover/slack";
import type { KnownBlock, WebClient } from "@slack/web-api";
import type { SiteReport, SlaReport } from "./report-schema.js";
import { headline, periodTitle } from "./report-text.js";
import type { DeliveryOutcome, ReportAttachment, ReportDelivery } from "./send-monthly-report.js";
import { minutesText, pctText } from "./text-format.js";

/*
 * The monthly summary in Slack: one message with the headline numbers per site, and the HTML report
 * uploaded into its thread (Slack's upload flow, `files.uploadV2`: files.getUploadURLExternal, the
 * upload, files.completeUploadExternal; needs the `files:write` scope). The upload names the channel
 * by the id chat.postMessage answered with, since completeUploadExternal takes ids, not names.
 */

export interface SlackReportDeliveryOptions {
  client: WebClient;
  /** Channel name or id. */
  channel: string;
}

const postAnswer = z.looseObject({
  channel: z.string().check(z.minLength(1)),
  ts: z.string().check(z.minLength(1)),
});
const uploadAnswer = z.looseObject({
  files: z.optional(
    z.array(z.looseObject({ files: z.optional(z.array(z.looseObject({ id: z.string() }))) })),
  ),
});

/** Slack allows 50 blocks a message: a header, a context, and a section per site up to this many. */
const maxSiteBlocks = 45;

export class SlackReportDelivery implements ReportDelivery {
  constructor(private readonly options: SlackReportDeliveryOptions) {}

  async deliver(report: SlaReport, attachment: ReportAttachment): Promise<DeliveryOutcome> {
    const { client, channel } = this.options;
    let ref: Record<string, string>;
    try {
      const posted = postAnswer.parse(
        await client.chat.postMessage({ channel, text: summaryText(report), blocks: summaryBlocks(report) }),
      );
      ref = { channel: posted.channel, ts: posted.ts };
    } catch (error) {
      return { kind: "failed", stage: "summary", message: slackMessage(error) };
    }
    try {
      const uploaded = uploadAnswer.parse(
        await client.filesUploadV2({
          channel_id: ref.channel as string,
          thread_ts: ref.ts as string,
          file: Buffer.from(attachment.content, "utf8"),
          filename: attachment.filename,
          title: attachment.title,
        }),
      );
      const fileId = uploaded.files?.[0]?.files?.[0]?.id;
      return { kind: "delivered", ref: { ...ref, ...(fileId ? { fileId } : {}) } };
    } catch (error) {
      return { kind: "failed", stage: "attachment", message: slackMessage(error), ref };
    }
  }
}

export function summaryText(report: SlaReport): string {
  const lines = [`Identity availability report: ${periodTitle(report)}`];
  for (const site of report.sites) lines.push(headline(site));
  return lines.join("\n").slice(0, 3900);
}

export function summaryBlocks(report: SlaReport): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: `SLA report: ${periodTitle(report)}`.slice(0, 150) },
    },
  ];
  for (const site of report.sites.slice(0, maxSiteBlocks)) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: siteSummary(site).slice(0, 3000) } });
  }
  const more = report.sites.length - maxSiteBlocks;
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `${more > 0 ? `${more} more site(s) in the report. ` : ""}Full report (HTML) in the thread. Period ${report.period.from} to ${report.period.to}.`,
      },
    ],
  });
  return blocks;
}

function siteSummary(site: SiteReport): string {
  const lines = [
    `*${escapeMrkdwn(site.hostname)}*: sign-in available *${pctText(site.loginAvailabilityPct)}* (down ${minutesText(site.loginDowntimeMinutes)}), ${site.incidents.length} incident(s)`,
  ];
  for (const p of site.providers) {
    const sla =
      p.sla.met === null
        ? "no data"
        : p.sla.met
          ? `met ${p.sla.targetPct}%`
          : `*missed* ${p.sla.targetPct}%${p.sla.serviceCredit.qualifies ? ", service credit eligible" : ""}`;
    const vendor =
      p.vendorReported.status === "reported" && p.vendorReported.scorePct !== null
        ? ` (${p.vendorReported.vendor}-reported: ${p.vendorReported.scorePct}%)`
        : "";
    lines.push(
      `• ${escapeMrkdwn(p.id)} (${p.role}): ${pctText(p.availabilityPct)}, down ${minutesText(p.downtimeMinutes)}: SLA ${sla}${vendor}`,
    );
  }
  return lines.join("\n");
}

function slackMessage(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (data && typeof data.error === "string") return `Slack error: ${data.error}`;
  return error instanceof Error ? error.message : String(error);
}
