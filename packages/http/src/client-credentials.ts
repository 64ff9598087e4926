import type { Clock } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { HttpRequestError, parseJsonBody, statusFailure, whereOf } from "./http-failure.js";
import type { HttpAnswer, HttpClient } from "./node-http-client.js";

/*
 * The one OAuth 2.0 client-credentials flow (RFC 6749 section 4.4), as Okta and Entra answer it: the
 * request, the answer's shape, what an error answer means, and `ClientCredentials`, which keeps a
 * token until shortly before it expires (by the clock it is given). The token probe mints a token
 * every attempt on purpose (`requestToken`: minting is what it checks); the graph-health probe, the
 * report's Microsoft attainment figure and the readiness reads use `ClientCredentials`. Secrets are
 * only sent; no message ever carries them or a token. Credentials go over TLS only (RFC 6749 sections
 * 2.3.1 and 3.2: a token request carries clear-text credentials), loopback excepted, where a local
 * stand-in may speak plain http and nothing crosses a network.
 */

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post";

export interface ClientCredentialsSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** How the client authenticates (RFC 6749 2.3.1). Default `client_secret_basic`; Okta enforces the registered one. */
  clientAuth?: ClientAuthMethod;
  /** What messages call the endpoint ("Entra token endpoint"). Default "token endpoint". */
  label?: string;
}

export const tokenAnswerSchema = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string().check(z.minLength(1)),
  expires_in: z.optional(
    z.union([z.number(), z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number))]),
  ),
});
export type TokenAnswer = z.infer<typeof tokenAnswerSchema>;

const oauthErrorSchema = z.looseObject({ error: z.string(), error_description: z.optional(z.string()) });

/** OAuth error codes that mean "these credentials are not accepted". */
const credentialErrors = new Set(["invalid_client", "unauthorized_client", "access_denied"]);

/** A token endpoint's refusal: the HTTP failure, with the OAuth `error` code when the answer had one. */
export class TokenRequestError extends HttpRequestError {
  override name = "TokenRequestError";

  constructor(
    errorClass: HttpRequestError["errorClass"],
    message: string,
    readonly oauthError: string | undefined,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(errorClass, message, options);
  }
}

/** The form body and headers of a client-credentials grant. */
export function clientCredentialsRequest(request: {
  clientId: string;
  clientSecret: string;
  scope: string;
  method: ClientAuthMethod;
}): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: "client_credentials", scope: request.scope });
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (request.method === "client_secret_basic") {
    // RFC 6749 2.3.1: both parts are form-encoded before they are joined and base64-encoded.
    const user = `${formEncode(request.clientId)}:${formEncode(request.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(user, "utf8").toString("base64")}`;
  } else {
    form.set("client_id", request.clientId);
    form.set("client_secret", request.clientSecret);
  }
  return { headers, body: form.toString() };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** What a non-200 token endpoint answer means: credentials (auth), throttling, outage, or a bad request. */
export function tokenEndpointFailure(answer: HttpAnswer, what = "token endpoint"): TokenRequestError {
  const error = oauthErrorOf(answer.body);
  const code = error ? ` ${error.error}${aadstsOf(error.error_description)}` : "";
  if (error && credentialErrors.has(error.error)) {
    return new TokenRequestError(
      "auth",
      `${what}: HTTP ${answer.status}${code}: client credentials rejected`,
      error.error,
      { status: answer.status },
    );
  }
  const failure = statusFailure(answer, true);
  return new TokenRequestError(failure.errorClass, `${what}: HTTP ${answer.status}${code}`, error?.error, {
    status: answer.status,
  });
}

/** Parses a 200 token answer; a missing token or a non-Bearer type is wrong content. */
export function parseTokenAnswer(json: unknown, status: number): TokenAnswer {
  const parsed = tokenAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "answer";
    throw new TokenRequestError("content", `token answer has no valid ${field}`, undefined, { status });
  }
  if (parsed.data.token_type.toLowerCase() !== "bearer") {
    throw new TokenRequestError(
      "content",
      `token_type is ${parsed.data.token_type.slice(0, 20)}, expected Bearer`,
      undefined,
      { status },
    );
  }
  return parsed.data;
}

