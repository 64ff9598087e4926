import type {
  DnsApplyOutcome,
  DnsChangeStatus,
  DnsWeights,
  DomainEvent,
  EventPublisher,
  NotificationIntent,
  Notifier,
  Site,
  Weights,
} from "@idp-failover/core";
import { eventEntry, weightsText } from "./feed-text.js";
import type { LoopFeed } from "./loop-feed.js";

/*
 * Decorators over the evaluator's ports that tell the feed what went through them, so the timeline
 * shows exactly what the real ports did: the events published, the DNS changes submitted and seen
 * INSYNC, the notifications handed to the outbox. They add nothing to the decisions.
 */

export class ObservedEventPublisher implements EventPublisher {
  private readonly seen = new Set<string>();

  constructor(
    private readonly inner: EventPublisher,
    private readonly feed: LoopFeed,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    await this.inner.publish(events);
    for (const event of events) {
      // Effects are at-least-once: an outbox retried after a failure publishes the same ids again.
      if (this.seen.has(event.id)) continue;
      this.seen.add(event.id);
      const entry = eventEntry(event);
      if (entry) this.feed.emit({ ...entry, at: Date.parse(event.at) });
    }
  }
}

export class ObservedDnsWeights implements DnsWeights {
  private readonly submitted = new Map<string, { site: Site; weights: Weights; insync: boolean }>();

  constructor(
    private readonly inner: DnsWeights,
    private readonly feed: LoopFeed,
  ) {}

  read(site: Site): Promise<Weights> {
    return this.inner.read(site);
  }

  async apply(site: Site, weights: Weights): Promise<DnsApplyOutcome> {
    const outcome = await this.inner.apply(site, weights);
    const what = weightsText(weights);
    switch (outcome.kind) {
      case "submitted":
        this.submitted.set(outcome.changeId, { site, weights, insync: false });
        this.feed.emit({
          kind: "dns",
          tone: "info",
          site: site.id,
          text: `change ${outcome.changeId} submitted: ${what}`,
        });
        break;
      case "already-applied":
        this.feed.emit({ kind: "dns", tone: "info", site: site.id, text: `records already carry ${what}` });
        break;
      case "retry":
        this.feed.emit({
          kind: "problem",
          tone: "warn",
          site: site.id,
          text: `Route 53 change (${what}) to be retried: ${outcome.message}`,
        });
        break;
      case "rejected":
        this.feed.emit({
          kind: "problem",
          tone: "bad",
          site: site.id,
          text: `Route 53 refused the change (${what}): ${outcome.message}`,
        });
        break;
    }
    return outcome;
  }

  async status(changeId: string): Promise<DnsChangeStatus> {
    const status = await this.inner.status(changeId);
    const change = this.submitted.get(changeId);
    if (status.kind === "insync" && change && !change.insync) {
      change.insync = true;
      this.feed.emit({
        kind: "dns",
        tone: "good",
        site: change.site.id,
        text: `change ${changeId} INSYNC: ${change.site.hostname} now weighted ${weightsText(change.weights)}`,
      });
    }
    return status;
  }
}

/** Remembers the intents handed to the outbox, so a delivery can be shown with its message. */
export class ObservedNotifier implements Notifier {
  private readonly intents = new Map<string, NotificationIntent>();

  constructor(private readonly inner: Notifier) {}

  async notify(intents: readonly NotificationIntent[]): Promise<void> {
    await this.inner.notify(intents);
    for (const intent of intents) this.intents.set(intent.id, intent);
    if (this.intents.size > 2000) {
      const oldest = this.intents.keys().next().value;
      if (oldest !== undefined) this.intents.delete(oldest);
    }
  }

  intent(id: string): NotificationIntent | undefined {
    return this.intents.get(id);
  }
}
