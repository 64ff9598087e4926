import {
  type CommandOutcome,
  type Config,
  commandSite,
  type EvaluatorDeps,
  findSite,
  notificationTargets,
  type Site,
  type SlackAlerting,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import type { WebClient } from "@slack/web-api";
import {
  type ApproverCheck,
  type ApproverDecision,
  approversText,
  SlackApproverDirectory,
} from "./approvers.js";
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
import { type SlackBots, slackBotFor } from "./slack-client.js";
import { slackRequestProblem } from "./verify-slack-request.js";

/*
 * The interactions endpoint: a person pressed Approve failback, Snooze or Stay on secondary.
 *   1. verify the signature and freshness first, against every Slack app's signing secret (one
 *      Request URL serves the deployment's app and the sites' own); nothing else is looked at before
 *      that (401);
 *   2. parse the form-encoded `payload` (400 when it is not a block_actions payload we understand);
 *   3. check that the click came through the button's site's own Slack app, and the clicking user
 *      against that site's approvers: customer A's people never answer for customer B;
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
  /**
   * The Slack app's signing secret, or every app's by reference (`alerting.slack.signingSecretRef`)
   * when sites have apps of their own: a request must be signed by the clicked site's app.
   */
  signingSecret: string | ReadonlyMap<string, string>;
  config: Config;
  /** The evaluator's ports: approvals go through `commandSite` like any operator command. */
  evaluator: EvaluatorDeps;
  /**
   * The bot (`createSlackClient(token, { timeoutMs: slackInteractionTimeoutMs })`), or the bots by
   * token reference: a click is answered by its site's app.
   */
  slack: SlackBots;
  /** Defaults to the site's approvers, with user groups looked up in its Slack. */
  approvers?: (site: Site) => ApproverCheck;
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
  const signed = signedBy(request, deps.signingSecret);
  if (signed.kind === "rejected") {
    log({ msg: "slack interaction rejected", status: 401, problem: signed.problem });
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
    signedBy: signed.refs,
  };
  await answerClick(context, deps, log);
  return respond(200, "");
}

type Signed = { kind: "verified"; refs: readonly string[] | "any" } | { kind: "rejected"; problem: string };

/**
 * Which apps' signing secrets verify the request (`any`: the one app of a single-app deployment).
 * When none does, the problem with the first secret: freshness and form are the same for all.
 */
