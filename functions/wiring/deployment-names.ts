/*
 * Names the stacks and the functions share, in a module that imports nothing (the verdict function
 * uses it without pulling in the config schema).
 */

/** The Linkable with the config document and the home resources (see deployment.ts). */
export const deploymentLinkName = "IdpFailover";

/** The Linkable with the verdict manifest (see core's data-plane-answer.ts). */
export const verdictLinkName = "IdpFailoverVerdicts";

/**
 * The `sst.Secret` in the verdict endpoints' paths (Route 53 checks can send nothing else): one per
 * deployment, set with `sst secret set VerdictPathSecret "$(openssl rand -hex 32)"`.
 */
export const verdictSecretName = "VerdictPathSecret";

/** Environment variables the probes stack sets on the functions of a probe region. */
export const regionEnvironment = {
  dataPlaneTable: "IDP_FAILOVER_DATA_PLANE_TABLE",
  probeQueueUrl: "IDP_FAILOVER_PROBE_QUEUE_URL",
  /** The region's shard worker function, set on its probe function when the sites are split. */
  probeShardFunction: "IDP_FAILOVER_PROBE_SHARD_FUNCTION",
} as const;

export class DeploymentConfigError extends Error {
  override name = "DeploymentConfigError";
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
