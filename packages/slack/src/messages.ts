import type { Config, NotificationIntent, Policy, RegionEvidence } from "@idp-failover/core";
import { findSite, formatReadinessPct, groupedReasons } from "@idp-failover/core";
import {
  type Block,
  type ButtonElement,
  clip,
  context,
  divider,
  escapeMrkdwn,
  fieldsSection,
  header,
  type LooseBlock,
  limits,
  plain,
  type SlackMessage,
  section,
} from "./block-kit.js";
import { actorText, durationText, evidenceLines, slackTime, utcMinute, weightsText } from "./slack-text.js";

/*
 * Block Kit messages for notification intents, as pure functions of the intent and the site. Each
 * intent has a standalone rendering (posted when it starts a thread or has none to join) and a short
 * reply (posted in its incident's thread). The failback approval message carries the three buttons,
 * each behind a confirm dialog, with `{site, approvalId}` in the button value.
 */

/** What a message needs to know about the site besides the intent. */
export interface SiteView {
  id: string;
  hostname: string;
  /** Provider ids in priority order: the first is the primary. */
  providers: string[];
  primary: string;
  ttl: number;
  regions: string[];
  policy: Policy;
}

export function siteView(config: Config, siteId: string): SiteView {
  const site = findSite(config, siteId);
  const providers = site?.providers.map((p) => p.id) ?? [];
  return {
    id: siteId,
    hostname: site?.hostname ?? siteId,
    providers,
    primary: providers[0] ?? "primary",
    ttl: site?.ttl ?? 60,
    regions: config.regions,
    policy: site?.policy ?? config.policy,
  };
}

/** Button action ids: the interaction handler maps them to the state machine's inputs. */
export const approvalActions = {
  approve: "idp_failover.approve_failback",
  snooze: "idp_failover.snooze_failback",
  decline: "idp_failover.stay_on_secondary",
} as const;
export type ApprovalAnswer = keyof typeof approvalActions;

/** Block ids of the approval message's parts that change once it is answered. */
export const approvalBlocks = {
  actions: "failback_actions",
  expiry: "failback_expiry",
  status: "failback_status",
} as const;

const siteField = (v: SiteView) => `*Site*\n${escapeMrkdwn(v.id)} (\`${escapeMrkdwn(v.hostname)}\`)`;
const arrow = (from: string, to: string) => `${escapeMrkdwn(from)} → ${escapeMrkdwn(to)}`;

