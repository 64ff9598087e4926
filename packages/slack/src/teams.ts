import {
  type Config,
  deploymentScope,
  type NotificationIntent,
  notificationTargets,
  notificationText,
  weightsText,
} from "@idp-failover/core";
import { clip } from "./block-kit.js";
import { postJson, type VendorSenderOptions } from "./channel-http.js";
import type { NotificationSender, SendOutcome } from "./notification-sender.js";

/*
 * Microsoft Teams through a Workflows webhook (docs/setup-teams.md): the channel's "Send webhook
 * alerts to a channel" workflow takes a message with one Adaptive Card attachment and posts the card.
 * (Office 365 connectors, the old incoming webhooks, are retired.) The card says what happened, to
 * which site, what state it leaves the login in, which IdP serves it, and when, with a link to the
 * dashboard or runbook.
 *
 * No Approve button: approving a failback moves every user's login, so it needs to know who pressed
 * it. Slack signs each click with the clicking user's id, which we check against the approvers; a
 * Workflows webhook is one-way (nothing comes back to us, let alone a verified identity). Teams says
 * where to approve instead: in Slack, or `idpctl failback`.
 */

/** Teams renders Adaptive Cards up to 1.5; this card uses only 1.0 elements (TextBlock, FactSet, OpenUrl). */
export const teamsCardVersion = "1.4";
/** Teams refuses messages over 28 KB; the card is kept well below (long texts are clipped). */
export const teamsMaxMessageBytes = 28 * 1024;

type Card = Record<string, unknown>;

/** Where an intent leaves the site, in an operator's words. */
function situation(intent: NotificationIntent): string {
  switch (intent.kind) {
    case "failing-over":
      return `failing over to ${intent.to}`;
    case "failed-over":
      return `failed over: ${intent.to} serves the login`;
    case "both-down":
      return "no provider can serve: no failover possible";
    case "failover-held":
      return `failover held: still on ${intent.from}`;
    case "failback-requested":
      return "waiting for a failback approval";
    case "failback-started":
    case "failback-progress":
      return "failing back";
    case "failback-done":
      return `healthy on ${intent.primary}`;
    case "failback-aborted":
      return "failback aborted";
    case "failback-deferred":
      return `failback ${intent.outcome}`;
    case "incident-resolved":
      return "incident resolved";
    case "flapping-paused":
      return "automatic changes paused (flapping)";
    case "flapping-resumed":
      return "automatic changes resumed";
    case "monitor-impaired":
      return intent.holding ? "monitor impaired: holding" : "monitor impaired";
    case "monitor-restored":
      return "monitor restored";
    case "frozen":
      return "frozen: no automatic changes";
    case "unfrozen":
      return "unfrozen";
    case "dns-error":
    case "dns-disagrees":
      return "DNS trouble";
    default:
      return intent.kind.replaceAll("-", " ");
  }
}

/** Which IdP serves the login, when the intent says. */
function serving(intent: NotificationIntent): string | undefined {
  switch (intent.kind) {
    case "failed-over":
      return intent.to;
    case "failback-done":
      return intent.primary;
    case "flapping-paused":
      return intent.serving;
    case "failover-held":
      return intent.from;
    default:
      return "weights" in intent ? weightsText(intent.weights) : undefined;
  }
}

