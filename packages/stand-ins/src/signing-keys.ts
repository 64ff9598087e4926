import { createHash, randomBytes, X509Certificate } from "node:crypto";
import {
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { generate } from "selfsigned";
import { pemBody } from "./test-ca.js";

/*
 * RS256 token-signing keys for the IdP stand-ins, published in their key sets the way each vendor
 * does: Okta with `alg`, Microsoft without `alg` but with the certificate (`x5c`, `x5t`).
 */

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  /** The public half as a JWK (kty, n, e). */
  publicJwk: JWK;
  /** base64 DER of a self-signed certificate for the key (Microsoft publishes it). */
  certificate?: string;
  /** base64url SHA-1 thumbprint of that certificate. */
  x5t?: string;
}

export async function createSigningKey(
  options: { kid?: string; withCertificate?: boolean } = {},
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
    modulusLength: 2048,
  });
  const publicJwk = await exportJWK(publicKey);
  if (!options.withCertificate) {
    return { kid: options.kid ?? randomBytes(32).toString("base64url").slice(0, 43), privateKey, publicJwk };
  }
  const pems = await generate([{ name: "commonName", value: "accounts.accesscontrol.windows.net" }], {
    keyType: "rsa",
    algorithm: "sha256",
    keyPair: { privateKey: await exportPKCS8(privateKey), publicKey: await exportSPKI(publicKey) },
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
  });
  const der = new X509Certificate(pems.cert).raw;
  const x5t = createHash("sha1").update(der).digest("base64url");
  return { kid: options.kid ?? x5t, privateKey, publicJwk, certificate: pemBody(pems.cert), x5t };
}

export function signJwt(key: SigningKey, claims: JWTPayload, kid = key.kid): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key.privateKey);
}
