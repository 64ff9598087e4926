import { requestToken } from "@idp-failover/http";
import { createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, jwtVerify } from "jose";
import { keySetSchema, signingAlgs } from "../key-set.js";
import { type DiscoveryDocument, discoveryFor } from "../oidc.js";
import type { AttemptContext, ProbeCheck, ProbeTarget } from "../probe-context.js";
import { asProbeFailure, ProbeFailure } from "../probe-failure.js";
import { requireSecret } from "../secrets.js";

/**
 * A synthetic client-credentials grant: the token endpoint must mint a JWT whose signature verifies
 * against the published key set and whose issuer (and audience, when configured) match. This is the
 * probe that catches key-rotation outages: a token signed by a key the JWKS does not publish.
 */
export const checkToken: ProbeCheck<"token"> = async (spec, context) => {
  const secret = requireSecret(context.secrets, spec.clientSecretRef);
  const discovery = spec.tokenUrl && context.target.jwksUrl ? undefined : await discoveryFor(context);
  const tokenUrl = spec.tokenUrl ?? discovery?.token_endpoint ?? "";
  const jwksUrl = context.target.jwksUrl ?? discovery?.jwks_uri ?? "";
  // A fresh grant every attempt, never a cached token: minting one is what this probe checks.
  const minted = await requestToken(
    context.http,
    {
      tokenUrl,
      clientId: spec.clientId,
      clientSecret: secret,
      scope: spec.scope,
      clientAuth: spec.clientAuth ?? "client_secret_basic",
    },
    context.signal,
  );
  await verifyAccessToken(minted.token.access_token, {
    context,
    jwksUrl,
    issuers: acceptedIssuers(context.target, discovery),
    ...(spec.audience !== undefined ? { audience: spec.audience } : {}),
  });
  return { latencyMs: minted.latencyMs, status: minted.status };
};

const allowedAlgorithms = [...signingAlgs];

interface Verification {
  context: AttemptContext;
  jwksUrl: string;
  issuers: string[];
  audience?: string;
}

async function verifyAccessToken(token: string, verification: Verification): Promise<void> {
  const { context, jwksUrl } = verification;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new ProbeFailure("content", "access token is not a JWT, so it cannot be verified", { status: 200 });
  }
  if (header.nonce !== undefined) {
    throw new ProbeFailure(
      "content",
      "access token has a nonce header (a Microsoft Graph token): use your own API's .default scope",
      { status: 200, retryable: false },
    );
  }
  if (!header.alg || !allowedAlgorithms.includes(header.alg)) {
    throw new ProbeFailure(
      "content",
      `access token alg ${String(header.alg)} is not an asymmetric signature`,
      {
        status: 200,
      },
    );
  }
  // A kid missing from the round's copy may be a rotation the copy predates: fetch once more.
  let keys = await keySetAt(jwksUrl, context, false);
  if (header.kid && !keys.keys.some((key) => key.kid === header.kid))
    keys = await keySetAt(jwksUrl, context, true);
  if (header.kid && !keys.keys.some((key) => key.kid === header.kid)) {
    throw new ProbeFailure(
      "content",
      `access token signed with kid ${header.kid.slice(0, 40)}, which the key set does not publish`,
      {
        status: 200,
      },
    );
  }
  try {
    await jwtVerify(token, createLocalJWKSet(keys), {
      ...(verification.issuers.length > 0 ? { issuer: verification.issuers } : {}),
      ...(verification.audience !== undefined ? { audience: verification.audience } : {}),
      algorithms: allowedAlgorithms,
      clockTolerance: 300,
      requiredClaims: ["exp"],
      currentDate: new Date(context.now()),
    });
  } catch (error) {
    throw verificationFailure(error, verification);
  }
}

async function keySetAt(url: string, context: AttemptContext, fresh: boolean): Promise<JSONWebKeySet> {
  try {
    const fetched = fresh
      ? await context.documents.fresh(url, context.signal)
      : await context.documents.shared(url, context.signal);
    const parsed = keySetSchema.safeParse(fetched.json);
    if (!parsed.success) throw new ProbeFailure("content", "key set has no keys array");
    return {
      keys: parsed.data.keys.filter(
        (k): k is JSONWebKeySet["keys"][number] => k !== null && typeof k === "object",
      ),
    };
  } catch (error) {
    throw asProbeFailure(error)?.prefixed("key set") ?? error;
  }
}

function verificationFailure(error: unknown, verification: Verification): ProbeFailure {
  const content = (message: string) => new ProbeFailure("content", message, { status: 200, cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return content("access token signature does not verify against the published key");
  }
  if (error instanceof errors.JWTExpired) return content("access token is already expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    const value = error.payload[error.claim];
    const shown = typeof value === "string" ? value.slice(0, 100) : JSON.stringify(value)?.slice(0, 100);
    if (error.claim === "iss")
      return content(`access token issuer is ${shown}, expected ${verification.issuers[0]}`);
    if (error.claim === "aud")
      return content(`access token audience is ${shown}, expected ${verification.audience}`);
    return content(`access token claim ${error.claim} ${error.reason}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return content("no published key matches the access token's kid and alg");
  if (error instanceof errors.JOSEError)
    return content(`access token rejected: ${error.message.slice(0, 100)}`);
  return content(
    `access token rejected: ${error instanceof Error ? error.message.slice(0, 100) : String(error)}`,
  );
}

/**
 * Issuers a token may carry. Entra mints v1.0 access tokens (issuer `https://sts.windows.net/{tid}/`)
 * for APIs that have not opted into v2.0 tokens, signed by the same keys: both are the tenant's.
 */
export function acceptedIssuers(target: ProbeTarget, discovery: DiscoveryDocument | undefined): string[] {
  const configured = target.issuer ?? discovery?.issuer;
  if (!configured) return [];
  const issuers = new Set([configured, configured.replace(/\/+$/, ""), `${configured.replace(/\/+$/, "")}/`]);
  const tenant = /^https:\/\/[^/]+\/([^/]+)\/v2\.0\/?$/.exec(configured)?.[1];
  const microsoft = target.kind === "entra" || /^https:\/\/login\.microsoftonline\./.test(configured);
  if (tenant && microsoft) issuers.add(`https://sts.windows.net/${tenant}/`);
  return [...issuers];
}
