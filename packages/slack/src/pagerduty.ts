import { createHash } from "node:crypto";
import {
  type Config,
  deploymentScope,
  type NotificationIntent,
  type NotificationKind,
  notificationTargets,
  notificationText,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { clip } from "./block-kit.js";
import { postJson, type VendorSenderOptions } from "./channel-http.js";
import type { NotificationSender, SendOutcome } from "./notification-sender.js";
import { threadRule } from "./threads.js";

/*
 * PagerDuty Events API v2 (docs/setup-pagerduty.md; PagerDuty's "Send an Alert Event"): one alert per
 * incident, opened by what needs a human, acknowledged when an operator takes it, resolved when the
 * login is back on the primary. The dedup_key is the Slack thread's key (threads.ts) under the site:
 * one incident is one Slack thread and one PagerDuty alert, and the episodes outside incidents (the
 * monitor's trouble, a flapping pause, a standby down) are each one alert too.
 *
 * PagerDuty drops an acknowledge or resolve for a key with no open alert, so a resolve for an
 * incident that never paged (one that only degraded) costs one accepted request and nothing else.
 */

export const pagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

export type PagerDutyAction = "trigger" | "acknowledge" | "resolve";
export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/** What each kind does in PagerDuty; kinds not listed are not sent (Slack and Teams still show them). */
export const pagerDutyMapping: Partial<
  Record<NotificationKind, { action: PagerDutyAction; severity?: PagerDutySeverity }>
> = {
  "failing-over": { action: "trigger", severity: "critical" },
  "failed-over": { action: "trigger", severity: "critical" },
  "both-down": { action: "trigger", severity: "critical" },
  "failover-held": { action: "trigger", severity: "critical" },
  "failback-aborted": { action: "trigger", severity: "error" },
  "flapping-paused": { action: "trigger", severity: "error" },
  "dns-error": { action: "trigger", severity: "error" },
  // Severity by whether the monitor can still decide: see pagerDutyEvent.
  "monitor-impaired": { action: "trigger" },
  "provider-down": { action: "trigger", severity: "warning" },
  "failback-requested": { action: "trigger", severity: "warning" },
  "failback-started": { action: "acknowledge" },
  frozen: { action: "acknowledge" },
  "failback-done": { action: "resolve" },
  "incident-resolved": { action: "resolve" },
  "monitor-restored": { action: "resolve" },
  "flapping-resumed": { action: "resolve" },
  "provider-recovered": { action: "resolve" },
};

/** An Events API v2 event as we send it (PagerDuty's field names). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: PagerDutyAction;
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
  client?: string;
  client_url?: string;
}

/** PagerDuty's limits: summary 1024 characters, dedup_key 255. */
const maxSummary = 1024;
const maxDedupKey = 255;

/** The alert an intent belongs to: its site and its Slack thread's key. */
export function pagerDutyDedupKey(intent: NotificationIntent): string {
  const key = `idp-failover/${intent.site}/${threadRule(intent).key}`;
  if (key.length <= maxDedupKey) return key;
  // Site ids are short; a key this long can only come from a long incident id. Stable either way.
  return `idp-failover/${createHash("sha256").update(key).digest("hex")}`;
}

/** What an intent does in PagerDuty, or undefined when it is not sent there (see `pagerDutyEvent`). */
export function pagerDutyAction(intent: NotificationIntent): PagerDutyAction | undefined {
  const action = pagerDutyMapping[intent.kind]?.action;
  return action === "acknowledge" && !intent.incidentId ? undefined : action;
}

/**
 * The event an intent becomes, or undefined when it does not go to PagerDuty: an info-only kind, or
 * an acknowledgement outside an incident (a freeze with no incident has no alert to acknowledge).
 */
export function pagerDutyEvent(
  intent: NotificationIntent,
  routingKey: string,
  context: { config: Pick<Config, "sites">; linkUrl?: string | undefined },
): PagerDutyEvent | undefined {
  const action = pagerDutyAction(intent);
  const mapped = pagerDutyMapping[intent.kind];
  if (!action || !mapped) return undefined;
  const base = { routing_key: routingKey, event_action: action, dedup_key: pagerDutyDedupKey(intent) };
  if (action !== "trigger") return base;
  const site = context.config.sites.find((s) => s.id === intent.site);
  const severity =
    mapped.severity ?? (intent.kind === "monitor-impaired" && intent.holding ? "error" : "warning");
  const where = intent.site === deploymentScope ? "idp-failover" : (site?.hostname ?? intent.site);
  const { id: _id, ...details } = intent;
  return {
    ...base,
    payload: {
      summary: clip(`${where}: ${notificationText(intent)}`, maxSummary),
      // PagerDuty: "the unique location of the affected system, preferably a hostname".
      source: site?.hostname ?? "idp-failover monitor",
      severity,
      timestamp: intent.at,
      ...("provider" in intent && typeof intent.provider === "string" ? { component: intent.provider } : {}),
      group: intent.site,
      class: intent.kind,
      custom_details: details,
    },
    ...(context.linkUrl
      ? { links: [{ href: context.linkUrl, text: "idp-failover dashboard / runbook" }] }
      : {}),
    client: "idp-failover",
    ...(context.linkUrl ? { client_url: context.linkUrl } : {}),
  };
}

/** PagerDuty's answer to an event (202 with the dedup_key; 400 with the reasons). */
const pagerDutyAnswerSchema = z.object({
  status: z.optional(z.string()),
  message: z.optional(z.string()),
  dedup_key: z.optional(z.string()),
  errors: z.optional(z.array(z.string())),
});

/** A PagerDuty integration with its routing key resolved by the caller. */
export interface PagerDutyEndpoint {
  /** Its outbox channel: `pagerduty` or `pagerduty@{site}`. */
  channel: string;
  routingKey: string;
  linkUrl?: string;
  /** Default PagerDuty's; the drill and tests point it at the stand-in. */
  eventsUrl?: string;
  /** For local tests and the drill only: the endpoint may be on a loopback or private address. */
  allowPrivate?: boolean;
}

/** Sends intents to one PagerDuty integration. Every outcome is a value. */
export class PagerDutySender implements NotificationSender {
  constructor(
    private readonly endpoint: PagerDutyEndpoint,
    private readonly options: VendorSenderOptions,
  ) {}

  async send(intent: NotificationIntent): Promise<SendOutcome> {
    const event = pagerDutyEvent(intent, this.endpoint.routingKey, {
      config: this.options.config,
      linkUrl: this.endpoint.linkUrl,
    });
    // Not a PagerDuty matter: delivered, in the sense that nothing is owed to this channel.
    if (!event) return { kind: "sent" };
    const name = `PagerDuty (${this.endpoint.channel})`;
    const answer = await postJson(this.endpoint.eventsUrl ?? pagerDutyEventsUrl, event, name, this.options, {
      allowPrivate: this.endpoint.allowPrivate,
    });
    if (answer.kind !== "answered") return answer;
    const { status, body } = answer;
    // PagerDuty: 202 accepted; 400 "check that the JSON is valid", never retried; 429 and 5xx retried.
    if (status >= 200 && status < 300) return { kind: "sent" };
    if (status === 400) {
      const parsed = pagerDutyAnswerSchema.safeParse(parseJson(body));
      const reasons = parsed.success ? [parsed.data.message, ...(parsed.data.errors ?? [])] : [];
      const why = reasons.filter(Boolean).join("; ") || clip(body, 200);
      return { kind: "rejected", message: `${name}: HTTP 400, the event was refused: ${why}` };
    }
    return answer.retry;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Every PagerDuty integration of the config (the deployment's and the sites' own) with its routing
 * key, and those whose key is not set (their deliveries wait).
 */
export function pagerDutyEndpoints(
  config: Config,
  secretOf: (ref: string) => string | undefined,
): { endpoints: PagerDutyEndpoint[]; missing: Array<{ channel: string; secretRef: string }> } {
  const endpoints: PagerDutyEndpoint[] = [];
  const missing: Array<{ channel: string; secretRef: string }> = [];
  for (const target of notificationTargets(config)) {
    if (target.kind !== "pagerduty") continue;
    const { routingKeyRef, linkUrl } = target.pagerduty;
    const routingKey = secretOf(routingKeyRef);
    if (routingKey) endpoints.push({ channel: target.channel, routingKey, ...(linkUrl ? { linkUrl } : {}) });
    else missing.push({ channel: target.channel, secretRef: routingKeyRef });
  }
  return { endpoints, missing };
}
