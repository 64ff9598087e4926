import { answerVerdictRequest, type VerdictEndpointDeps } from "@idp-failover/orchestration/verdict-endpoint";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { createLogger, lambdaHandler } from "../wiring/observability.js";
import { verdictEndpointPorts } from "../wiring/verdict-ports.js";

/*
 * verdict: the data-plane endpoint (a Function URL in each probe region) that Route 53's health
 * checks poll. Answers from this region's data-plane item only (see the orchestration package's
 * verdict-endpoint.ts); its bundle stays small so cold starts fit the checkers' timeout. The request
 * path holds the deployment's secret: it is never logged (nor is the event: Powertools logs events
 * only when asked to, and this function never asks).
 */

const logger = createLogger();
let ports: VerdictEndpointDeps | undefined;

export const handler = lambdaHandler(
  { logger },
  async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    ports ??= verdictEndpointPorts(logger);
    const method = event.requestContext?.http?.method ?? "GET";
    const { outcome, ...response } = await answerVerdictRequest(
      { method, path: event.rawPath ?? "/" },
      ports,
    );
    // Withdraws are rare and worth a line; the path (with the secret) is never logged.
    if (outcome.withdraw) logger.info("verdict: withdraw", { ...outcome });
    return response;
  },
);
