import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDataPlaneStore } from "@idp-failover/aws/dynamo-data-plane-store";
import { parseVerdictManifest } from "@idp-failover/core/data-plane-answer";
import * as z from "@idp-failover/core/zod-mini";
import type { VerdictEndpointDeps } from "@idp-failover/orchestration/verdict-endpoint";
import { Resource } from "sst";
import {
  DeploymentConfigError,
  regionEnvironment,
  verdictLinkName,
  verdictSecretName,
} from "./deployment-names.js";

const linkedSecret = z.object({ value: z.string().check(z.minLength(1)) });

/*
 * The verdict endpoint's ports, apart from ports.ts so its bundle stays small: the verdict manifest
 * link (sites, providers, staleness; no config schema) and this region's data-plane table.
 */
export function verdictEndpointPorts(logger: Logger): VerdictEndpointDeps {
  const manifest = parseVerdictManifest(Reflect.get(Resource, verdictLinkName));
  const tableName = process.env[regionEnvironment.dataPlaneTable];
  const secret = linkedSecret.safeParse(Reflect.get(Resource, verdictSecretName));
  if (!manifest || !tableName || !secret.success) {
    throw new DeploymentConfigError(
      `the ${verdictLinkName} link, the ${verdictSecretName} secret or ${regionEnvironment.dataPlaneTable} is missing`,
    );
  }
  return {
    manifest,
    secret: secret.data.value,
    region: process.env.AWS_REGION ?? "",
    items: new DynamoDataPlaneStore({ tableName }),
    now: Date.now,
    onError: (error, site) => logger.error("reading the data-plane item failed", { site, error }),
  };
}
