import type { AwsAdapters } from "@idp-failover/aws";
import { type Config, type EvaluatorDeps, notificationChannels, OutboxNotifier } from "@idp-failover/core";

/*
 * The evaluator's ports on the home region's adapters, on the wall clock: the evaluate function and
 * the Slack endpoint (an approval runs the state machine too) build them the same way.
 */
export function homeEvaluator(config: Config, aws: AwsAdapters): EvaluatorDeps {
  const clock = { now: Date.now };
  const notifier = new OutboxNotifier(aws.outbox, notificationChannels(config), clock);
  return { store: aws.store, dns: aws.dns, events: aws.events, notifier, clock, readiness: aws.readiness };
}
