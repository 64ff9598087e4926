import { issuerMatches, issuerOfDiscoveryUrl, parseDiscovery } from "../oidc.js";
import type { ProbeCheck } from "../probe-context.js";
import { clip, ProbeFailure } from "../probe-failure.js";

/**
 * The discovery document: answers 200, parses, names the configured issuer, and publishes the
 * endpoints a login needs (authorization, token, keys). The first attempt shares the round's fetch.
 */
export const checkDiscovery: ProbeCheck<"oidc-discovery"> = async (spec, context) => {
  const url = spec.url ?? context.target.discoveryUrl;
  if (!url)
    throw new ProbeFailure("content", "no discovery URL and no issuer configured", { retryable: false });
  const fetched =
    context.attempt === 1
      ? await context.documents.shared(url, context.signal)
      : await context.documents.fresh(url, context.signal);
  const document = parseDiscovery(fetched.json);
  const expected = context.target.issuer ?? issuerOfDiscoveryUrl(url);
  if (!issuerMatches(document.issuer, expected)) {
    throw new ProbeFailure(
      "content",
      `issuer is ${clip(document.issuer, 120)}, expected ${clip(expected, 120)}`,
      {
        status: fetched.status,
      },
    );
  }
  return { latencyMs: fetched.latencyMs, status: fetched.status };
};