/** The Adaptive Card of one intent. */
export function teamsCard(
  intent: NotificationIntent,
  context: { config: Pick<Config, "sites">; linkUrl?: string | undefined },
): Card {
  const site = context.config.sites.find((s) => s.id === intent.site);
  const where =
    intent.site === deploymentScope ? "the deployment (every site)" : (site?.hostname ?? intent.site);
  const now = serving(intent);
  const facts = [
    { title: "Site", value: intent.site === deploymentScope ? "every site" : `${intent.site} (${where})` },
    { title: "State", value: situation(intent) },
    ...(now ? [{ title: "Serving", value: now }] : []),
    { title: "When", value: intent.at },
    ...(intent.incidentId ? [{ title: "Incident", value: intent.incidentId }] : []),
    { title: "Event", value: intent.kind },
  ];
  const body: Card[] = [
    {
      type: "TextBlock",
      text: clip(`idp-failover · ${where}`, 200),
      weight: "Bolder",
      size: "Medium",
      wrap: true,
    },
    { type: "TextBlock", text: clip(notificationText(intent), 2000), wrap: true },
    { type: "FactSet", facts: facts.map((f) => ({ title: f.title, value: clip(f.value, 300) })) },
  ];
  if (intent.kind === "failback-requested") {
    body.push({
      type: "TextBlock",
      text: `Approve or decline in Slack, or run \`idpctl failback --config <file> --site ${intent.site}\`. Teams has no Approve button: approval needs a verified identity.`,
      wrap: true,
      isSubtle: true,
    });
  }
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: teamsCardVersion,
    body,
    ...(context.linkUrl
      ? { actions: [{ type: "Action.OpenUrl", title: "Open dashboard / runbook", url: context.linkUrl }] }
      : {}),
    msteams: { width: "Full" },
  };
}

/** The message a Workflows webhook takes: one Adaptive Card attachment. */
export function teamsMessage(card: Card): Record<string, unknown> {
  return {
    type: "message",
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
    ],
  };
}

/** A Teams channel's workflow with its URL resolved by the caller (the URL is the secret). */
export interface TeamsEndpoint {
  /** Its outbox channel: `teams` or `teams@{site}`. */
  channel: string;
  webhookUrl: string;
  linkUrl?: string;
  /** For local tests and the drill only: the endpoint may be on a loopback or private address. */
  allowPrivate?: boolean;
}

/** Posts intents as cards to one Teams workflow. Every outcome is a value. */
export class TeamsSender implements NotificationSender {
  constructor(
    private readonly endpoint: TeamsEndpoint,
    private readonly options: VendorSenderOptions,
  ) {}

  async send(intent: NotificationIntent): Promise<SendOutcome> {
    const name = `Teams (${this.endpoint.channel})`;
    const message = teamsMessage(
      teamsCard(intent, { config: this.options.config, linkUrl: this.endpoint.linkUrl }),
    );
    const bytes = Buffer.byteLength(JSON.stringify(message));
    if (bytes > teamsMaxMessageBytes) {
      return { kind: "rejected", message: `${name}: the card is ${bytes} bytes, over Teams' 28 KB` };
    }
    // The URL carries the workflow's signature: never put it in a message.
    const answer = await postJson(this.endpoint.webhookUrl, message, name, this.options, {
      allowPrivate: this.endpoint.allowPrivate,
    });
    if (answer.kind !== "answered") return answer;
    const { status } = answer;
    if (status >= 200 && status < 300) return { kind: "sent" };
    // 400 and 413: the card itself is refused, another try cannot help. 401/403/404: the workflow
    // was turned off, deleted or its URL rotated; an operator can fix that, so it waits.
    if (status === 400 || status === 413) {
      return {
        kind: "rejected",
        message: `${name}: HTTP ${status}, the card was refused: ${clip(answer.body, 200)}`,
      };
    }
    return answer.retry;
  }
}

/** Every Teams workflow of the config with its URL, and those whose URL secret is not set or not https. */
export function teamsEndpoints(
  config: Config,
  secretOf: (ref: string) => string | undefined,
): { endpoints: TeamsEndpoint[]; missing: Array<{ channel: string; secretRef: string; problem?: string }> } {
  const endpoints: TeamsEndpoint[] = [];
  const missing: Array<{ channel: string; secretRef: string; problem?: string }> = [];
  for (const target of notificationTargets(config)) {
    if (target.kind !== "teams") continue;
    const { webhookUrlRef, linkUrl } = target.teams;
    const url = secretOf(webhookUrlRef);
    if (!url) missing.push({ channel: target.channel, secretRef: webhookUrlRef });
    else if (!isHttpsUrl(url)) {
      missing.push({ channel: target.channel, secretRef: webhookUrlRef, problem: "is not an https URL" });
    } else endpoints.push({ channel: target.channel, webhookUrl: url, ...(linkUrl ? { linkUrl } : {}) });
  }
  return { endpoints, missing };
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === "https:";
  } catch {
    return false;
  }
}
