import type { Logger } from "@aws-lambda-powertools/logger";
import { createAwsAdapters } from "@idp-failover/aws";
import { deliveryChannels } from "@idp-failover/orchestration/delivery-channels";
import { homeEvaluator } from "@idp-failover/orchestration/home-evaluator";
import { createSlackClient, type SlackInteractionDeps, slackInteractionTimeoutMs } from "@idp-failover/slack";
import { type Deployment, DeploymentConfigError } from "./deployment.js";

/*
 * The home region's functions' ports (evaluate, notify, Slack interactions), built once per cold
 * start from the deployment (SST links, linked secrets), on the wall clock.
 */

const wallClock = { now: Date.now };

/** The home region's adapters and the evaluator's ports on them (the evaluate and Slack functions). */
export function homePorts({ config, home }: Deployment) {
  const aws = createAwsAdapters(home);
  return { aws, evaluator: homeEvaluator(config, aws, wallClock) };
}

/** The notify function's ports: the home outbox and message refs, the channels its secrets open. */
export function notificationPorts(d: Deployment, logger: Logger) {
  const { aws } = homePorts(d);
  const channels = deliveryChannels(d.config, d.secret);
  for (const { ref, waits } of channels.missing) logger.warn(`${ref} is not linked: ${waits} wait`);
  return {
    config: d.config,
    outbox: aws.outbox,
    refs: aws.messageRefs,
    clock: wallClock,
    ...(channels.slack ? { slack: channels.slack } : {}),
    webhooks: channels.webhooks,
    log: (entry: Record<string, unknown>) => logger.info("delivery", entry),
  };
}

/** The Slack interactivity endpoint's ports: the signing secret, the bot, the evaluator at home. */
export function slackInteractionPorts(d: Deployment, logger: Logger): SlackInteractionDeps {
  const slack = d.config.alerting.slack;
  const token = slack && d.secret(slack.botTokenRef);
  const signingSecret = slack && d.secret(slack.signingSecretRef);
  if (!token || !signingSecret)
    throw new DeploymentConfigError("alerting.slack is not configured, or its secrets are not linked");
  return {
    signingSecret,
    config: d.config,
    evaluator: homePorts(d).evaluator,
    slack: createSlackClient(token, { timeoutMs: slackInteractionTimeoutMs }),
    log: (entry) => logger.info("slack interaction", entry),
  };
}
