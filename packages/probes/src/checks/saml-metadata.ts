import { statusFailure } from "@idp-failover/http";
import type { ProbeCheck } from "../probe-context.js";
import { ProbeFailure } from "../probe-failure.js";
import { assessSigningCertificates, parseSamlMetadata } from "../saml-metadata.js";

/**
 * IdP SAML metadata: answers 200, parses, names a sign-on service, and its signing certificate is
 * valid and not expiring within `expiryWarningDays` (a warning before it breaks logins).
 */
export const checkSamlMetadata: ProbeCheck<"saml-metadata"> = async (spec, context) => {
  const answer = await context.http.request(spec.url, {
    signal: context.signal,
    followRedirects: 3,
    headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" },
  });
  if (answer.status !== 200) throw statusFailure(answer, false);
  try {
    assessSigningCertificates(parseSamlMetadata(answer.body), context.now(), spec.expiryWarningDays);
  } catch (error) {
    if (error instanceof ProbeFailure) {
      throw new ProbeFailure(error.errorClass, error.message, {
        status: answer.status,
        retryable: error.retryable,
      });
    }
    throw error;
  }
  return { latencyMs: answer.latencyMs, status: answer.status };
};