/** The standalone rendering: everything a reader needs without the rest of the thread. */
export function renderNotification(intent: NotificationIntent, v: SiteView): SlackMessage {
  const host = v.hostname;
  switch (intent.kind) {
    case "failing-over":
      return message(`[${v.id}] Failing over ${host}: ${intent.from} → ${intent.to}`, [
        header(`:twisted_rightwards_arrows: Failing over ${host}`),
        fieldsSection([
          siteField(v),
          `*From → to*\n${arrow(intent.from, intent.to)}`,
          `*Decided*\n${slackTime(intent.at)}`,
          `*By*\n${actorText(intent.actor)}`,
        ]),
        section(`*Why:* ${escapeMrkdwn(intent.reason)}`),
        ...evidenceBlocks(intent.evidence, intent.from),
        ...(intent.readiness
          ? [
              section(
                `*Readiness of ${escapeMrkdwn(intent.to)}:* ${formatReadinessPct(intent.readiness.pct)} of ${escapeMrkdwn(intent.from)}'s active users could sign in to their apps through it (measured ${slackTime(intent.readiness.at)}).`,
              ),
            ]
          : []),
        context([
          `Weights requested: ${weightsText(intent.weights, v.providers)}. Waiting for Route 53 to report the change INSYNC.`,
        ]),
      ]);
    case "failed-over":
      return message(`[${v.id}] Failed over ${host}: ${intent.from} → ${intent.to} (DNS in sync)`, [
        header(`:white_check_mark: Failed over: ${host} is served by ${intent.to}`),
        fieldsSection([
          siteField(v),
          `*From → to*\n${arrow(intent.from, intent.to)}`,
          `*DNS change*\n${intent.changeId ? `\`${escapeMrkdwn(intent.changeId)}\`` : "already applied"}${
            intent.submittedAt ? ` submitted ${slackTime(intent.submittedAt)}` : ""
          }`,
          `*INSYNC*\n${slackTime(intent.insyncAt)}`,
        ]),
        ...evidenceBlocks(intent.evidence ?? [], intent.from),
        context([
          `Resolvers may keep the old answer for up to the record's TTL (${v.ttl} s). Failback waits for ${escapeMrkdwn(v.primary)} to stay healthy for ${durationText(v.policy.recovery.sustainSeconds)}, then asks here for approval.`,
        ]),
      ]);
    case "both-down": {
      const modes = intent.modes ?? {};
      const ruledOut = Object.entries(modes).map(
        ([id, mode]) => `${escapeMrkdwn(id)} is in ${modeText[mode]}`,
      );
      if (ruledOut.length > 0) {
        const down = intent.providers.filter((p) => !(p in modes));
        return message(
          `[${v.id}] ${host}: ${down.join(", ")} down and no provider can take over: no failover`,
          [
            header(`:rotating_light: Both providers of ${host} impaired`),
            section(
              `*No action taken:* ${down.map(escapeMrkdwn).join(" and ")} ${down.length === 1 ? "is" : "are"} down, and ${ruledOut.join("; ")}, so it signs no one new in: failing over to it would not help. The weights stay as they are.`,
            ),
            ...groupByProvider(intent.evidence, intent.providers).flatMap(([provider, regions]) =>
              evidenceBlocks(regions, provider),
            ),
          ],
        );
      }
      return message(`[${v.id}] Every provider of ${host} is down: no failover`, [
        header(`:rotating_light: Every provider of ${host} is down`),
        section(
          `*No action taken:* ${intent.providers.map(escapeMrkdwn).join(" and ")} are all down, so there is nowhere better to send traffic; the weights stay as they are. Failover happens as soon as a provider is healthy again.`,
        ),
        ...groupByProvider(intent.evidence, intent.providers).flatMap(([provider, regions]) =>
          evidenceBlocks(regions, provider),
        ),
      ]);
    }
    case "monitor-impaired": {
      const regions = [...(intent.impairedRegions ?? []), ...intent.staleRegions];
      const reasons = groupedReasons(intent.reasons ?? {});
      const holding = intent.holding
        ? `*No automatic action:* fewer than ${v.policy.quorum} probe regions can judge, so nothing moves until they can (missing data is not an outage). Operator commands still work.`
        : "These regions abstain from every verdict; the other regions still decide, and a real outage they agree on still fails over.";
      return message(
        `Monitor impaired in ${regions.join(", ")}${intent.holding ? ": no automatic action" : ""}`,
        [
          header(`:warning: Monitor impaired in ${regions.join(", ")}`),
          section(
            `The probe regions ${list(regions)} cannot vouch for their own view: their canaries fail or their clock is off, so what they see of the IdPs says more about their network than about Okta or Entra. ${holding}`,
          ),
          fieldsSection([
            `*Impaired (canaries or clock)*
${list(intent.impairedRegions ?? [])}`,
            `*Silent (stale)*
${list(intent.staleRegions)}`,
            `*Judging*
${list(intent.freshRegions)}`,
          ]),
          ...(reasons.length > 0 ? [section(reasons.map((r) => `• ${escapeMrkdwn(r)}`).join("\n"))] : []),
          context([
            `Since ${slackTime(intent.since ?? intent.at)}. This concerns every site; reports count this time as unknown, not as any vendor's downtime.`,
          ]),
        ],
      );
    }
    case "monitor-restored":
      return message("Monitor restored: every probe region judges again.", [
        section(
          `:large_green_circle: *Monitor restored* (${slackTime(intent.at)}): every probe region's canaries and clock are healthy again; automatic failover is armed.`,
        ),
      ]);
    case "provider-degraded":
      return message(
        `[${v.id}] ${intent.provider} degraded${intent.mode ? ` (${modeText[intent.mode]})` : ""}`,
        [
          section(
            intent.mode
              ? `:large_orange_circle: *${escapeMrkdwn(intent.provider)} is in ${modeText[intent.mode]}* for \`${escapeMrkdwn(host)}\` since ${slackTime(intent.at)}. ${modeAdvice[intent.mode]}`
              : `:large_orange_circle: *${escapeMrkdwn(intent.provider)} degraded* for \`${escapeMrkdwn(host)}\` since ${slackTime(intent.at)}. No action: degraded never fails over.`,
          ),
          ...evidenceBlocks(intent.evidence, intent.provider),
        ],
      );
    case "provider-down":
      return message(`[${v.id}] ${intent.provider} down (not serving)`, [
        section(
          `:red_circle: *${escapeMrkdwn(intent.provider)} down* for \`${escapeMrkdwn(host)}\` since ${slackTime(intent.at)}. It is not serving traffic; failover onto it is blocked until it recovers.`,
        ),
        ...evidenceBlocks(intent.evidence, intent.provider),
      ]);
    case "provider-recovered":
      return message(`[${v.id}] ${intent.provider} recovered`, [
        section(
          `:large_green_circle: *${escapeMrkdwn(intent.provider)} recovered* for \`${escapeMrkdwn(host)}\` (was ${intent.was}) at ${slackTime(intent.at)}.`,
        ),
      ]);
    case "failback-requested":
      return renderApprovalRequest(intent, v);
    case "failback-started":
      return message(`[${v.id}] Failback started: ${plainWeights(intent.weights, v)}`, [
        section(
          `:arrow_right: *Failback started* by ${actorText(intent.approvedBy)} (${slackTime(intent.at)}): step 1 of ${intent.steps}, ${weightsText(intent.weights, v.providers)}.`,
        ),
      ]);
    case "failback-progress":
      return message(
        `[${v.id}] Failback step ${intent.step} of ${intent.steps} in sync: ${plainWeights(intent.weights, v)}`,
        [section(progressLine(intent, v))],
      );
    case "failback-done":
      return message(`[${v.id}] Failback complete: ${intent.primary} serves ${host} again`, [
        section(
          `:white_check_mark: *Failback complete:* ${escapeMrkdwn(intent.primary)} serves \`${escapeMrkdwn(host)}\` again (${slackTime(intent.at)})${
            intent.approvedBy ? `, approved by ${actorText(intent.approvedBy)}` : ""
          }.`,
        ),
      ]);
    case "failback-aborted":
      return message(`[${v.id}] Failback aborted: ${intent.reason}`, [
        section(
          `:warning: *Failback aborted:* ${escapeMrkdwn(intent.reason)}. Traffic goes back: ${weightsText(intent.weights, v.providers)}. Failback will be proposed again once ${escapeMrkdwn(v.primary)} has been healthy for ${durationText(v.policy.recovery.sustainSeconds)}.`,
        ),
      ]);
    case "failback-deferred":
      return message(`[${v.id}] ${deferredPlain(intent)}`, [section(deferredLine(intent))]);
    case "dns-error":
      return message(
        `[${v.id}] Route 53 change ${intent.rejected ? "refused" : "failed"}: ${intent.message}`,
        [
          section(
            intent.rejected
              ? `:rotating_light: *Route 53 refused the weight change* for \`${escapeMrkdwn(host)}\`: ${escapeMrkdwn(clip(intent.message, 500))}\nNo automatic retry: fix the cause, then fail over or back by hand.`
              : `:warning: *Route 53 weight change failed* for \`${escapeMrkdwn(host)}\`, retrying${
                  intent.retryAt ? ` at ${slackTime(intent.retryAt)}` : ""
                }: ${escapeMrkdwn(clip(intent.message, 500))}`,
          ),
          context([`Weights requested: ${weightsText(intent.weights, v.providers)}.`]),
        ],
      );
    case "dns-disagrees": {
      const seen = intent.answers.length > 0 ? intent.answers.join(", ") : (intent.error ?? "no answer");
      return message(`[${v.id}] Public DNS for ${host} disagrees from ${intent.region}: ${seen}`, [
        section(
          `:mag: *Public DNS for \`${escapeMrkdwn(host)}\` disagrees with the state* from ${escapeMrkdwn(intent.region)} since ${slackTime(intent.since)}: it answers \`${escapeMrkdwn(clip(seen, 300))}\`, the state expects \`${escapeMrkdwn(intent.expected.join(", ") || "nothing")}\`.`,
        ),
        context([
          "Longer than the TTL plus Route 53's time to apply the change. Check the record in Route 53 (idpctl status) and the zone's delegation.",
        ]),
      ]);
    }
    case "flapping-paused":
      return message(
        `[${v.id}] Flapping: automatic changes paused until ${utcMinute(intent.until)}, staying on ${intent.serving}`,
        [
          header(`:pause_button: Flapping: automatic changes paused for ${host}`),
          section(
            `${intent.changes} automatic DNS changes in the last hour (limit ${intent.limit}). ${escapeMrkdwn(host)} *stays on ${escapeMrkdwn(intent.serving)}*; automatic changes resume after an hour in which none is wanted (now ${slackTime(intent.until)}, later if flapping goes on).`,
          ),
          context([
            `To resume now: \`idpctl resume --site ${escapeMrkdwn(v.id)} --reason "..."\`. To move by hand: \`idpctl failover --site ${escapeMrkdwn(v.id)} --to PROVIDER --reason "..."\`.`,
          ]),
        ],
      );
    case "flapping-resumed":
      return message(`[${v.id}] Automatic changes resumed for ${host}`, [
        section(
          `:arrow_forward: *Automatic changes resumed* for \`${escapeMrkdwn(host)}\` (${slackTime(intent.at)}): ${escapeMrkdwn(intent.reason)}.`,
        ),
      ]);
    case "incident-resolved":
      return message(
        `[${v.id}] Incident resolved: ${intent.provider} ${utcMinute(intent.start)} .. ${utcMinute(intent.endAt)}`,
        [
          section(
            `:white_check_mark: *Incident resolved* (${slackTime(intent.at)}): ${escapeMrkdwn(intent.provider)} was in trouble from ${slackTime(intent.start)} to ${slackTime(intent.endAt)} (${durationText(Math.round((Date.parse(intent.endAt) - Date.parse(intent.start)) / 1000))})${
              intent.failoverTo ? `; ${escapeMrkdwn(intent.failoverTo)} served meanwhile` : ""
            }.${intent.suppressed ? ` ${intent.suppressed} smaller update(s) were held back to keep this thread readable.` : ""}`,
          ),
        ],
      );
    case "readiness-low":
      return renderReadinessLow(intent, v);
    case "failover-held":
      return message(`[${v.id}] Failover of ${host} to ${intent.to} held: ${intent.reason}`, [
        header(`:no_entry: Failover of ${host} held by the readiness gate`),
        section(
          `*${escapeMrkdwn(intent.from)} is down* and ${escapeMrkdwn(intent.to)} is healthy, but the policy holds automatic failover: ${escapeMrkdwn(intent.reason)}.\nTo fail over anyway: \`idpctl failover --site ${escapeMrkdwn(v.id)} --to ${escapeMrkdwn(intent.to)}\` (an operator's failover is never gated).`,
        ),
        ...evidenceBlocks(intent.evidence, intent.from),
      ]);
    case "frozen":
      return message(`[${v.id}] ${host} frozen by ${intent.by}: no automatic action`, [
        section(
          `:ice_cube: *${escapeMrkdwn(host)} frozen* by ${actorText(intent.by)}: ${escapeMrkdwn(intent.reason)}. No automatic action until it is unfrozen; a pending failback request is cancelled.`,
        ),
      ]);
    case "unfrozen":
      return message(`[${v.id}] ${host} unfrozen, resumed as ${intent.resumedAs}`, [
        section(
          `:arrow_forward: *${escapeMrkdwn(host)} unfrozen* by ${actorText(intent.by)}; resumed as \`${intent.resumedAs}\`.`,
        ),
      ]);
  }
}

