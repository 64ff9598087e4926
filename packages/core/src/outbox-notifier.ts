import type { Config } from "./config.js";
import { type NotificationIntent, notificationSchema } from "./effects.js";
import type { Clock, NotificationOutbox, Notifier, OutboxDelivery } from "./ports.js";
import * as z from "./zod-mini.js";

/** The delivery channels a config asks for: `slack` and one `webhook:{name}` per webhook. */
export function notificationChannels(config: Config): string[] {
  return [
    ...(config.alerting.slack ? ["slack"] : []),
    ...config.alerting.webhooks.map((w) => `webhook:${w.name}`),
  ];
}

/**
 * The production Notifier: it only records intents in the outbox, one delivery per channel; a
 * deliverer sends them later with retries, so Slack or a webhook being down never blocks a failover.
 */
export class OutboxNotifier implements Notifier {
  constructor(
    private readonly outbox: NotificationOutbox,
    private readonly channels: readonly string[],
    private readonly clock: Clock,
  ) {}

  async notify(intents: readonly NotificationIntent[]): Promise<void> {
    if (this.channels.length === 0 || intents.length === 0) return;
    await this.outbox.enqueue(intents, this.channels, this.clock.now());
  }
}

/** An outbox delivery as stored, parsed when read back (see `OutboxDelivery`). */
export const outboxDeliverySchema = z.object({
  intent: notificationSchema,
  channel: z.string().check(z.minLength(1)),
  attempts: z.number().check(z.int(), z.nonnegative()),
  nextAttemptAt: z.number(),
  deliveredAt: z.optional(z.number()),
  lastError: z.optional(z.string()),
  abandoned: z.optional(z.boolean()),
}) satisfies z.ZodMiniType<OutboxDelivery>;

/** Where a message was posted (`MessageRefs`): small string fields such as a Slack channel and ts. */
export const messageRefSchema = z.record(z.string(), z.string());
