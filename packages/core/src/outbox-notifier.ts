import type {
  Alerting,
  Config,
  PagerDutyAlerting,
  SiteAlerting,
  SlackAlerting,
  TeamsAlerting,
} from "./config.js";
import { type NotificationIntent, notificationSchema } from "./effects.js";
import { sameSettings } from "./overrides.js";
import type { Clock, NotificationOutbox, Notifier, OutboxDelivery } from "./ports.js";
import * as z from "./zod-mini.js";

/*
 * Where notifications go. Each site's go to its own channels (its `alerting`, the deployment's merged
 * with the site's own); deployment-wide ones (`site: "*"`: the monitor's impaired regions) to the
 * deployment's. An outbox channel names a destination and whose settings it is:
 *   slack                  the deployment's Slack channel (alerting.slack), for every site that uses it as it is
 *   slack@{site}           a site's own Slack (any of channel, approvers or app differs)
 *   webhook:{name}         a webhook of the deployment's list, for every site that keeps that list
 *   webhook:{name}@{site}  a webhook of a site's own list
 *   pagerduty, teams       the deployment's PagerDuty service and Teams channel (alerting.pagerduty, .teams)
 *   pagerduty@{site}, teams@{site}  a site's own (its routing key, workflow URL or link differs)
 * So one customer's broken channel fails only its own deliveries (the deliverer stops a failing
 * channel for the run), and an outbox written before sites had their own settings still delivers.
 */

export type Webhook = Alerting["webhooks"][number];

/** One destination of notifications and the settings it is sent with. */
export type NotificationTarget =
  | { kind: "slack"; channel: string; slack: SlackAlerting }
  | { kind: "webhook"; channel: string; webhook: Webhook }
  | { kind: "pagerduty"; channel: string; pagerduty: PagerDutyAlerting }
  | { kind: "teams"; channel: string; teams: TeamsAlerting };

/** The destinations of one site's notifications (or the deployment's, for `deployment`). */
function targetsOf(
  config: Pick<Config, "alerting">,
  alerting: SiteAlerting,
  owner: string | undefined,
): NotificationTarget[] {
  const top = config.alerting;
  const own = (base: string, same: boolean) => (same || owner === undefined ? base : `${base}@${owner}`);
  const targets: NotificationTarget[] = [];
  if (alerting.slack) {
    const same = top.slack !== undefined && sameSettings(alerting.slack, top.slack);
    targets.push({ kind: "slack", channel: own("slack", same), slack: alerting.slack });
  }
  for (const webhook of alerting.webhooks) {
    const deployment = top.webhooks.find((w) => w.name === webhook.name);
    const same = deployment !== undefined && sameSettings(webhook, deployment);
    targets.push({ kind: "webhook", channel: own(`webhook:${webhook.name}`, same), webhook });
  }
  if (alerting.pagerduty) {
    const same = top.pagerduty !== undefined && sameSettings(alerting.pagerduty, top.pagerduty);
    targets.push({ kind: "pagerduty", channel: own("pagerduty", same), pagerduty: alerting.pagerduty });
  }
  if (alerting.teams) {
    const same = top.teams !== undefined && sameSettings(alerting.teams, top.teams);
    targets.push({ kind: "teams", channel: own("teams", same), teams: alerting.teams });
  }
  return targets;
}

/** Every destination of a deployment: its own channels first, then the sites' own, each once. */
export function notificationTargets(config: Pick<Config, "alerting" | "sites">): NotificationTarget[] {
  const byChannel = new Map<string, NotificationTarget>();
  for (const target of targetsOf(config, config.alerting, undefined)) byChannel.set(target.channel, target);
  for (const site of config.sites) {
    for (const target of targetsOf(config, site.alerting, site.id)) {
      if (!byChannel.has(target.channel)) byChannel.set(target.channel, target);
    }
  }
  return [...byChannel.values()];
}

/**
 * The outbox channels of a site's notifications (see above); the deployment's for `*` and for a site
 * the config does not know.
 */
export function notificationChannels(config: Pick<Config, "alerting" | "sites">): (site: string) => string[] {
  const deployment = targetsOf(config, config.alerting, undefined).map((t) => t.channel);
  const bySite = new Map(
    config.sites.map((site) => [site.id, targetsOf(config, site.alerting, site.id).map((t) => t.channel)]),
  );
  return (site) => bySite.get(site) ?? deployment;
}

/**
 * The production Notifier: it only records intents in the outbox, one delivery per channel of the
 * intent's site; a deliverer sends them later with retries, so Slack or a webhook being down never
 * blocks a failover.
 */
export class OutboxNotifier implements Notifier {
  constructor(
    private readonly outbox: NotificationOutbox,
    private readonly channelsOf: (site: string) => readonly string[],
    private readonly clock: Clock,
  ) {}

  async notify(intents: readonly NotificationIntent[]): Promise<void> {
    const bySite = new Map<string, NotificationIntent[]>();
    for (const intent of intents) bySite.set(intent.site, [...(bySite.get(intent.site) ?? []), intent]);
    const now = this.clock.now();
    for (const [site, ofSite] of bySite) {
      const channels = this.channelsOf(site);
      if (channels.length > 0) await this.outbox.enqueue(ofSite, channels, now);
    }
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
