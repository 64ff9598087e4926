import type { AwsAdapters } from "@idp-failover/aws";
import {
  type Clock,
  type Config,
  type EvaluatorDeps,
  notificationChannels,
  OutboxNotifier,
} from "@idp-failover/core";

/*
 * The evaluator's ports on the home region's adapters: the evaluate function and the Slack endpoint
 * (an approval runs the state machine too) build them the same way, on the clock they are given.
 */
export function homeEvaluator(config: Config, aws: AwsAdapters, clock: Clock): EvaluatorDeps {
  const notifier = new OutboxNotifier(aws.outbox, notificationChannels(config), clock);
  return { store: aws.store, dns: aws.dns, events: aws.events, notifier, clock, readiness: aws.readiness };
}