/** A minted token and what it took: the token probe's latency is this request's. */
export interface MintedToken {
  token: TokenAnswer;
  status: number;
  latencyMs: number;
}

/** One client-credentials grant, no cache. Throws HttpRequestError (TokenRequestError for refusals). */
export async function requestToken(
  http: HttpClient,
  settings: ClientCredentialsSettings,
  signal: AbortSignal,
): Promise<MintedToken> {
  if (sendsSecretInTheClear(settings.tokenUrl)) {
    throw new TokenRequestError(
      "content",
      `refusing to send client credentials to ${whereOf(settings.tokenUrl)} without TLS: use an https: token URL`,
      undefined,
    );
  }
  const request = clientCredentialsRequest({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scope: settings.scope,
    method: settings.clientAuth ?? "client_secret_basic",
  });
  const answer = await http.request(settings.tokenUrl, {
    method: "POST",
    headers: request.headers,
    body: request.body,
    signal,
  });
  if (answer.status !== 200) throw tokenEndpointFailure(answer, settings.label);
  const token = parseTokenAnswer(parseJsonBody(answer.body, settings.tokenUrl), answer.status);
  return { token, status: answer.status, latencyMs: answer.latencyMs };
}

export interface ClientCredentialsOptions {
  http: HttpClient;
  clock: Clock;
  /** A token is replaced this long before it expires. Default 5 minutes. */
  refreshBeforeExpiryMs?: number;
  /** The deadline of a token request made without a signal. Default 15 s. */
  timeoutMs?: number;
}

/**
 * A client's access token, minted on first use and kept until `refreshBeforeExpiryMs` before it
 * expires (`expires_in`; 3599 s, Entra's usual lifetime, when the answer has none). Expiry is read
 * from the clock it is given, so tests and replays control it.
 */
export class ClientCredentials {
  private cached: { accessToken: string; refreshAt: number } | undefined;

  constructor(
    readonly settings: ClientCredentialsSettings,
    private readonly options: ClientCredentialsOptions,
  ) {}

  /** A token good for a while yet. Throws HttpRequestError (TokenRequestError for refusals). */
  async accessToken(signal?: AbortSignal): Promise<string> {
    const now = this.options.clock.now();
    if (this.cached && this.cached.refreshAt > now) return this.cached.accessToken;
    const { token } = await requestToken(
      this.options.http,
      this.settings,
      signal ?? AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    );
    const lifetimeMs = (token.expires_in ?? 3599) * 1000;
    const refreshBeforeMs = this.options.refreshBeforeExpiryMs ?? 300_000;
    this.cached = {
      accessToken: token.access_token,
      refreshAt: this.options.clock.now() + Math.max(0, lifetimeMs - refreshBeforeMs),
    };
    return token.access_token;
  }

  /** Drops the token: the resource server refused it (revoked, or its permissions changed). */
  forget(): void {
    this.cached = undefined;
  }

  /** Whether a token is held that is still good at `now` (an owner may drop idle instances). */
  holdsTokenAt(now: number): boolean {
    return this.cached !== undefined && this.cached.refreshAt > now;
  }
}

function sendsSecretInTheClear(url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false; // the client refuses it as "not a valid URL"
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(target.hostname);
  return target.protocol === "http:" && !loopback;
}

function oauthErrorOf(body: string): z.infer<typeof oauthErrorSchema> | undefined {
  try {
    const parsed = oauthErrorSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Entra's AADSTS code: short, secret-free, and what its docs index errors by. */
function aadstsOf(description: string | undefined): string {
  const code = description ? /AADSTS\d+/.exec(description)?.[0] : undefined;
  return code ? ` (${code})` : "";
}
