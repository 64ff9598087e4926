import { DynamoDataPlaneStore } from "@idp-failover/aws/dynamo-data-plane-store";
import { parseVerdictManifest } from "@idp-failover/core/data-plane-answer";
import { answerVerdictRequest, type VerdictEndpointDeps } from "@idp-failover/orchestration/verdict-endpoint";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { Resource } from "sst";
import { DeploymentConfigError, regionEnvironment, verdictLinkName } from "../wiring/deployment-names.js";
import { createLogger } from "../wiring/observability.js";

/*
 * verdict: the data-plane endpoint (a Function URL in each probe region) that Route 53's health
 * checks poll. Answers from this region's data-plane item only; see verdict-endpoint.ts. It reads the
 * verdict manifest link, not the whole config, to stay small (no config schema).
 */

const logger = createLogger();
let deps: VerdictEndpointDeps | undefined;

function wire(): VerdictEndpointDeps {
  const manifest = parseVerdictManifest(Reflect.get(Resource, verdictLinkName));
  const tableName = process.env[regionEnvironment.dataPlaneTable];
  if (!manifest || !tableName) {
    throw new DeploymentConfigError(
      `the ${verdictLinkName} link or ${regionEnvironment.dataPlaneTable} is missing`,
    );
  }
  return {
    manifest,
    region: process.env.AWS_REGION ?? "",
    items: new DynamoDataPlaneStore({ tableName }),
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
