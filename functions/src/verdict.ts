import { DynamoDataPlaneStore } from "@idp-failover/aws/dynamo-data-plane-store";
import { parseVerdictManifest } from "@idp-failover/core/data-plane-answer";
import { answerVerdictRequest, type VerdictEndpointDeps } from "@idp-failover/orchestration/verdict-endpoint";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { Resource } from "sst";
import {
  DeploymentConfigError,
  regionEnvironment,
  verdictLinkName,
  verdictSecretName,
} from "../wiring/deployment-names.js";
import { createLogger } from "../wiring/observability.js";

/*
 * verdict: the data-plane endpoint (a Function URL in each probe region) that Route 53's health
 * checks poll. Answers from this region's data-plane item only; see verdict-endpoint.ts. It reads the
 * verdict manifest link, not the whole config, to stay small (no zod, no config schema). The request
 * path holds the deployment's secret: it is never logged (nor is the event: Powertools logs events
 * only when asked to, and this function never asks).
 */

const logger = createLogger();
let deps: VerdictEndpointDeps | undefined;

function wire(): VerdictEndpointDeps {
  const manifest = parseVerdictManifest(Reflect.get(Resource, verdictLinkName));
  const tableName = process.env[regionEnvironment.dataPlaneTable];
  const linked: unknown = Reflect.get(Resource, verdictSecretName);
  const secret =
    linked && typeof linked === "object" && "value" in linked && typeof linked.value === "string"
      ? linked.value
      : "";
  if (!manifest || !tableName || secret === "") {
    throw new DeploymentConfigError(
      `the ${verdictLinkName} link, the ${verdictSecretName} secret or ${regionEnvironment.dataPlaneTable} is missing`,
    );
  }
  return {
    manifest,
    secret,
    region: process.env.AWS_REGION ?? "",
    items: new DynamoDataPlaneStore({ tableName }),
    now: Date.now,
    onError: (error, site) => logger.error("reading the data-plane item failed", { site, error }),
  };
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  deps ??= wire();
  const method = event.requestContext?.http?.method ?? "GET";
  const { outcome, ...response } = await answerVerdictRequest({ method, path: event.rawPath ?? "/" }, deps);
  // Withdraws are rare and worth a line; the path (with the secret) is never logged.
  if (outcome.withdraw) logger.info("verdict: withdraw", { ...outcome });
  return response;
}
