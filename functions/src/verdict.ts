import { DynamoDataPlaneStore } from "@idp-failover/aws";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { deployment, required } from "./deployment.js";
import { createLogger } from "./observability.js";
import { answerVerdictRequest, type VerdictEndpointDeps } from "./verdict-endpoint.js";

/*
 * verdict: the data-plane endpoint (a Function URL in each probe region) that Route 53's health
 * checks poll. Answers from this region's data-plane item only; see verdict-endpoint.ts.
 */

const logger = createLogger();
let deps: VerdictEndpointDeps | undefined;

function wire(): VerdictEndpointDeps {
  const { config, region, dataPlaneTable } = deployment();
  return {
    config,
    region,
    items: new DynamoDataPlaneStore({ tableName: required(dataPlaneTable, "the data-plane table") }),
    now: Date.now,
    onError: (error, site) => logger.error("reading the data-plane item failed", { site, error }),
  };
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  deps ??= wire();
  const method = event.requestContext?.http?.method ?? "GET";
  const response = await answerVerdictRequest({ method, path: event.rawPath ?? "/" }, deps);
  if (response.statusCode !== 200)
    logger.info("verdict", { path: event.rawPath, status: response.statusCode });
  return response;
}
