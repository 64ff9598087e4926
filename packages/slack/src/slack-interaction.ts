import {
  type CommandOutcome,
  type Config,
  commandSite,
  type EvaluatorDeps,
  findSite,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import type { WebClient } from "@slack/web-api";
import { type ApproverCheck, approversText, SlackApproverDirectory } from "./approvers.js";
import { escapeMrkdwn, type LooseBlock } from "./block-kit.js";
import {
  type ApprovalAnswer,
  answeredApproval,
  answerStatusLine,
  approvalActions,
  closedStatusLine,
  siteView,
} from "./messages.js";
import { errorText } from "./notification-sender.js";
import { slackRequestProblem } from "./verify-slack-request.js";

/*
 * The interactions endpoint: a person pressed Approve failback, Snooze or Stay on secondary.
 *   1. verify the signature and freshness first; nothing else is looked at before that (401);
 *   2. parse the form-encoded `payload` (400 when it is not a block_actions payload we understand);
 *   3. check the clicking user against the approvers;
 *   4. apply the answer through the state machine: one conditional write on the site's version, so
 *      double clicks and two approvers cannot both win; the loser is told why nothing changed;
 *   5. update the message (who answered, when) and tell a refused user why, best effort.
 * Slack waits 3 s for the answer, so the state change is synchronous and the Slack calls are short
 * (the client's timeout) and run side by side. Logs carry outcomes, never signatures or the body.
 */

export interface SlackInteractionRequest {
  /** The body exactly as received (decode a Lambda's base64 body first). */
  rawBody: string;
  /** Request headers; names in any case. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Our clock, Unix seconds, for the signature's freshness. */
  nowSeconds: number;
}

export interface SlackInteractionResponse {
  status: 200 | 400 | 401;
  body: string;
  headers: Record<string, string>;
}

export type InteractionLog = (entry: Record<string, unknown>) => void;

export interface SlackInteractionDeps {
  signingSecret: string;
  config: Config;
  /** The evaluator's ports: approvals go through `commandSite` like any operator command. */
  evaluator: EvaluatorDeps;
  /** The bot's client: `createSlackClient(token, { timeoutMs: slackInteractionTimeoutMs })`. */
  slack: WebClient;
  /** Defaults to the config's approvers, with user groups looked up in Slack. */
  approvers?: ApproverCheck;
  log?: InteractionLog;
}

const userId = z.string().check(z.regex(/^[UW][A-Z0-9]{1,30}$/));
const blocks = z.array(z.looseObject({ type: z.string(), block_id: z.optional(z.string()) }));

const blockActionsSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: userId, username: z.optional(z.string()), name: z.optional(z.string()) }),
  container: z.optional(
    z.object({ type: z.string(), message_ts: z.optional(z.string()), channel_id: z.optional(z.string()) }),
  ),
  channel: z.optional(z.object({ id: z.string().check(z.minLength(1)) })),
  message: z.optional(
    z.object({
      ts: z.string().check(z.minLength(1)),
      text: z.optional(z.string()),
      blocks: z.optional(blocks),
    }),
  ),
  actions: z
    .array(
      z.object({
        type: z.string(),
        action_id: z.string(),
        block_id: z.optional(z.string()),
        value: z.optional(z.string()),
      }),
    )
    .check(z.minLength(1)),
});
type BlockActions = z.infer<typeof blockActionsSchema>;

/** What our buttons carry in `value`. */
export const approvalButtonValueSchema = z.object({
  site: z.string().check(z.minLength(1), z.maxLength(63)),
  approvalId: z.string().check(z.minLength(1), z.maxLength(200)),
});

const answerByAction = new Map<string, ApprovalAnswer>(
  Object.entries(approvalActions).map(([answer, actionId]) => [actionId, answer as ApprovalAnswer]),
);

