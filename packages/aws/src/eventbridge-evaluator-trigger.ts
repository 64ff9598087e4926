import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EvaluatorTrigger } from "@idp-failover/core";

/*
 * Wakes the evaluator in the home region from a probe region: one event on the home bus (a rule
 * there invokes the evaluator for `detail.sites`). Only sent when a region verdict changed, so it
 * costs nothing in quiet times; a lost event delays the decision by at most the evaluator's
 * one-minute schedule.
 */

export const probeEventSource = "idp-failover.probe";
export const probeRoundDetailType = "Probe Verdicts Changed";

export interface EventBridgeEvaluatorTriggerOptions {
  eventBusName: string;
  /** A client for the home region (the bus lives there). */
  client: EventBridgeClient;
  /** The probe region, written into the event. */
  region: string;
}

export class EventBridgeEvaluatorTriggerError extends Error {
  override name = "EventBridgeEvaluatorTriggerError";
}

export class EventBridgeEvaluatorTrigger implements EvaluatorTrigger {
  constructor(private readonly options: EventBridgeEvaluatorTriggerOptions) {}

  async wake(sites: readonly string[], reason: string): Promise<void> {
    if (sites.length === 0) return;
    const out = await this.options.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.options.eventBusName,
            Source: probeEventSource,
            DetailType: probeRoundDetailType,
            Detail: JSON.stringify({ sites: [...sites], region: this.options.region, reason }),
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.find((e) => e.ErrorCode);
      throw new EventBridgeEvaluatorTriggerError(
        `waking the evaluator failed: ${entry?.ErrorCode ?? "unknown"} ${entry?.ErrorMessage ?? ""}`.trim(),
      );
    }
  }
}
