import type {
  DomainEvent,
  Evidence,
  NotificationIntent,
  RegionVerdict,
  RegionVerdictChange,
  Weights,
} from "@idp-failover/core";
import { pagerDutyAction } from "@idp-failover/slack";
import type { FeedInput, FeedTone } from "./loop-feed.js";

/*
 * The words of the timeline: pure functions from what happened to a feed entry. Kept apart from the
 * loop so the wording is tested (and shared by the terminal and the dashboard).
 */

export function weightsText(weights: Weights): string {
  return Object.entries(weights)
    .map(([provider, weight]) => `${provider} ${weight}`)
    .join(", ");
}

function verdictTone(verdict: string): FeedTone {
  if (verdict === "down") return "bad";
  if (verdict === "up") return "good";
  return "warn";
}

export function evidenceText(evidence: Evidence | undefined): string {
  if (!evidence) return "";
  const status = evidence.status !== undefined ? ` ${evidence.status}` : "";
  return ` (${evidence.probe}: ${evidence.class}${status}, ${evidence.latencyMs} ms)`;
}

/** A region's verdict on a provider moved. */
export function regionChangeEntry(change: RegionVerdictChange, evidence: Evidence | undefined): FeedInput {
  const why =
    change.to === "up"
      ? ""
      : evidence
        ? evidenceText(evidence)
        : change.to === "degraded"
          ? " (flaky: failures that retries hid, within the degraded window)"
          : "";
  return {
    kind: "region",
    tone: verdictTone(change.to as RegionVerdict),
    site: change.site,
    text: `${change.region} sees ${change.provider} ${change.from} -> ${change.to}${why}`,
  };
}

/** A domain event the evaluator published: global verdicts, transitions, alerts. */
export function eventEntry(event: DomainEvent): FeedInput | undefined {
  switch (event.type) {
    case "verdict-changed": {
      // The monitor starting (no region has reported yet) is not news.
      if (event.from === "unknown" && event.to === "impaired") return undefined;
      const regions = Object.entries(event.regions)
        .map(([region, verdict]) => `${region} ${verdict}`)
        .join(", ");
      return {
        kind: "verdict",
        tone: verdictTone(event.to),
        site: event.site,
        text: `${event.provider} ${event.from} -> ${event.to}  [${regions}]`,
      };
    }
    case "state-changed": {
      const by =
        event.actor === "evaluator" || event.reason.includes(event.actor) ? "" : ` (by ${event.actor})`;
      const tone: FeedTone =
        event.to === "failing-over" || event.to === "frozen"
          ? "warn"
          : event.to === "primary-active"
            ? "good"
            : "info";
      return {
        kind: "state",
        tone,
        site: event.site,
        text: `${event.from} -> ${event.to}: ${event.reason}${by}`,
      };
    }
    case "alert":
      return {
        kind: "alert",
        tone: event.alert === "monitor-restored" ? "good" : "bad",
        site: event.site,
        text: event.message,
      };
  }
}

/** A notification that reached its channel. `slackText` is the message as posted, when known. */
export function deliveredEntry(
  intent: NotificationIntent,
  channel: string,
  slackText: string | undefined,
): FeedInput {
  const text =
    channel === "slack"
      ? `slack: ${slackText ?? intent.kind}`
      : channel.startsWith("pagerduty")
        ? `${channel}: ${pagerDutyAction(intent) ?? "not paged"} (${intent.kind})`
        : `${channel.replace(/^webhook:/, "webhook ")}: ${intent.kind} delivered`;
  return { kind: "message", tone: "info", site: intent.site, text };
}
