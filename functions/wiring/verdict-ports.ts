import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDataPlaneStore } from "@idp-failover/aws/dynamo-data-plane-store";
import { parseVerdictManifest } from "@idp-failover/core/data-plane-answer";
import type { VerdictEndpointDeps } from "@idp-failover/orchestration/verdict-endpoint";
import { Resource } from "sst";
import { DeploymentConfigError, regionEnvironment, verdictLinkName } from "./deployment-names.js";

/*
 * The verdict endpoint's ports, apart from ports.ts so its bundle stays small: the verdict manifest
 * link (sites, providers, staleness; no config schema) and this region's data-plane table.
 */
export function verdictEndpointPorts(logger: Logger): VerdictEndpointDeps {
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