function renderReadinessLow(
  intent: Extract<NotificationIntent, { kind: "readiness-low" }>,
  v: SiteView,
): SlackMessage {
  const secondary = escapeMrkdwn(intent.secondary);
  if (intent.status === "partial" || intent.readinessPct === null) {
    return message(`[${v.id}] Readiness of ${intent.secondary} unknown: the read was partial`, [
      section(
        `:grey_question: *Readiness of ${secondary} for \`${escapeMrkdwn(v.hostname)}\` is unknown:* the last run could not read everything, so it gives no score.`,
      ),
      section(
        intent.reasons.map((r) => `• ${escapeMrkdwn(clip(r, 300))}`).join("\n") || "• (no reason recorded)",
      ),
      context([
        `Run \`idpctl readiness --site ${escapeMrkdwn(v.id)}\` to see it; docs/readiness.md lists the scopes and permissions.`,
      ]),
    ]);
  }
  const pct = formatReadinessPct(intent.readinessPct);
  const apps = intent.apps
    .slice(0, 5)
    .map((a) => `• ${escapeMrkdwn(a.name)}: ${a.notCoveredCount} user(s) could not sign in`)
    .join("\n");
  return message(`[${v.id}] ${intent.secondary} is ${pct} ready, below ${intent.minReadinessPct}%`, [
    header(`:warning: ${intent.secondary} is ${pct} ready for ${v.hostname}`),
    section(
      `A failover now would leave some of the primary's ${intent.primaryActive} active users unable to sign in: below the minimum of ${intent.minReadinessPct}%. Failover is not held by this (a partly ready secondary beats a primary that is down).`,
    ),
    fieldsSection([
      `*No account in ${secondary}*\n${intent.missingCount}`,
      `*Disabled in ${secondary}*\n${intent.disabledCount}`,
    ]),
    ...(apps ? [section(`*Apps with users left out*\n${apps}`)] : []),
    context([
      `Details: \`idpctl readiness --site ${escapeMrkdwn(v.id)}\`, \`idpctl status\`, or the dashboard.`,
    ]),
  ]);
}

