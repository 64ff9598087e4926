import type { Config, MessageRefs, NotificationIntent } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import type { WebClient } from "@slack/web-api";
import { context, type LooseBlock, limits, type SlackMessage } from "./block-kit.js";
import {
  answeredApproval,
  approvalStatusLine,
  renderNotification,
  renderReply,
  resolvedBanner,
  type SiteView,
  siteView,
  withBanner,
} from "./messages.js";
import type { NotificationSender, SendOutcome } from "./notification-sender.js";
import { classifySlackError, slackErrorCode, unupdatableMessage } from "./slack-client.js";
import { slackTime } from "./slack-text.js";
import { joinsThread, threadRule } from "./threads.js";

/*
 * Delivers notification intents to one Slack channel, one thread per incident. Message refs (where
 * each message went) are remembered through the `MessageRefs` port:
 *   thread:{key}         the thread's first message (its blocks, to update it later)
 *   approval:{id}        a failback approval message (its blocks, to show the answer and progress)
 *   posted:{intent id}   this intent is already posted: a retry after a half-finished delivery
 *                        only redoes the updates, never posts twice
 * Updates (`chat.update`) are idempotent; a message that is gone or no longer editable is skipped.
 */

const blocksSchema = z.array(z.looseObject({ type: z.string(), block_id: z.optional(z.string()) }));

const storedMessageSchema = z.object({
  channel: z.string().check(z.minLength(1)),
  ts: z.string().check(z.minLength(1)),
  at: z.optional(z.string()),
  kind: z.optional(z.string()),
  text: z._default(z.string(), ""),
  blocks: z.pipe(
    z._default(z.string(), "[]"),
    z.transform((raw, payload): LooseBlock[] => {
      try {
        return blocksSchema.parse(JSON.parse(raw));
      } catch {
        payload.issues.push({ code: "custom", message: "stored blocks are not Block Kit JSON", input: raw });
        return z.NEVER;
      }
    }),
  ),
});
type StoredMessage = z.infer<typeof storedMessageSchema>;

export interface SlackNotificationSenderOptions {
  client: WebClient;
  refs: MessageRefs;
  config: Config;
  /** Channel name or id for new threads; defaults to `alerting.slack.channel`. */
  channel?: string;
}

export class SlackNotificationSender implements NotificationSender {
  private readonly channel: string;

  constructor(private readonly options: SlackNotificationSenderOptions) {
    const channel = options.channel ?? options.config.alerting.slack?.channel;
    if (!channel) throw new Error("SlackNotificationSender needs a channel (alerting.slack.channel)");
    this.channel = channel;
  }

  async send(intent: NotificationIntent): Promise<SendOutcome> {
    try {
      await this.deliver(intent);
      return { kind: "sent" };
    } catch (error) {
      return classifySlackError(error);
    }
  }

  private async deliver(intent: NotificationIntent): Promise<void> {
    const { refs } = this.options;
    const view = siteView(this.options.config, intent.site);
    const rule = threadRule(intent);
    const thread = await this.recall(intent.site, `thread:${rule.key}`);
    const join = joinsThread(rule, intent, thread?.at);

    if (!(await refs.recall(intent.site, `posted:${intent.id}`))) {
      const rendered = join ? renderReply(intent, view) : renderNotification(intent, view);
      // Slack was unreachable for a while and a later message started the thread: say so.
      const late = join && thread?.at !== undefined && Date.parse(thread.at) > Date.parse(intent.at);
      const message = late ? withLateNote(rendered, intent.at) : rendered;
      const where: Where =
        join && thread
          ? { channel: thread.channel, thread: { ts: thread.ts, broadcast: rule.broadcast } }
          : { channel: this.channel };
      const posted = await this.post(message, where);
      const stored = { ...posted, at: intent.at, kind: intent.kind, text: message.text };
      const withBlocks = { ...stored, blocks: JSON.stringify(message.blocks) };
      if (!join) await refs.remember(intent.site, `thread:${rule.key}`, withBlocks);
      if (intent.kind === "failback-requested") {
        await refs.remember(intent.site, `approval:${intent.approvalId}`, withBlocks);
      }
      await refs.remember(intent.site, `posted:${intent.id}`, posted);
    }

    if (join && thread) await this.updateThreadStart(intent, view, rule.key, thread);
    await this.updateApprovalMessage(intent, view);
  }

