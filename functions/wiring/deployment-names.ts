/*
 * Names the stacks and the functions share, in a module that imports nothing (the verdict function
 * uses it without pulling in the config schema).
 */

/** The Linkable with the config document and the home resources (see deployment.ts). */
export const deploymentLinkName = "IdpFailover";

/** The Linkable with the verdict manifest (see core's data-plane-answer.ts). */
export const verdictLinkName = "IdpFailoverVerdicts";

/** Environment variables the probes stack sets on the functions of a probe region. */
export const regionEnvironment = {
  dataPlaneTable: "IDP_FAILOVER_DATA_PLANE_TABLE",
  probeQueueUrl: "IDP_FAILOVER_PROBE_QUEUE_URL",
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
