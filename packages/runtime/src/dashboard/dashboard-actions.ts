import {
  type CommandOutcome,
  type Config,
  commandSite,
  describeActor,
  type EvaluatorDeps,
  type MessageRefs,
  type Operator,
  storeAuditedAs,
} from "@idp-failover/core";
import type { SlackBots, SlackInteractionDeps } from "@idp-failover/slack";
import { wallClock } from "../loop/compressed-clock.js";
import type { LoopFeed } from "../loop/loop-feed.js";
import type { ActionResult, DashboardActions } from "./dashboard-server.js";
import { pressApproveFailback } from "./slack-approval.js";

/*
 * What the dashboard's buttons do. Approve failback is a Slack click (signed, through the interaction
 * handler, as the configured Slack user); freeze and unfreeze are operator commands through the same
 * use case as `idpctl freeze`. Each outcome goes on the timeline, and the loop is woken so the
 * consequences (a DNS step, a message) follow at once.
 */

export type ApprovalPath =
  | {
      kind: "slack";
      /** The one app's signing secret, or each app's by reference (sites with Slack apps of their own). */
      signingSecret: SlackInteractionDeps["signingSecret"];
      /** The Slack user a click on a site's button is made as (one of that site's approvers), if any. */
      approverFor: (site: string) => string | undefined;
      /** Whom clicks are made as, for the page. */
      as: string;
      slack: SlackBots;
    }
  | { kind: "unavailable"; reason: string };

export interface ControlActionsInput {
  config: Config;
  deps: EvaluatorDeps;
  refs: MessageRefs;
  feed: LoopFeed;
  approval: ApprovalPath;
  /** Who freeze / unfreeze are recorded under in the audit trail. */
  operator: Operator;
  /** Wakes the loop after an action. */
  poke: () => void;
  /** Wall-clock Unix seconds (Slack signatures are about real time, whatever the drill's clock). */
  nowSeconds?: () => number;
}

export function controlActions(input: ControlActionsInput): DashboardActions {
  const { config, deps, feed } = input;
  const nowSeconds = input.nowSeconds ?? (() => Math.floor(wallClock.now() / 1000));
  return {
    async approve(site, approvalId): Promise<ActionResult> {
      const path = input.approval;
      if (path.kind === "unavailable") return { ok: false, message: path.reason };
      const userId = path.approverFor(site);
      if (!userId) return { ok: false, message: `${site} has no approver user to click as: pass --approver` };
      const outcome = await pressApproveFailback(
        { site, approvalId, userId, nowSeconds: nowSeconds() },
        { signingSecret: path.signingSecret, config, evaluator: deps, slack: path.slack },
        input.refs,
      );
      input.poke();
      const who = `${userId} pressed Approve failback`;
      if (outcome.kind === "applied") {
        feed.emit({ kind: "approval", tone: "good", site, text: `${who}: approved` });
        return { ok: true, message: `approved: ${site} is ${outcome.state ?? "failing back"}` };
      }
      const reason = outcome.kind === "refused" ? outcome.reason : `HTTP ${outcome.status}: ${outcome.body}`;
      feed.emit({ kind: "approval", tone: "warn", site, text: `${who}: not applied (${reason})` });
      return { ok: false, message: `not applied: ${reason}` };
    },
    freeze: (site, reason) => operatorCommand(input, site, { kind: "freeze", reason }),
    unfreeze: (site, reason) => operatorCommand(input, site, { kind: "unfreeze", reason }),
  };
}

async function operatorCommand(
  input: ControlActionsInput,
  site: string,
  command: { kind: "freeze" | "unfreeze"; reason: string },
): Promise<ActionResult> {
  if (!input.config.sites.some((s) => s.id === site)) return { ok: false, message: `no site ${site}` };
  const { operator } = input;
  const deps = { ...input.deps, store: storeAuditedAs(input.deps.store, operator) };
  const outcome: CommandOutcome = await commandSite(deps, input.config, site, {
    ...command,
    actor: operator.actor,
  });
  input.poke();
  if (outcome.kind === "refused") {
    input.feed.emit({
      kind: "command",
      tone: "warn",
      site,
      text: `${command.kind} refused: ${outcome.reason}`,
    });
    return { ok: false, message: `${command.kind} refused: ${outcome.reason}` };
  }
  input.feed.emit({
    kind: "command",
    tone: "info",
    site,
    text: `${describeActor(operator)} ${command.kind === "freeze" ? "froze" : "unfroze"} the site: ${command.reason}`,
  });
  return { ok: true, message: `${site} is ${outcome.state.state}` };
}
