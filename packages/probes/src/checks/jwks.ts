import { inspectKeySet } from "../key-set.js";
import { discoveryFor } from "../oidc.js";
import type { ProbeCheck } from "../probe-context.js";
import { ProbeFailure } from "../probe-failure.js";

/**
 * The key set: at least one usable signing key (kty, kid, use/alg, material that imports) and no
 * malformed one. Its URL is the probe's own, or the `jwks_uri` that discovery publishes.
 */
export const checkJwks: ProbeCheck<"jwks"> = async (spec, context) => {
  const url = spec.url ?? context.target.jwksUrl ?? (await discoveryFor(context)).jwks_uri;
  const fetched =
    context.attempt === 1
      ? await context.documents.shared(url, context.signal)
      : await context.documents.fresh(url, context.signal);
  const report = await inspectKeySet(fetched.json);
  if (report.problems.length > 0) {
    throw new ProbeFailure("content", `key set: ${report.problems.slice(0, 2).join("; ")}`, {
      status: fetched.status,
    });
  }
  if (report.usable.length === 0) {
    const why = report.skipped.length > 0 ? `: ${report.skipped.slice(0, 2).join("; ")}` : "";
    throw new ProbeFailure("content", `key set has no usable signing key (${report.keys} keys${why})`, {
      status: fetched.status,
    });
  }
  return { latencyMs: fetched.latencyMs, status: fetched.status };
};
