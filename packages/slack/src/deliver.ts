import {
  type Clock,
  type Config,
  type MessageRefs,
  type NotificationOutbox,
  notificationTargets,
  type OutboxDelivery,
  type Redactor,
  redactingPort,
} from "@idp-failover/core";
import type { HttpClient, ResolveAll } from "@idp-failover/http";
import { errorText, type NotificationSender, type SendOutcome } from "./notification-sender.js";
import { type PagerDutyEndpoint, PagerDutySender } from "./pagerduty.js";
import { type SlackBots, slackBotFor } from "./slack-client.js";
import { SlackNotificationSender } from "./slack-notification-sender.js";
import { type TeamsEndpoint, TeamsSender } from "./teams.js";
import { HttpWebhookSender, type WebhookEndpoint } from "./webhooks.js";

/*
 * The notification deliverer: takes due deliveries from the outbox and sends each on its channel
 * (`slack`, `webhook:{name}`, `pagerduty`, `teams`, and a site's own `slack@{site}`,
 * `webhook:{name}@{site}`, `pagerduty@{site}`, `teams@{site}`: see core's outbox-notifier.ts). The evaluator only ever writes to the outbox, so Slack or a webhook
 * being down never delays a failover; here, one channel failing never delays another:
 *   - channels run side by side; within a channel, deliveries go in order (threads need their start);
 *   - a channel that fails is not tried again in this run (its other deliveries wait, untouched);
 *   - a rate limit (429 + Retry-After) reschedules the rest of that channel's batch to that moment;
 *   - a failed delivery is retried with backoff, and abandoned (kept, marked) after `maxAttempts`.
 */

export interface RetryPolicy {
  /** Attempts before a delivery is abandoned. */
  maxAttempts: number;
  /** Wait after the n-th failed attempt (the last value repeats). */
  backoffSeconds: readonly number[];
  /** A Retry-After longer than this is capped (a misbehaving endpoint cannot park alerts for days). */
  maxRetryAfterSeconds: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 12,
  backoffSeconds: [15, 30, 60, 120, 300, 600, 900, 1800, 3600],
  maxRetryAfterSeconds: 3600,
};

/** A structured log line; never given tokens, secrets or signatures. */
export type DeliveryLog = (entry: Record<string, unknown>) => void;

export interface DeliveryDeps {
  outbox: NotificationOutbox;
  clock: Clock;
  /** Senders by channel name (`slack`, `webhook:{name}`). See `notificationSenders`. */
  senders: ReadonlyMap<string, NotificationSender>;
  log?: DeliveryLog;
  /**
   * The runtime's redactor: every sender, whatever its channel (Slack, webhooks, any added later),
   * gets the intent with the secrets removed.
   */
  redactor?: Redactor;
}

export interface DeliveryOptions {
  /** Deliveries taken from the outbox in one run. Default 50. */
  limit?: number;
  retry?: RetryPolicy;
}

export interface DeliveryResult {
  channel: string;
  intentId: string;
  kind: string;
  outcome: "delivered" | "retry" | "abandoned";
  error?: string;
  nextAttemptAt?: number;
}

export interface DeliveryReport {
  results: DeliveryResult[];
  /** Deliveries left for a later run because their channel failed earlier in this one. */
  skipped: number;
}

/**
 * One delivery run. Safe beside the evaluator; at-least-once per channel. Runs must not overlap: two
 * at once both take the same due deliveries and post every Slack message twice (the notify function
 * has reserved concurrency 1, the control loop runs one delivery at a time).
 */
export async function deliverNotifications(
  deps: DeliveryDeps,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const retry = options.retry ?? defaultRetryPolicy;
  const due = await deps.outbox.due(deps.clock.now(), options.limit ?? 50);
  const byChannel = new Map<string, OutboxDelivery[]>();
  // Within a channel, oldest intent first: a thread's start goes out before its replies when both wait.
  const ordered = [...due].sort((a, b) => Date.parse(a.intent.at) - Date.parse(b.intent.at));
  for (const delivery of ordered) {
    const list = byChannel.get(delivery.channel);
    if (list) list.push(delivery);
    else byChannel.set(delivery.channel, [delivery]);
  }
  const runs = await Promise.all(
    [...byChannel].map(([channel, deliveries]) => deliverChannel(deps, retry, channel, deliveries)),
  );
  return { results: runs.flatMap((r) => r.results), skipped: runs.reduce((n, r) => n + r.skipped, 0) };
}

async function deliverChannel(
  deps: DeliveryDeps,
  retry: RetryPolicy,
  channel: string,
  deliveries: OutboxDelivery[],
): Promise<DeliveryReport> {
  const results: DeliveryResult[] = [];
  const configured = deps.senders.get(channel);
  const sender = configured && deps.redactor ? redactingPort(configured, deps.redactor) : configured;
  for (const [i, delivery] of deliveries.entries()) {
    const outcome: SendOutcome = sender
      ? await sender
          .send(delivery.intent)
          .catch((error: unknown) => ({ kind: "retry" as const, message: errorText(error) }))
      : {
          kind: "retry",
          message: `no sender for channel ${channel} (not configured, or its secret is missing)`,
        };
    const now = deps.clock.now();
    const result = await record(deps, retry, delivery, outcome, now);
    results.push(result);
    deps.log?.({ msg: "notification delivery", ...result });
    if (outcome.kind !== "retry") continue;
    const rest = deliveries.slice(i + 1);
    if (outcome.retryAfterMs !== undefined && result.nextAttemptAt !== undefined) {
      // The channel told us when to come back: the rest of its batch waits until then too.
      for (const waiting of rest) {
        results.push(await deferred(deps, waiting, result.nextAttemptAt));
      }
      return { results, skipped: 0 };
    }
    return { results, skipped: rest.length };
  }
  return { results, skipped: 0 };
}

