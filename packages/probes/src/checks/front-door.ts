import * as z from "@idp-failover/core/zod-mini";
import { statusFailure } from "@idp-failover/http";
import type { ProbeCheck } from "../probe-context.js";
import { ProbeFailure } from "../probe-failure.js";

/*
 * What users reach: one path of the identity front door, as a browser that typed the login hostname
 * would reach it while DNS points there. The connection goes to the path's own address (the
 * provider's `dnsTarget`), never through the login hostname's DNS, which follows failover; TLS SNI,
 * HTTP Host and the certificate's name are the login hostname. Checks, in the order a sign-in meets
 * them: the certificate covers the login hostname and is in date (Node verifies both against the URL's
 * host), the path answers 200, and the document names the issuer the apps trust. A certificate that
 * expires within `expiryWarningDays` is reported as `upstream` (degraded): users still sign in, but
 * someone must renew it.
 */

const day = 86_400_000;
const issuerDocument = z.object({ issuer: z.optional(z.string()) });

export const checkFrontDoor: ProbeCheck<"front-door"> = async (spec, context) => {
  const { url, hostname, path } = spec;
  if (!url || !hostname || !path) {
    // The config resolver fills these; a spec built by hand without them is a bug, not an outage.
    throw new ProbeFailure("content", "front-door probe without url, hostname or path", { retryable: false });
  }
  const connectTo = new URL(url).hostname;
  const port = new URL(url).port;
  const answer = await context.http.request(`https://${hostname}${port ? `:${port}` : ""}${path}`, {
    signal: context.signal,
    connectTo,
    headers: { accept: "application/json" },
  });
  const where = `${hostname} via ${connectTo}`;
  if (answer.status !== 200) {
    throw ProbeFailure.from(statusFailure(answer, false)).prefixed(where);
  }
  if (spec.expectIssuer !== undefined) {
    let issuer: string | undefined;
    try {
      const parsed = issuerDocument.safeParse(JSON.parse(answer.body));
      issuer = parsed.success ? parsed.data.issuer : undefined;
    } catch {
      issuer = undefined;
    }
    if (issuer !== spec.expectIssuer) {
      throw new ProbeFailure(
        "content",
        issuer === undefined
          ? `${path} at ${where} is not a discovery document with an issuer`
          : `${where} names issuer ${issuer}, the apps expect ${spec.expectIssuer}`,
        { status: answer.status },
      );
    }
  }
  const warningDays = spec.expiryWarningDays ?? 14;
  if (
    answer.certificateValidTo !== undefined &&
    answer.certificateValidTo - context.now() < warningDays * day
  ) {
    const daysLeft = Math.floor((answer.certificateValidTo - context.now()) / day);
    throw new ProbeFailure(
      "upstream",
      `the certificate for ${hostname} at ${connectTo} expires on ${new Date(answer.certificateValidTo).toISOString().slice(0, 10)} (in ${daysLeft} days, warning at ${warningDays})`,
      { status: answer.status, retryable: false },
    );
  }
  return { latencyMs: answer.latencyMs, status: answer.status };
};