export async function handleSlackInteraction(
  request: SlackInteractionRequest,
  deps: SlackInteractionDeps,
): Promise<SlackInteractionResponse> {
  const log = deps.log ?? (() => undefined);
  const problem = slackRequestProblem({
    signingSecret: deps.signingSecret,
    rawBody: request.rawBody,
    timestamp: header(request.headers, "x-slack-request-timestamp"),
    signature: header(request.headers, "x-slack-signature"),
    nowSeconds: request.nowSeconds,
  });
  if (problem) {
    log({ msg: "slack interaction rejected", status: 401, problem });
    return respond(401, "invalid request signature");
  }

  const parsed = parsePayload(request.rawBody);
  if (parsed.kind === "malformed") {
    log({ msg: "slack interaction rejected", status: 400, problem: parsed.problem });
    return respond(400, "malformed interaction payload");
  }
  if (parsed.kind === "ignored") {
    log({ msg: "slack interaction ignored", type: parsed.type });
    return respond(200, "");
  }
  const { payload } = parsed;
  const action = payload.actions.find((a) => answerByAction.has(a.action_id));
  const answer = action ? answerByAction.get(action.action_id) : undefined;
  if (!action || !answer) {
    log({ msg: "slack interaction ignored", actions: payload.actions.map((a) => a.action_id) });
    return respond(200, "");
  }
  const value = parseButtonValue(action.value);
  if (!value) {
    log({
      msg: "slack interaction rejected",
      status: 400,
      problem: "bad-button-value",
      action: action.action_id,
    });
    return respond(400, "malformed interaction payload");
  }

  const context = {
    user: payload.user.id,
    site: value.site,
    approvalId: value.approvalId,
    answer,
    channel: payload.channel?.id ?? payload.container?.channel_id,
    ts: payload.container?.message_ts ?? payload.message?.ts,
    blocks: payload.message?.blocks,
    text: payload.message?.text ?? "Failback request",
  };
  await answerClick(context, deps, log);
  return respond(200, "");
}

interface Click {
  user: string;
  site: string;
  approvalId: string;
  answer: ApprovalAnswer;
  channel: string | undefined;
  ts: string | undefined;
  blocks: LooseBlock[] | undefined;
  text: string;
}

async function answerClick(click: Click, deps: SlackInteractionDeps, log: InteractionLog): Promise<void> {
  const actor = `slack:${click.user}`;
  const entry = {
    msg: "slack interaction",
    user: click.user,
    site: click.site,
    approvalId: click.approvalId,
    answer: click.answer,
  };
  const slackConfig = deps.config.alerting.slack;
  if (!findSite(deps.config, click.site) || !slackConfig) {
    log({ ...entry, outcome: "refused", reason: "unknown site" });
    await tellUser(
      deps,
      click,
      `Nothing changed: site \`${escapeMrkdwn(click.site)}\` is not in this deployment's config.`,
    );
    return;
  }

  const approvers = deps.approvers ?? new SlackApproverDirectory(deps.slack, slackConfig.approvers);
  const decision = await approvers
    .check(click.user)
    .catch((error: unknown) => ({ kind: "unknown" as const, message: errorText(error) }));
  if (decision.kind !== "approver") {
    const reason =
      decision.kind === "unknown"
        ? `could not check your approver membership (${decision.message}); try again`
        : `only approvers can answer failback requests: ${approversText(slackConfig.approvers)}`;
    log({
      ...entry,
      outcome: "refused",
      reason: decision.kind === "unknown" ? "approver check failed" : "not an approver",
    });
    await Promise.allSettled([
      deps.evaluator.store.appendAudit([
        {
          site: click.site,
          at: new Date(deps.evaluator.clock.now()).toISOString(),
          seq: 0,
          actor,
          action: `refused:${click.answer}`,
          reason: decision.kind === "unknown" ? "approver check failed" : "not an approver",
        },
      ]),
      tellUser(deps, click, `Nothing changed: ${reason}.`),
    ]);
    return;
  }

  let outcome: CommandOutcome;
  try {
    outcome = await commandSite(deps.evaluator, deps.config, click.site, {
      kind: click.answer,
      approvalId: click.approvalId,
      actor,
    });
  } catch (error) {
    log({ ...entry, outcome: "error", error: errorText(error) });
    await tellUser(
      deps,
      click,
      "Your answer could not be recorded (the state store did not answer). Check `idpctl status`; pressing the button again is safe.",
    );
    return;
  }

  const view = siteView(deps.config, click.site);
  if (outcome.kind === "applied") {
    log({ ...entry, outcome: "applied", to: outcome.state.state });
    const at = outcome.state.lastApproval?.at ?? new Date(deps.evaluator.clock.now()).toISOString();
    const status = answerStatusLine(click.answer, actor, at, view, outcome.state.requestNotBefore);
    const updated = await updateMessage(deps, click, status);
    if (!updated) await tellUser(deps, click, `Done, but the message could not be updated: ${status}`);
    return;
  }

  log({ ...entry, outcome: "refused", reason: outcome.reason });
  const last = outcome.state.lastApproval;
  await Promise.allSettled([
    tellUser(deps, click, `Nothing changed: ${escapeMrkdwn(outcome.reason)}.`),
    // The message may still show buttons (an earlier update failed): show how it was answered.
    last?.id === click.approvalId
      ? updateMessage(deps, click, closedStatusLine(last.outcome, last.by, last.at))
      : Promise.resolve(true),
  ]);
}