async function record(
  deps: DeliveryDeps,
  retry: RetryPolicy,
  delivery: OutboxDelivery,
  outcome: SendOutcome,
  now: number,
): Promise<DeliveryResult> {
  const base = { channel: delivery.channel, intentId: delivery.intent.id, kind: delivery.intent.kind };
  if (outcome.kind === "sent") {
    await deps.outbox.markDelivered(delivery, now);
    return { ...base, outcome: "delivered" };
  }
  const attempts = delivery.attempts + 1;
  const giveUp = outcome.kind === "rejected" || attempts >= retry.maxAttempts;
  const nextAttemptAt = giveUp ? undefined : now + waitMs(retry, attempts, outcome.retryAfterMs);
  await deps.outbox.markFailed(delivery, now, outcome.message, nextAttemptAt);
  return giveUp
    ? { ...base, outcome: "abandoned", error: outcome.message }
    : {
        ...base,
        outcome: "retry",
        error: outcome.message,
        ...(nextAttemptAt !== undefined ? { nextAttemptAt } : {}),
      };
}

/** A delivery its channel's rate limit kept from being tried: it waits, and keeps all its retries. */
async function deferred(
  deps: DeliveryDeps,
  delivery: OutboxDelivery,
  until: number,
): Promise<DeliveryResult> {
  const message = "not attempted: the channel is rate limited";
  await deps.outbox.postpone(delivery, until, message);
  return {
    channel: delivery.channel,
    intentId: delivery.intent.id,
    kind: delivery.intent.kind,
    outcome: "retry",
    error: message,
    nextAttemptAt: until,
  };
}

/** Backoff for the n-th failure, or the channel's own Retry-After (capped) when it gave one. */
export function waitMs(retry: RetryPolicy, attempts: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined)
    return Math.min(Math.max(retryAfterMs, 1000), retry.maxRetryAfterSeconds * 1000);
  const table = retry.backoffSeconds;
  const seconds = table[Math.min(attempts - 1, table.length - 1)] ?? 60;
  return seconds * 1000;
}

export interface NotificationSendersInput {
  config: Config;
  refs: MessageRefs;
  clock: Clock;
  /**
   * The bot's Web API client (`createSlackClient`), or the bots by token reference when sites have
   * Slack apps of their own (`alerting.slack.botTokenRef`); a Slack channel without its bot waits.
   */
  slack?: SlackBots;
  /** Configured webhooks with their secrets (`webhookEndpoints`). */
  webhooks?: readonly WebhookEndpoint[];
  /** The HTTP client webhooks are POSTed with (default: packages/http's, one per process). */
  http?: HttpClient;
  webhookTimeoutMs?: number;
  /** PagerDuty integrations with their routing keys (`pagerDutyEndpoints`). */
  pagerduty?: readonly PagerDutyEndpoint[];
  /** Teams workflows with their URLs (`teamsEndpoints`). */
  teams?: readonly TeamsEndpoint[];
  /** Resolves webhook, PagerDuty and Teams hosts (default: the system's); tests point a name at a local server with it. */
  resolveAll?: ResolveAll;
}

/** The senders a config asks for, keyed by outbox channel: the deployment's and each site's own. */
export function notificationSenders(input: NotificationSendersInput): Map<string, NotificationSender> {
  const senders = new Map<string, NotificationSender>();
  for (const target of notificationTargets(input.config)) {
    if (target.kind !== "slack") continue;
    const client = input.slack && slackBotFor(input.slack, target.slack.botTokenRef);
    if (!client) continue;
    senders.set(
      target.channel,
      new SlackNotificationSender({
        client,
        refs: input.refs,
        config: input.config,
        channel: target.slack.channel,
      }),
    );
  }
  for (const endpoint of input.webhooks ?? []) {
    senders.set(
      endpoint.channel ?? `webhook:${endpoint.name}`,
      new HttpWebhookSender(endpoint, {
        clock: input.clock,
        ...(input.http ? { http: input.http } : {}),
        ...(input.webhookTimeoutMs ? { timeoutMs: input.webhookTimeoutMs } : {}),
        ...(input.resolveAll ? { resolveAll: input.resolveAll } : {}),
      }),
    );
  }
  const vendor = {
    clock: input.clock,
    config: input.config,
    ...(input.http ? { http: input.http } : {}),
    ...(input.resolveAll ? { resolveAll: input.resolveAll } : {}),
  };
  for (const endpoint of input.pagerduty ?? []) {
    senders.set(endpoint.channel, new PagerDutySender(endpoint, vendor));
  }
  for (const endpoint of input.teams ?? []) {
    senders.set(endpoint.channel, new TeamsSender(endpoint, vendor));
  }
  return senders;
}

export interface DeliverDueNotificationsInput extends NotificationSendersInput, DeliveryOptions {
  outbox: NotificationOutbox;
  log?: DeliveryLog;
  redactor?: Redactor;
}

/**
 * The use case a delivery function (or `idpctl run`, or the drill) calls: build the senders from the
 * config and the resolved secrets, and run one delivery pass.
 */
export async function deliverDueNotifications(input: DeliverDueNotificationsInput): Promise<DeliveryReport> {
  const senders = notificationSenders(input);
  return deliverNotifications(
    {
      outbox: input.outbox,
      clock: input.clock,
      senders,
      ...(input.log ? { log: input.log } : {}),
      ...(input.redactor ? { redactor: input.redactor } : {}),
    },
    {
      ...(input.limit !== undefined ? { limit: input.limit } : {}),
      ...(input.retry ? { retry: input.retry } : {}),
    },
  );
}