function signedBy(request: SlackInteractionRequest, secrets: SlackInteractionDeps["signingSecret"]): Signed {
  const check = (signingSecret: string) =>
    slackRequestProblem({
      signingSecret,
      rawBody: request.rawBody,
      timestamp: header(request.headers, "x-slack-request-timestamp"),
      signature: header(request.headers, "x-slack-signature"),
      nowSeconds: request.nowSeconds,
    });
  if (typeof secrets === "string") {
    const problem = check(secrets);
    return problem ? { kind: "rejected", problem } : { kind: "verified", refs: "any" };
  }
  const refs: string[] = [];
  let first: string | undefined;
  for (const [ref, secret] of secrets) {
    const problem = check(secret);
    if (problem === undefined) refs.push(ref);
    else first ??= problem;
  }
  return refs.length > 0
    ? { kind: "verified", refs }
    : { kind: "rejected", problem: first ?? "no-signing-secret" };
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
  /** The apps (signing secret references) whose secret verified the click. */
  signedBy: readonly string[] | "any";
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
  const site = findSite(deps.config, click.site);
  const slackConfig = site?.alerting.slack;
  if (!site || !slackConfig) {
    log({ ...entry, outcome: "refused", reason: "unknown site" });
    await tellUser(
      signingAppBot(deps, click),
      click,
      `Nothing changed: site \`${escapeMrkdwn(click.site)}\` is not in this deployment's config.`,
      log,
    );
    return;
  }

  const decision = await approverDecision(click, site, slackConfig, deps);
  // Answered through the app that signed the click: its bot is in the clicker's workspace.
  const bot =
    decision.kind === "other-app"
      ? signingAppBot(deps, click)
      : slackBotFor(deps.slack, slackConfig.botTokenRef);
  if (decision.kind !== "approver") {
    const reason =
      decision.kind === "unknown"
        ? `could not check your approver membership (${decision.message}); try again`
        : decision.kind === "other-app"
          ? `site \`${escapeMrkdwn(site.id)}\` takes its answers through its own Slack app, not this one`
          : `only approvers can answer failback requests: ${approversText(slackConfig.approvers)}`;
    const why = refusalReasons[decision.kind];
    log({ ...entry, outcome: "refused", reason: why });
    await Promise.allSettled([
      deps.evaluator.store.appendAudit([
        {
          site: click.site,
          at: new Date(deps.evaluator.clock.now()).toISOString(),
          seq: 0,
          actor,
          action: `refused:${click.answer}`,
          reason: why,
        },
      ]),
      tellUser(bot, click, `Nothing changed: ${reason}.`, log),
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
      bot,
      click,
      "Your answer could not be recorded (the state store did not answer). Check `idpctl status`; pressing the button again is safe.",
      log,
    );
    return;
  }

  const view = siteView(deps.config, click.site);
  if (outcome.kind === "applied") {
    log({ ...entry, outcome: "applied", to: outcome.state.state });
    const at = outcome.state.lastApproval?.at ?? new Date(deps.evaluator.clock.now()).toISOString();
    const status = answerStatusLine(click.answer, actor, at, view, outcome.state.requestNotBefore);
    const updated = await updateMessage(bot, click, status, log);
    if (!updated) await tellUser(bot, click, `Done, but the message could not be updated: ${status}`, log);
    return;
  }

  log({ ...entry, outcome: "refused", reason: outcome.reason });
  const last = outcome.state.lastApproval;
  await Promise.allSettled([
    tellUser(bot, click, `Nothing changed: ${escapeMrkdwn(outcome.reason)}.`, log),
    // The message may still show buttons (an earlier update failed): show how it was answered.
    last?.id === click.approvalId
      ? updateMessage(bot, click, closedStatusLine(last.outcome, last.by, last.at), log)
      : Promise.resolve(true),
  ]);
}

/** What a refusal is recorded as, in the log and the audit trail. */
const refusalReasons = {
  "other-app": "signed by another Slack app",
  unknown: "approver check failed",
  "not-approver": "not an approver",
} as const;

/**
 * Whether the clicking user may answer for the site: the click must come through the site's own Slack
 * app (another app's click is from another workspace, whose people are not this site's), and the user
 * must be one of the site's approvers (user groups asked of the site's Slack).
 */
async function approverDecision(
  click: Click,
  site: Site,
  slack: SlackAlerting,
  deps: SlackInteractionDeps,
): Promise<ApproverDecision | { kind: "other-app" }> {
  if (click.signedBy !== "any" && !click.signedBy.includes(slack.signingSecretRef))
    return { kind: "other-app" };
  const bot = slackBotFor(deps.slack, slack.botTokenRef);
  const check = deps.approvers?.(site) ?? (bot && new SlackApproverDirectory(bot, slack.approvers));
  if (!check) return { kind: "unknown", message: `the bot token ${slack.botTokenRef} is not set` };
  return check
    .check(click.user)
    .catch((error: unknown) => ({ kind: "unknown" as const, message: errorText(error) }));
}

/** The bot of an app whose signing secret verified the click (to answer a click the site cannot take). */
function signingAppBot(deps: SlackInteractionDeps, click: Click): WebClient | undefined {
  for (const target of notificationTargets(deps.config)) {
    if (target.kind !== "slack") continue;
    if (click.signedBy !== "any" && !click.signedBy.includes(target.slack.signingSecretRef)) continue;
    const bot = slackBotFor(deps.slack, target.slack.botTokenRef);
    if (bot) return bot;
  }
  return undefined;
}

/** Replaces the buttons with a status line. False when it could not (no message, no bot, Slack failed). */
async function updateMessage(
  bot: WebClient | undefined,
  click: Click,
  status: string,
  log: InteractionLog,
): Promise<boolean> {
  if (!bot || !click.channel || !click.ts || !click.blocks) return false;
  const answered = answeredApproval(click.blocks, status, click.text);
  try {
    await bot.chat.update({
      channel: click.channel,
      ts: click.ts,
      text: answered.text,
      blocks: answered.blocks,
    });
    return true;
  } catch (error) {
    log({ msg: "slack interaction: message update failed", site: click.site, error: errorText(error) });
    return false;
  }
}

/** A message only the clicking user sees. */
async function tellUser(
  bot: WebClient | undefined,
  click: Click,
  text: string,
  log: InteractionLog,
): Promise<void> {
  if (!bot || !click.channel) return;
  try {
    await bot.chat.postEphemeral({ channel: click.channel, user: click.user, text });
  } catch (error) {
    log({ msg: "slack interaction: ephemeral reply failed", site: click.site, error: errorText(error) });
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
