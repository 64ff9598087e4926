import * as z from "@idp-failover/core/zod-mini";
import type { HttpAnswer } from "./node-https-client.js";
import { statusFailure } from "./node-https-client.js";
import { ProbeFailure } from "./probe-failure.js";
import type { SecretSource } from "./secrets.js";

/*
 * Client-credentials grants (RFC 6749 section 4.4) as Okta and Entra answer them: the request, the
 * answer's shape, and what an error answer means for the probe. Secrets are read here and only sent;
 * no message ever carries them or a token.
 */

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

export function requireSecret(secrets: SecretSource, ref: string): string {
  const value = secrets(ref);
  if (value === undefined) {
    throw new ProbeFailure("auth", `secret ${ref} is not set (environment or secret store)`, {
      retryable: false,
    });
  }
  return value;
}

export interface ClientCredentialsRequest {
  clientId: string;
  clientSecret: string;
  scope: string;
  method: "client_secret_basic" | "client_secret_post";
}

/** The form body and headers of a client-credentials grant. */
export function clientCredentialsRequest(request: ClientCredentialsRequest): {
  headers: Record<string, string>;
  body: string;
} {
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
export function tokenEndpointFailure(answer: HttpAnswer, what = "token endpoint"): ProbeFailure {
  const error = oauthErrorOf(answer.body);
  const code = error ? ` ${error.error}${aadstsOf(error.error_description)}` : "";
  if (error && credentialErrors.has(error.error)) {
    return new ProbeFailure("auth", `${what}: HTTP ${answer.status}${code}: client credentials rejected`, {
      status: answer.status,
    });
  }
  const failure = statusFailure(answer, true);
  return new ProbeFailure(failure.errorClass, `${what}: HTTP ${answer.status}${code}`, {
    status: answer.status,
    retryable: failure.retryable,
  });
}

/** Parses a 200 token answer; a missing token or a non-Bearer type is wrong content. */
export function parseTokenAnswer(json: unknown, status: number): TokenAnswer {
  const parsed = tokenAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "answer";
    throw new ProbeFailure("content", `token answer has no valid ${field}`, { status });
  }
  if (parsed.data.token_type.toLowerCase() !== "bearer") {
    throw new ProbeFailure(
      "content",
      `token_type is ${parsed.data.token_type.slice(0, 20)}, expected Bearer`,
      {
        status,
      },
    );
  }
  return parsed.data;
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
