import type { Clock } from "@idp-failover/core";
import {
  clientCredentialsRequest,
  type HttpClient,
  parseTokenAnswer,
  tokenEndpointFailure,
} from "@idp-failover/probes";
import { DirectoryReadError } from "./directory.js";

/*
 * The one place a readiness run gets its Microsoft Graph token: an app-only client-credentials grant
 * at `{authorityHost}/{tenant}/oauth2/v2.0/token` for `{graphBaseUrl}/.default`. It borrows the
 * probes' client-credentials helpers and HTTP client until packages/http owns both; swap the body
 * and nothing else changes. The secret is only sent; no message carries it or the token.
 */

export interface GraphTokenSettings {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  graphBaseUrl: string;
}

/** A token source for the Graph client: a new token when the cached one is five minutes from expiry. */
export function graphTokenSource(
  settings: GraphTokenSettings,
  http: HttpClient,
  clock: Clock,
): () => Promise<string> {
  let cached: { token: string; renewAt: number } | undefined;
  return async () => {
    if (cached && clock.now() < cached.renewAt) return cached.token;
    const token = await requestGraphToken(settings, http);
    cached = { token: token.accessToken, renewAt: clock.now() + Math.max(0, token.lifetimeMs - 300_000) };
    return cached.token;
  };
}

async function requestGraphToken(
  settings: GraphTokenSettings,
  http: HttpClient,
): Promise<{ accessToken: string; lifetimeMs: number }> {
  const url = `${settings.authorityHost}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
  const request = clientCredentialsRequest({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    scope: `${settings.graphBaseUrl}/.default`,
    method: "client_secret_post",
  });
  const hint =
    "check continuity.entra (tenantId, clientId, clientSecretRef) and that the secret has not expired (App registrations > Certificates & secrets)";
  try {
    const answer = await http.request(url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(30_000),
    });
    if (answer.status !== 200) {
      const failure = tokenEndpointFailure(answer, "Entra token endpoint");
      throw new DirectoryReadError("graph token", failure.message, hint, { status: answer.status });
    }
    const parsed = parseTokenAnswer(JSON.parse(answer.body), answer.status);
    return { accessToken: parsed.access_token, lifetimeMs: (parsed.expires_in ?? 3599) * 1000 };
  } catch (error) {
    if (error instanceof DirectoryReadError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DirectoryReadError("graph token", `Entra token endpoint: ${reason}`, hint, { cause: error });
  }
}