/**
 * The reply posted in an existing thread: shorter where the thread already says the rest.
 * Intents without a shorter form reply with their standalone rendering.
 */
export function renderReply(intent: NotificationIntent, v: SiteView): SlackMessage {
  if (intent.kind === "failed-over") {
    const change = intent.changeId ? `DNS change \`${escapeMrkdwn(intent.changeId)}\`` : "The weights";
    return message(`[${v.id}] DNS in sync: ${intent.to} serves ${v.hostname}`, [
      section(
        `:white_check_mark: ${change} is INSYNC (${slackTime(intent.insyncAt)}): ${escapeMrkdwn(intent.to)} serves \`${escapeMrkdwn(v.hostname)}\`.`,
      ),
    ]);
  }
  return renderNotification(intent, v);
}

/** The approval request, with its buttons and their confirm dialogs, and when it expires. */
export function renderApprovalRequest(
  intent: Extract<NotificationIntent, { kind: "failback-requested" }>,
  v: SiteView,
): SlackMessage {
  const secondary = v.providers.find((p) => p !== intent.primary) ?? "the secondary";
  const { failback } = v.policy;
  const steps = failback.steps.map((s) => `${s}%`).join(" → ");
  const value = JSON.stringify({ site: v.id, approvalId: intent.approvalId });
  const button = (
    answer: ApprovalAnswer,
    label: string,
    confirm: { title: string; text: string; ok: string },
    style?: "primary" | "danger",
  ): ButtonElement => ({
    type: "button",
    action_id: approvalActions[answer],
    text: plain(label, limits.buttonText),
    value,
    ...(style ? { style } : {}),
    confirm: {
      title: plain(confirm.title, limits.confirmTitle),
      text: plain(confirm.text, limits.confirmText),
      confirm: plain(confirm.ok, limits.confirmButton),
      deny: plain("Cancel", limits.confirmButton),
      ...(style ? { style } : {}),
    },
  });
  return message(`[${v.id}] Approve failback of ${v.hostname} to ${intent.primary}?`, [
    header(`:leftwards_arrow_with_hook: Fail back ${v.hostname} to ${intent.primary}?`),
    section(
      `${escapeMrkdwn(intent.primary)} has been healthy in every region since ${slackTime(intent.healthySince)}. Approving moves traffic back in steps (${steps} on ${escapeMrkdwn(intent.primary)}), each held ${durationText(failback.holdSeconds)}; any trouble on the way sends it back to ${escapeMrkdwn(secondary)}.`,
    ),
    {
      type: "actions",
      block_id: approvalBlocks.actions,
      elements: [
        button(
          "approve",
          "Approve failback",
          {
            title: "Approve failback?",
            text: `Move ${v.hostname} back to ${intent.primary} in steps (${steps}).`,
            ok: "Approve",
          },
          "primary",
        ),
        button("snooze", `Snooze ${durationText(failback.snoozeSeconds)}`, {
          title: "Snooze failback?",
          text: `Stay on ${secondary} and ask again in ${durationText(failback.snoozeSeconds)}.`,
          ok: "Snooze",
        }),
        button(
          "decline",
          "Stay on secondary",
          {
            title: "Stay on secondary?",
            text: `Keep ${v.hostname} on ${secondary}; failback is proposed again in ${durationText(failback.declineSeconds)}.`,
            ok: "Stay",
          },
          "danger",
        ),
      ],
    },
    context(
      [
        `Expires ${slackTime(intent.expiresAt)} (${utcMinute(intent.expiresAt)}); unanswered, a new request follows.`,
      ],
      approvalBlocks.expiry,
    ),
  ]);
}