  /** The thread's first message follows the incident: "failing over" becomes "failed over", then resolved. */
  private async updateThreadStart(
    intent: NotificationIntent,
    view: SiteView,
    key: string,
    thread: StoredMessage,
  ): Promise<void> {
    if (intent.kind === "failed-over" && thread.kind === "failing-over") {
      const message = renderNotification(intent, view);
      await this.update(thread, message.text, message.blocks);
      await this.options.refs.remember(intent.site, `thread:${key}`, {
        channel: thread.channel,
        ts: thread.ts,
        at: thread.at ?? intent.at,
        kind: intent.kind,
        text: message.text,
        blocks: JSON.stringify(message.blocks),
      });
      return;
    }
    const banner = resolvedBanner(intent, view);
    if (banner) await this.update(thread, thread.text, withBanner(thread.blocks, banner));
  }

  /** The approval message shows what became of it: answered, each failback step, done or aborted. */
  private async updateApprovalMessage(intent: NotificationIntent, view: SiteView): Promise<void> {
    const status = approvalStatusLine(intent, view);
    const approvalId = "approvalId" in intent ? intent.approvalId : undefined;
    if (!status || !approvalId) return;
    const approval = await this.recall(intent.site, `approval:${approvalId}`);
    if (!approval) return;
    const answered = answeredApproval(approval.blocks, status, approval.text);
    await this.update(approval, answered.text, answered.blocks);
  }

  private async post(message: SlackMessage, where: Where): Promise<{ channel: string; ts: string }> {
    const { client } = this.options;
    const thread = where.thread
      ? { thread_ts: where.thread.ts, reply_broadcast: where.thread.broadcast }
      : {};
    let result: Awaited<ReturnType<WebClient["chat"]["postMessage"]>>;
    try {
      result = await client.chat.postMessage({
        channel: where.channel,
        ...thread,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      });
    } catch (error) {
      // A rendering Slack refuses must not swallow a failover alert: send the plain text instead.
      if (slackErrorCode(error) !== "invalid_blocks") throw error;
      result = await client.chat.postMessage({
        channel: where.channel,
        ...thread,
        text: message.text,
        unfurl_links: false,
      });
    }
    const answer = postedSchema.safeParse(result);
    if (!answer.success) throw new Error("chat.postMessage answered without channel and ts");
    return answer.data;
  }

  private async update(message: StoredMessage, text: string, blocks: readonly LooseBlock[]): Promise<void> {
    try {
      await this.options.client.chat.update({
        channel: message.channel,
        ts: message.ts,
        text,
        blocks: [...blocks],
      });
    } catch (error) {
      const code = slackErrorCode(error);
      if (code && unupdatableMessage.has(code)) return; // deleted or no longer ours: nothing to update
      throw error;
    }
  }

  private async recall(site: string, key: string): Promise<StoredMessage | undefined> {
    const raw = await this.options.refs.recall(site, key);
    if (!raw) return undefined;
    const parsed = storedMessageSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }
}

function withLateNote(message: SlackMessage, at: string): SlackMessage {
  const note = context([`:hourglass_flowing_sand: Delivered late: this is from ${slackTime(at)}.`]);
  return { text: message.text, blocks: [note, ...message.blocks].slice(0, limits.blocks) };
}

/** Where a message goes: a channel, and the thread to reply in. */
interface Where {
  channel: string;
  thread?: { ts: string; broadcast: boolean };
}

const postedSchema = z.object({
  channel: z.string().check(z.minLength(1)),
  ts: z.string().check(z.minLength(1)),
});
