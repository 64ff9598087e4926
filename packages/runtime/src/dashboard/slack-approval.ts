import { findSite, type MessageRefs } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import {
  approvalActions,
  approvalBlocks,
  handleSlackInteraction,
  type SlackInteractionDeps,
  signSlackRequest,
} from "@idp-failover/slack";

/*
 * The dashboard's Approve failback button takes the path a Slack click takes: it builds the
 * `block_actions` request Slack would send for a click on the approval message (Slack's documented
 * payload, form-encoded under `payload`), signs it with the app's signing secret, and hands it to
 * the same interaction handler. Verification, the approver check, the one-time conditional write and
 * the message update all happen there; the dashboard has no side door into the state machine.
 */

export interface DashboardClick {
  site: string;
  approvalId: string;
  /** The Slack user the click is made as (an approver of the config). */
  userId: string;
  /** Wall-clock Unix seconds: the signature's timestamp and the handler's "now". */
  nowSeconds: number;
}

export type ClickOutcome =
  | { kind: "applied"; state?: string }
  | { kind: "refused"; reason: string }
  | { kind: "rejected"; status: number; body: string };

const storedMessageSchema = z.object({
  channel: z.string().check(z.minLength(1)),
  ts: z.string().check(z.minLength(1)),
  text: z.optional(z.string()),
  blocks: z.optional(z.string()),
});

export type ApprovalMessage = z.infer<typeof storedMessageSchema>;

/**
 * The failback request's message as the Slack deliverer recorded it once posted (channel, ts, blocks);
 * undefined until it is in the channel. A Slack user can only click a posted message: the dashboard
 * offers its button from then on too, so the click updates that message as a Slack click would.
 */
export async function approvalMessage(
  refs: Pick<MessageRefs, "recall">,
  site: string,
  approvalId: string,
): Promise<ApprovalMessage | undefined> {
  const stored = storedMessageSchema.safeParse(await refs.recall(site, `approval:${approvalId}`));
  return stored.success ? stored.data : undefined;
}

/** The signed form body and headers of a click on Approve failback, as Slack sends them. */
export async function approveClickRequest(
  click: DashboardClick,
  signingSecret: string,
  refs: MessageRefs,
): Promise<{ rawBody: string; headers: Record<string, string> }> {
  const message = await approvalMessage(refs, click.site, click.approvalId);
  const blocks = message?.blocks ? parseBlocks(message.blocks) : undefined;
  const actionTs = `${click.nowSeconds}.000100`;
  const payload = {
    type: "block_actions",
    user: { id: click.userId, username: click.userId.toLowerCase(), name: click.userId.toLowerCase() },
    api_app_id: "A0IDPDASHBOARD",
    trigger_id: `${click.nowSeconds}.0.dashboard`,
    ...(message
      ? {
          container: {
            type: "message",
            message_ts: message.ts,
            channel_id: message.channel,
            is_ephemeral: false,
          },
          channel: { id: message.channel },
          message: {
            type: "message",
            ts: message.ts,
            text: message.text ?? "Failback request",
            ...(blocks ? { blocks } : {}),
          },
        }
      : {}),
    actions: [
      {
        type: "button",
        action_id: approvalActions.approve,
        block_id: approvalBlocks.actions,
        text: { type: "plain_text", text: "Approve failback" },
        value: JSON.stringify({ site: click.site, approvalId: click.approvalId }),
        style: "primary",
        action_ts: actionTs,
      },
    ],
  };
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    rawBody,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(click.nowSeconds),
      "x-slack-signature": signSlackRequest(signingSecret, click.nowSeconds, rawBody),
    },
  };
}

/** Presses Approve failback through the Slack interaction handler; says what became of it. */
export async function pressApproveFailback(
  click: DashboardClick,
  deps: SlackInteractionDeps,
  refs: MessageRefs,
): Promise<ClickOutcome> {
  const signingSecret =
    typeof deps.signingSecret === "string"
      ? deps.signingSecret
      : deps.signingSecret.get(findSite(deps.config, click.site)?.alerting.slack?.signingSecretRef ?? "");
  if (!signingSecret) {
    return {
      kind: "refused",
      reason: `the Slack app of ${click.site} has no signing secret set: the click cannot be signed`,
    };
  }
  const request = await approveClickRequest(click, signingSecret, refs);
  let outcome: ClickOutcome | undefined;
  const log = (entry: Record<string, unknown>) => {
    deps.log?.(entry);
    if (entry.msg !== "slack interaction") return;
    if (entry.outcome === "applied") outcome = { kind: "applied", ...stateOf(entry.to) };
    else if (entry.outcome === "refused" || entry.outcome === "error")
      outcome = { kind: "refused", reason: String(entry.reason ?? entry.error ?? "refused") };
  };
  const response = await handleSlackInteraction(
    { rawBody: request.rawBody, headers: request.headers, nowSeconds: click.nowSeconds },
    { ...deps, log },
  );
  if (response.status !== 200) return { kind: "rejected", status: response.status, body: response.body };
  return outcome ?? { kind: "refused", reason: "the interaction handler did not act on the click" };
}

function stateOf(to: unknown): { state?: string } {
  return typeof to === "string" ? { state: to } : {};
}

function parseBlocks(raw: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