/**
 * An answered approval message: the buttons and the expiry go, a status line says what happened.
 * Works on the blocks as posted (from the stored ref or the click's payload), so it keeps the
 * request's wording while it changes.
 */
export function answeredApproval(
  blocks: readonly LooseBlock[],
  status: string,
  fallbackText: string,
): { text: string; blocks: LooseBlock[] } {
  const answerable = new Set<unknown>([approvalBlocks.actions, approvalBlocks.expiry, approvalBlocks.status]);
  const kept = blocks.filter((b) => !answerable.has(b.block_id) && b.type !== "actions");
  return {
    text: clip(fallbackText, limits.messageText),
    blocks: [...kept.slice(0, limits.blocks - 1), section(status, approvalBlocks.status)],
  };
}

/** The status line an approval message shows after this intent, if the intent concerns it. */
export function approvalStatusLine(intent: NotificationIntent, v: SiteView): string | undefined {
  switch (intent.kind) {
    case "failback-progress":
      return progressLine(intent, v);
    case "failback-done":
      return `:white_check_mark: *Failback complete* ${slackTime(intent.at)}${
        intent.approvedBy ? ` (approved by ${actorText(intent.approvedBy)})` : ""
      }: ${escapeMrkdwn(intent.primary)} serves \`${escapeMrkdwn(v.hostname)}\` again.`;
    case "failback-aborted":
      return `:warning: *Failback aborted* ${slackTime(intent.at)}: ${escapeMrkdwn(intent.reason)}.`;
    case "failback-deferred":
      return deferredLine(intent);
    default:
      return undefined;
  }
}

