import * as z from "@idp-failover/core/zod-mini";
import { importJWK, type JWK } from "jose";

/*
 * What makes a published key set usable for verifying logins: at least one public signing key with a
 * kid, whose material imports. Keys for other uses (encryption) are ignored; a signing key that is
 * broken (no modulus, a symmetric key, an unknown algorithm) is a defect even next to a good one,
 * because a client that picks it up by kid fails. Okta publishes `alg`; Microsoft does not.
 */

/** Asymmetric JWS algorithms a login token may be signed with (never `none`, never HMAC). */
export const signingAlgs: ReadonlySet<string> = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);
const curveAlg: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/**
 * A JWK set's shape (RFC 7517 section 5): an object with a `keys` array. Each key is then judged by
 * the rules below, one by one, so that one bad key is named rather than failing the whole set.
 */
export const keySetSchema = z.looseObject({ keys: z.array(z.unknown()) });

export interface KeySetReport {
  keys: number;
  /** kids of usable signing keys. */
  usable: string[];
  /** Defects, each naming the key by position and kid. */
  problems: string[];
  /** Why keys were passed over without being defects. */
  skipped: string[];
}

export async function inspectKeySet(json: unknown): Promise<KeySetReport> {
  const report: KeySetReport = { keys: 0, usable: [], problems: [], skipped: [] };
  const parsed = keySetSchema.safeParse(json);
  if (!parsed.success) {
    report.problems.push("not a JWK set (no keys array)");
    return report;
  }
  const { keys } = parsed.data;
  report.keys = keys.length;
  const seen = new Set<string>();
  for (const [index, key] of keys.entries()) {
    const label = labelOf(index, key);
    const verdict = await inspectKey(key);
    if (verdict.kind === "problem") report.problems.push(`${label}: ${verdict.reason}`);
    else if (verdict.kind === "skipped") report.skipped.push(`${label}: ${verdict.reason}`);
    else if (seen.has(verdict.kid)) report.problems.push(`${label}: duplicate kid`);
    else {
      seen.add(verdict.kid);
      report.usable.push(verdict.kid);
    }
  }
  return report;
}

type KeyVerdict =
  | { kind: "usable"; kid: string }
  | { kind: "skipped"; reason: string }
  | { kind: "problem"; reason: string };

async function inspectKey(key: unknown): Promise<KeyVerdict> {
  if (key === null || typeof key !== "object" || Array.isArray(key))
    return { kind: "problem", reason: "not an object" };
  const jwk = key as Record<string, unknown>;
  if (typeof jwk.kty !== "string") return { kind: "problem", reason: "no kty" };
  if (jwk.use !== undefined && jwk.use !== "sig")
    return { kind: "skipped", reason: `use ${String(jwk.use)}` };
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes("verify"))
    return { kind: "skipped", reason: "not for verify" };
  if (jwk.kty === "oct") return { kind: "problem", reason: "symmetric key in a public key set" };
  if (jwk.d !== undefined) return { kind: "problem", reason: "private key material published" };
  const alg = typeof jwk.alg === "string" ? jwk.alg : defaultAlg(jwk);
  if (!alg) return { kind: "problem", reason: `unsupported kty ${jwk.kty}` };
  if (!signingAlgs.has(alg))
    return { kind: "problem", reason: `alg ${alg} is not an asymmetric signing algorithm` };
  try {
    await importJWK(jwk as JWK, alg);
  } catch (error) {
    return {
      kind: "problem",
      reason: `malformed (${error instanceof Error ? error.message.slice(0, 60) : "import failed"})`,
    };
  }
  if (typeof jwk.kid !== "string" || jwk.kid === "") return { kind: "skipped", reason: "no kid" };
  return { kind: "usable", kid: jwk.kid };
}

function defaultAlg(jwk: Record<string, unknown>): string | undefined {
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "EC") return typeof jwk.crv === "string" ? curveAlg[jwk.crv] : undefined;
  if (jwk.kty === "OKP") return "EdDSA";
  return undefined;
}

function labelOf(index: number, key: unknown): string {
  const kid = key !== null && typeof key === "object" ? (key as { kid?: unknown }).kid : undefined;
  return typeof kid === "string" ? `key ${index} (kid ${kid.slice(0, 40)})` : `key ${index}`;
}
