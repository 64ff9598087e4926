import { createAwsAdapters } from "@idp-failover/aws";
import { homeEvaluator } from "@idp-failover/orchestration";
import {
  createSlackClient,
  handleSlackInteraction,
  type SlackInteractionDeps,
  slackInteractionTimeoutMs,
} from "@idp-failover/slack";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { DeploymentConfigError, deployment } from "../wiring/deployment.js";
import { createLogger } from "../wiring/observability.js";

/*
 * slack-interactions: the Slack app's interactivity Request URL (a Function URL in the home region).
 * Approve failback / Snooze / Stay on secondary go through the state machine like any command.
 */

const logger = createLogger();
let deps: SlackInteractionDeps | undefined;

function wire(): SlackInteractionDeps {
  const { config, home, secret } = deployment();
  const slack = config.alerting.slack;
  const token = slack && secret(slack.botTokenRef);
  const signingSecret = slack && secret(slack.signingSecretRef);
  if (!token || !signingSecret)
    throw new DeploymentConfigError("alerting.slack is not configured, or its secrets are not linked");
  return {
    signingSecret,
    config,
    evaluator: homeEvaluator(config, createAwsAdapters(home)),
    slack: createSlackClient(token, { timeoutMs: slackInteractionTimeoutMs }),
    log: (entry) => logger.info("slack interaction", entry),
  };
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  deps ??= wire();
  const rawBody = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  const response = await handleSlackInteraction(
    { rawBody, headers: event.headers ?? {}, nowSeconds: Math.floor(Date.now() / 1000) },
    deps,
  );
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