/** The status line right after a person answered in Slack (before the evaluator moves on). */
export function answerStatusLine(
  answer: ApprovalAnswer,
  actor: string,
  at: string,
  v: SiteView,
  until?: string,
): string {
  const who = actorText(actor);
  switch (answer) {
    case "approve":
      return `:white_check_mark: *Approved* by ${who} at ${slackTime(at)}. Moving traffic back to ${escapeMrkdwn(v.primary)} in steps (${v.policy.failback.steps.map((s) => `${s}%`).join(" → ")}).`;
    case "snooze":
      return `:zzz: *Snoozed* by ${who} at ${slackTime(at)}${until ? `; asking again after ${slackTime(until)}` : ""}.`;
    case "decline":
      return `:no_entry: ${who} chose to *stay on the secondary* at ${slackTime(at)}${
        until ? `; failback is proposed again after ${slackTime(until)}` : ""
      }.`;
  }
}

/** The status line of an approval closed earlier (shown when someone clicks it again). */
export function closedStatusLine(
  outcome: "approved" | "snoozed" | "declined" | "expired" | "cancelled",
  by: string,
  at: string,
): string {
  const who = actorText(by);
  switch (outcome) {
    case "approved":
      return `:white_check_mark: *Approved* by ${who} at ${slackTime(at)}.`;
    case "snoozed":
      return `:zzz: *Snoozed* by ${who} at ${slackTime(at)}.`;
    case "declined":
      return `:no_entry: ${who} chose to *stay on the secondary* at ${slackTime(at)}.`;
    case "expired":
      return `:hourglass: *Expired* unanswered at ${slackTime(at)}; a newer request replaces it.`;
    case "cancelled":
      return `:x: *Cancelled* at ${slackTime(at)} by ${who}.`;
  }
}

/** A banner for the thread's first message once the incident (or the monitor's trouble) is over. */
export function resolvedBanner(intent: NotificationIntent, v: SiteView): string | undefined {
  if (intent.kind === "failback-done") {
    return `:white_check_mark: *Resolved* ${slackTime(intent.at)}: ${escapeMrkdwn(intent.primary)} serves \`${escapeMrkdwn(v.hostname)}\` again.`;
  }
  if (intent.kind === "incident-resolved") return `:white_check_mark: *Resolved* ${slackTime(intent.at)}.`;
  if (intent.kind === "monitor-restored") return `:white_check_mark: *Restored* ${slackTime(intent.at)}.`;
  return undefined;
}

