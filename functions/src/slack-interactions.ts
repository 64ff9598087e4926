import type { SlackInteractionDeps } from "@idp-failover/slack";
import { handleSlackInteraction } from "@idp-failover/slack";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { deployment } from "../wiring/deployment.js";
import { slackInteractionPorts } from "../wiring/home-ports.js";
import { createLogger, lambdaHandler } from "../wiring/observability.js";

/*
 * slack-interactions: the Slack app's interactivity Request URL (a Function URL in the home region).
 * Approve failback / Snooze / Stay on secondary go through the state machine like any command; the
 * approval is one-time by the state's conditional write, so a repeated click changes nothing.
 */

const logger = createLogger();
let ports: SlackInteractionDeps | undefined;

export const handler = lambdaHandler(
  { logger },
  async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    ports ??= slackInteractionPorts(deployment(), logger);
    const body = event.body ?? "";
    const rawBody = event.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const response = await handleSlackInteraction(
      { rawBody, headers: event.headers ?? {}, nowSeconds },
      ports,
    );
    return { statusCode: response.status, headers: response.headers, body: response.body };
  },
);
