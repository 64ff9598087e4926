import { type Config, configRedactor, parseConfig, type Redactor } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { DeploymentConfigError, deploymentLinkName, regionEnvironment } from "./deployment-names.js";
import { linkedResources, linkedSecretValues } from "./linked-secrets.js";
import { sstSecretName } from "./secret-names.js";

export { DeploymentConfigError, deploymentLinkName, regionEnvironment };

/*
 * The one place a function learns about its deployment, read once at cold start:
 *   - the config (the same document `idpctl validate` checks), linked by the stacks as the
 *     `IdpFailover` Linkable and parsed here with core's schema: a bad one fails the cold start with
 *     every problem listed, and nothing runs;
 *   - where the home resources are (table, event bus, region), from the same Linkable;
 *   - the probe region's own resources (data-plane table, probe queue), from environment variables
 *     the probes stack sets on the functions of that region;
 *   - secrets, from `sst.Secret`s linked only to the functions that need them.
 */

export const deploymentLinkSchema = z.object({
  config: z.unknown(),
  home: z.object({
    region: z.string().check(z.minLength(1)),
    tableName: z.string().check(z.minLength(1)),
    eventBusName: z.string().check(z.minLength(1)),
  }),
});

export interface Deployment {
  config: Config;
  home: z.infer<typeof deploymentLinkSchema>["home"];
  /** The region this function runs in. */
  region: string;
  /** This region's data-plane table and probe queue (probe-region functions only). */
  dataPlaneTable?: string;
  probeQueueUrl?: string;
  /** This region's shard worker function (its probe function, when the region's sites are split). */
  probeShardFunction?: string;
  /** A linked secret by the config's reference name; undefined when not linked or empty. */
  secret(ref: string): string | undefined;
  /** Removes every secret this function holds (see `linkedSecretValues`) from what it writes. */
  redactor: Redactor;
}

const secretSchema = z.object({ value: z.string() });

/** Reads the deployment from SST's linked resources and the environment. Throws on a bad config. */
export function readDeployment(
  resources: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): Deployment {
  const link = deploymentLinkSchema.safeParse(resources[deploymentLinkName]);
  if (!link.success) {
    throw new DeploymentConfigError(
      `the ${deploymentLinkName} link is missing or malformed: ${link.error.message}`,
    );
  }
  const parsed = parseConfig(link.data.config);
  if (!parsed.ok) {
    const list = parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new DeploymentConfigError(`the deployed config is invalid: ${list}`, parsed.issues);
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? link.data.home.region;
  const dataPlaneTable = env[regionEnvironment.dataPlaneTable];
  const probeQueueUrl = env[regionEnvironment.probeQueueUrl];
  const probeShardFunction = env[regionEnvironment.probeShardFunction];
  const secret = (ref: string) => {
    const linked = secretSchema.safeParse(resources[sstSecretName(ref)]);
    return linked.success && linked.data.value !== "" ? linked.data.value : undefined;
  };
  return {
    config: parsed.config,
    home: link.data.home,
    region,
    ...(dataPlaneTable ? { dataPlaneTable } : {}),
    ...(probeQueueUrl ? { probeQueueUrl } : {}),
    ...(probeShardFunction ? { probeShardFunction } : {}),
    secret,
    redactor: configRedactor(parsed.config, secret, linkedSecretValues(resources)),
  };
}

let cached: Deployment | undefined;

/** The deployment of this function, read on first use and kept for the life of the instance. */
export function deployment(): Deployment {
  cached ??= readDeployment(linkedResources(), process.env);
  return cached;
}

/** Fails with a clear message when a probe-region function runs without its region's resources. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new DeploymentConfigError(`${what} is not set for this function`);
  return value;
}
