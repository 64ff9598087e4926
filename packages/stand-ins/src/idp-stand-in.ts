import type { IncomingMessage } from "node:http";
import { decodeProtectedHeader, importJWK, type JWTPayload, type JWTVerifyOptions, jwtVerify } from "jose";
import {
  type FaultMode,
  IdpHttpsServer,
  type IdpHttpsServerOptions,
  type ProbeSurface,
  type Reply,
  type StandInFault,
  type StandInRequest,
} from "./idp-https-server.js";
import { type SigningKey, signJwt } from "./signing-keys.js";
import { createSigningCertificate, pemBody, type TestCa } from "./test-ca.js";

/*
 * The request handling the Okta and Entra stand-ins share, each still answering in its vendor's
 * words: start the HTTPS server and hand back its controls, read client credentials, answer JSON
 * (or a document the way a fault breaks it), sign tokens and publish keys as a fault says, mint
 * SAML signing certificates, and read back a token they issued.
 */

/** What starting any IdP stand-in takes. */
export interface IdpStandInOptions {
  ca: TestCa;
  /** Added to every answer, like the network distance to the vendor. */
  latencyMs?: number;
  port?: number;
  /** The clock of the directory API's rate-limit windows (a test moves it instead of waiting). Default Date.now. */
  now?: () => number;
}

/** What every IdP stand-in offers a test: the requests it saw and its fault switch. */
export interface IdpStandInControls {
  readonly requests: readonly StandInRequest[];
  count(surface?: ProbeSurface): number;
  setFault(fault: StandInFault): Promise<void>;
  clearFault(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the HTTPS server under an IdP stand-in; its `url` is known once this resolves. */
export async function startIdpServer(
  options: IdpStandInOptions,
  surfaceOf: IdpHttpsServerOptions["surfaceOf"],
  handle: IdpHttpsServerOptions["handle"],
): Promise<{ url: string; controls: IdpStandInControls }> {
  const { ca, latencyMs, port } = options;
  const server = new IdpHttpsServer({ ca, latencyMs, port, surfaceOf, handle });
  await server.start();
  return {
    url: server.url,
    controls: {
      requests: server.requests,
      count: (surface) => server.count(surface),
      setFault: (fault) => server.setFault(fault),
      clearFault: () => server.clearFault(),
      close: () => server.close(),
    },
  };
}

/** A JSON document as served, or cut short under the `bad-json` fault. */
export function jsonDocument(
  document: unknown,
  mode: FaultMode | undefined,
  headers: Record<string, string> = {},
): Reply {
  return mode === "bad-json" ? truncatedJson(document) : json(200, document, headers);
}

/** The published key set as a fault leaves it: no keys, or the key without its modulus. */
export function keySetWithFault(
  published: Record<string, unknown>,
  mode: FaultMode | undefined,
): { keys: Record<string, unknown>[] } {
  if (mode === "empty-jwks") return { keys: [] };
  if (mode === "malformed-jwks") {
    const { n: _n, ...withoutModulus } = published;
    return { keys: [withoutModulus] };
  }
  return { keys: [published] };
}

/** The signing keys of an IdP stand-in: the published one and a rogue one a fault signs with. */
export interface TokenKeys {
  key: SigningKey;
  rogueKey: SigningKey;
}

/** Signs a token, or mis-signs it as a fault says: another key under the published kid, or an unpublished kid. */
export function signWithFault(
  keys: TokenKeys,
  claims: Record<string, unknown>,
  mode: FaultMode | undefined,
): Promise<string> {
  if (mode === "bad-signature") return signJwt(keys.rogueKey, claims, keys.key.kid);
  if (mode === "unknown-kid") return signJwt(keys.rogueKey, claims);
  return signJwt(keys.key, claims);
}

/**
 * The string values of a list claim (`scp`, `roles`) of a token `key` signed and `verify` accepts;
 * undefined for no token, a token this stand-in did not issue, or one whose header `acceptHeader`
 * refuses.
 */
export async function grantedBy(
  token: string | undefined,
  key: SigningKey,
  claim: string,
  verify: JWTVerifyOptions,
  acceptHeader: (header: ReturnType<typeof decodeProtectedHeader>) => boolean = () => true,
): Promise<Set<string> | undefined> {
  if (!token) return undefined;
  try {
    if (!acceptHeader(decodeProtectedHeader(token))) return undefined;
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, "RS256"), verify);
    const values: JWTPayload[string] = payload[claim];
    return new Set(Array.isArray(values) ? values.map(String) : []);
  } catch {
    return undefined;
  }
}

const day = 86_400_000;

/**
 * SAML signing certificates (the base64 bodies metadata carries), each valid over a window given
 * in days from now: `[-365, 5]` was issued a year ago and expires in five days.
 */
export async function signingCertificates<Name extends string>(
  commonName: string,
  windows: Record<Name, readonly [fromDays: number, toDays: number]>,
): Promise<Record<Name, string>> {
  const now = Date.now();
  const entries = await Promise.all(
    (Object.entries(windows) as Array<[Name, readonly [number, number]]>).map(async ([name, [from, to]]) => {
      const certificate = await createSigningCertificate({
        commonName,
        notBefore: new Date(now + from * day),
        notAfter: new Date(now + to * day),
      });
      return [name, pemBody(certificate.cert)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Name, string>;
}

/** The certificates SAML metadata publishes under a fault: the expired or expiring one, else the current ones. */
export function publishedCertificates(
  mode: FaultMode | undefined,
  certificates: { expired: string; expiring: string; current: string[] },
): string[] {
  if (mode === "expired-cert") return [certificates.expired];
  if (mode === "expiring-cert") return [certificates.expiring];
  return certificates.current;
}

/** An HTML page, as the vendors answer in place of metadata or on their sign-in pages. */
export function htmlPage(
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): Reply {
  return { status, headers: { "content-type": contentType, ...headers }, body };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
    body: JSON.stringify(value),
  };
}

/** A JSON document cut short: what a half-written answer from a broken edge looks like. */
export function truncatedJson(value: unknown): Reply {
  const text = JSON.stringify(value);
  return {
    status: 200,
    headers: { "content-type": "application/json;charset=UTF-8" },
    body: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
  };
}

/** Parses `application/x-www-form-urlencoded` and HTTP Basic credentials (RFC 6749 section 2.3.1). */
export function readClientCredentials(
  headers: IncomingMessage["headers"],
  body: string,
): {
  form: URLSearchParams;
  clientId?: string;
  clientSecret?: string;
  method?: "client_secret_basic" | "client_secret_post";
} {
  const form = new URLSearchParams(body);
  const authorization = headers.authorization ?? "";
  if (authorization.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return {
        form,
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
        method: "client_secret_basic",
      };
    }
  }
  const clientId = form.get("client_id") ?? undefined;
  const clientSecret = form.get("client_secret") ?? undefined;
  return clientSecret !== undefined
    ? { form, clientId, clientSecret, method: "client_secret_post" }
    : { form, ...(clientId ? { clientId } : {}) };
}
