import type { Clock } from "@idp-failover/core";
import type { HttpClient } from "@idp-failover/http";
import { entraGraphCredentials } from "@idp-failover/http/graph";
import { DirectoryReadError } from "./directory.js";

/*
 * The one place a readiness run gets its Microsoft Graph token: the one client-credentials flow
 * (packages/http's ClientCredentials: an app-only grant at `{authorityHost}/{tenant}/oauth2/v2.0/token`
 * for `{graphBaseUrl}/.default`, kept until five minutes before it expires). A refusal is a
 * DirectoryReadError naming what to check; the secret is only sent, no message carries it or the token.
 */

export interface GraphTokenSettings {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  graphBaseUrl: string;
}

const hint =
  "check continuity.entra (tenantId, clientId, clientSecretRef) and that the secret has not expired (App registrations > Certificates & secrets)";

/** A token source for the Graph client. */
export function graphTokenSource(
  settings: GraphTokenSettings,
  http: HttpClient,
  clock: Clock,
): () => Promise<string> {
  const credentials = entraGraphCredentials(
    {
      tenantId: settings.tenantId,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      loginUrl: settings.authorityHost,
      graphUrl: settings.graphBaseUrl,
    },
    { http, clock },
  );
  return async () => {
    try {
      return await credentials.accessToken(AbortSignal.timeout(30_000));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const status = (error as { status?: unknown }).status;
      throw new DirectoryReadError("graph token", `Entra token endpoint: ${reason}`, hint, {
        cause: error,
        ...(typeof status === "number" ? { status } : {}),
      });
    }
  };
}