export const bannerBlockId = "incident_banner";

/** The thread's first message with a banner on top (replacing an earlier banner). */
export function withBanner(blocks: readonly LooseBlock[], banner: string): LooseBlock[] {
  const rest = blocks.filter((b) => b.block_id !== bannerBlockId);
  return [context([banner], bannerBlockId), ...rest.slice(0, limits.blocks - 1)];
}

function progressLine(
  intent: Extract<NotificationIntent, { kind: "failback-progress" }>,
  v: SiteView,
): string {
  const last = intent.step >= intent.steps;
  const next = last
    ? `Holding ${durationText(v.policy.failback.holdSeconds)} before calling it done.`
    : `Next step after ${durationText(v.policy.failback.holdSeconds)} healthy.`;
  return `:arrow_right: *Failback step ${intent.step} of ${intent.steps}* in sync (${slackTime(intent.at)}): ${weightsText(intent.weights, v.providers)}. ${next} Approved by ${actorText(intent.approvedBy)}.`;
}

function deferredLine(intent: Extract<NotificationIntent, { kind: "failback-deferred" }>): string {
  const until = intent.until ? slackTime(intent.until) : undefined;
  switch (intent.outcome) {
    case "snoozed":
      return `:zzz: *Failback snoozed* by ${actorText(intent.by)}${until ? ` until ${until}` : ""}.`;
    case "declined":
      return `:no_entry: ${actorText(intent.by)} chose to *stay on the secondary*${until ? `; failback is proposed again after ${until}` : ""}.`;
    case "expired":
      return `:hourglass: *Failback request expired* unanswered (${slackTime(intent.at)}); a new request follows.`;
    case "cancelled":
      return `:x: *Failback request cancelled:* ${escapeMrkdwn(intent.reason)}.`;
  }
}

function deferredPlain(intent: Extract<NotificationIntent, { kind: "failback-deferred" }>): string {
  switch (intent.outcome) {
    case "snoozed":
      return `Failback snoozed until ${intent.until ? utcMinute(intent.until) : "later"}`;
    case "declined":
      return `Staying on the secondary until ${intent.until ? utcMinute(intent.until) : "later"}`;
    case "expired":
      return "Failback request expired; a new one follows";
    case "cancelled":
      return `Failback request cancelled: ${intent.reason}`;
  }
}

function plainWeights(weights: Record<string, number>, v: SiteView): string {
  return weightsText(weights, v.providers).replace(/\\/g, "");
}

function evidenceBlocks(regions: readonly RegionEvidence[], provider: string): Block[] {
  if (regions.length === 0) return [];
  return [
    divider(),
    section(`*What each region saw of ${escapeMrkdwn(provider)}*\n${evidenceLines(regions).join("\n")}`),
  ];
}

/**
 * "Both down" carries every provider's regions in one list, in provider order; a region repeating
 * starts the next provider's group.
 */
function groupByProvider(
  evidence: readonly RegionEvidence[],
  providers: readonly string[],
): Array<[string, RegionEvidence[]]> {
  const groups: RegionEvidence[][] = [];
  let current: RegionEvidence[] = [];
  for (const entry of evidence) {
    if (current.some((r) => r.region === entry.region)) {
      groups.push(current);
      current = [];
    }
    current.push(entry);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((regions, i) => [providers[i] ?? `provider ${i + 1}`, regions]);
}

const modeText = {
  "read-only": "read-only mode",
  "backup-auth": "backup authentication",
} as const;

const modeAdvice = {
  "read-only":
    "Sign-ins and tokens work; admin changes, provisioning and self-service (password resets, enrolments) fail until it ends. No failover: it is no reason to leave.",
  "backup-auth":
    "Existing sessions are renewed, but new interactive sign-ins fail: it is no failover target while this lasts. If it is the provider serving traffic, consider `idpctl failover` by hand.",
} as const;

function list(items: readonly string[]): string {
  return items.length > 0 ? items.map(escapeMrkdwn).join(", ") : "none";
}

function message(text: string, blocks: Block[]): SlackMessage {
  return { text: clip(text, limits.messageText), blocks: blocks.slice(0, limits.blocks) };
}
