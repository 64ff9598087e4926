import type { Logger } from "@aws-lambda-powertools/logger";
import { createAwsAdapters } from "@idp-failover/aws";
import { deliveryChannels, slackSigningSecrets } from "@idp-failover/orchestration/delivery-channels";
import { homeEvaluator } from "@idp-failover/orchestration/home-evaluator";
import { type SlackInteractionDeps, slackInteractionTimeoutMs } from "@idp-failover/slack";
import { type Deployment, DeploymentConfigError } from "./deployment.js";

/*
 * The home region's functions' ports (evaluate, notify, Slack interactions), built once per cold
 * start from the deployment (SST links, linked secrets), on the wall clock.
 */

const wallClock = { now: Date.now };

/** The home region's adapters and the evaluator's ports on them (the evaluate and Slack functions). */
export function homePorts({ config, home, redactor }: Deployment) {
  const aws = createAwsAdapters({ ...home, redactor });
  return { aws, evaluator: homeEvaluator(config, aws, wallClock) };
}

/** The notify function's ports: the home outbox and message refs, the channels its secrets open. */
export function notificationPorts(d: Deployment, logger: Logger) {
  const { aws } = homePorts(d);
  const channels = deliveryChannels(d.config, d.secret);
  for (const { ref, waits, problem } of channels.missing)
    logger.warn(`${ref} ${problem ?? "is not linked"}: ${waits} wait`);
  return {
    config: d.config,
    outbox: aws.outbox,
    refs: aws.messageRefs,
    clock: wallClock,
    slack: channels.slackBots,
    webhooks: channels.webhooks,
    pagerduty: channels.pagerduty,
    teams: channels.teams,
    log: (entry: Record<string, unknown>) => logger.info("delivery", entry),
    redactor: d.redactor,
  };
}

/**
 * The Slack interactivity endpoint's ports: every Slack app's signing secret and bot (the
 * deployment's and the sites' own: one Request URL serves them all), the evaluator at home.
 */
export function slackInteractionPorts(d: Deployment, logger: Logger): SlackInteractionDeps {
  const signing = slackSigningSecrets(d.config, d.secret);
  const bots = deliveryChannels(d.config, d.secret, {
    slackTimeoutMs: slackInteractionTimeoutMs,
    redactor: d.redactor,
  });
  if (signing.secrets.size === 0)
    throw new DeploymentConfigError("no Slack app is configured, or its signing secret is not linked");
  for (const ref of signing.missing) logger.warn(`${ref} is not linked: that Slack app's clicks are refused`);
  return {
    signingSecret: signing.secrets,
    config: d.config,
    evaluator: homePorts(d).evaluator,
    slack: bots.slackBots,
    log: (entry) => logger.info("slack interaction", entry),
  };
}