/** Replaces the buttons with a status line. False when it could not (no message, Slack failed). */
async function updateMessage(deps: SlackInteractionDeps, click: Click, status: string): Promise<boolean> {
  if (!click.channel || !click.ts || !click.blocks) return false;
  const answered = answeredApproval(click.blocks, status, click.text);
  try {
    await deps.slack.chat.update({
      channel: click.channel,
      ts: click.ts,
      text: answered.text,
      blocks: answered.blocks,
    });
    return true;
  } catch (error) {
    deps.log?.({
      msg: "slack interaction: message update failed",
      site: click.site,
      error: errorText(error),
    });
    return false;
  }
}

/** A message only the clicking user sees. */
async function tellUser(deps: SlackInteractionDeps, click: Click, text: string): Promise<void> {
  if (!click.channel) return;
  try {
    await deps.slack.chat.postEphemeral({ channel: click.channel, user: click.user, text });
  } catch (error) {
    deps.log?.({
      msg: "slack interaction: ephemeral reply failed",
      site: click.site,
      error: errorText(error),
    });
  }
}

type ParsedPayload =
  | { kind: "ok"; payload: BlockActions }
  | { kind: "ignored"; type: string }
  | { kind: "malformed"; problem: string };

function parsePayload(rawBody: string): ParsedPayload {
  const text = new URLSearchParams(rawBody).get("payload");
  if (!text) return { kind: "malformed", problem: "no-payload-field" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "malformed", problem: "payload-not-json" };
  }
  const envelope = z.object({ type: z.string() }).safeParse(json);
  if (!envelope.success) return { kind: "malformed", problem: "payload-without-type" };
  if (envelope.data.type !== "block_actions") return { kind: "ignored", type: envelope.data.type };
  const payload = blockActionsSchema.safeParse(json);
  if (!payload.success) {
    const paths = payload.error.issues.map((i) => i.path.join(".")).join(", ");
    return { kind: "malformed", problem: `block_actions shape (${paths})` };
  }
  return { kind: "ok", payload: payload.data };
}

function parseButtonValue(value: string | undefined): z.infer<typeof approvalButtonValueSchema> | undefined {
  if (!value) return undefined;
  try {
    const parsed = approvalButtonValueSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: SlackInteractionRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return typeof value === "string" ? value : value?.[0];
  }
  return undefined;
}

function respond(status: SlackInteractionResponse["status"], body: string): SlackInteractionResponse {
  return { status, body, headers: { "content-type": "text/plain; charset=utf-8" } };
}
