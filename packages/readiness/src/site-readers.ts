import type { Clock, SiteContinuity } from "@idp-failover/core";
import { NodeHttpClient } from "@idp-failover/http";
import type { SecretSource } from "@idp-failover/probes";
import type { PrimaryDirectory, SecondaryDirectory, Wait } from "./directory.js";
import { EntraDirectoryReader } from "./entra-directory-reader.js";
import { graphTokenSource } from "./graph-token.js";
import { OktaDirectoryReader, type OktaReaderAuth } from "./okta-directory-reader.js";

/*
 * The two readers of a site's continuity settings, with their secrets resolved: what the CLI, the
 * scheduled run, the drill and the bench all build. A secret that is not set is named, never guessed.
 */

export interface SiteReaderOptions {
  secrets: SecretSource;
  clock: Clock;
  /** Extra CA certificates to trust (PEM): a private CA, or the stand-ins' test CA. */
  ca?: string;
  wait?: Wait;
}

export type SiteReaders =
  | { ok: true; primary: PrimaryDirectory; secondary: SecondaryDirectory; close(): void }
  | { ok: false; missingSecrets: string[] };

export function siteReaders(settings: SiteContinuity, options: SiteReaderOptions): SiteReaders {
  const auth = settings.okta.auth;
  const oktaRef = auth.mode === "token" ? auth.tokenRef : auth.privateKeyRef;
  const oktaSecret = options.secrets(oktaRef);
  const entraSecret = options.secrets(settings.entra.clientSecretRef);
  const missingSecrets = [
    ...(oktaSecret === undefined ? [oktaRef] : []),
    ...(entraSecret === undefined ? [settings.entra.clientSecretRef] : []),
  ];
  if (oktaSecret === undefined || entraSecret === undefined) return { ok: false, missingSecrets };
  // Keep-alive, a few sockets per host (the SDKs' own concurrency): a run is thousands of requests to
  // two hosts, and a handshake each would cost more CPU than the comparison.
  const http = new NodeHttpClient({
    ...(options.ca ? { ca: options.ca } : {}),
    keepAlive: { maxSockets: 8 },
    userAgent: "idp-failover-readiness/0.1",
  });
  const oktaAuth: OktaReaderAuth =
    auth.mode === "token"
      ? { mode: "token", token: oktaSecret }
      : {
          mode: "private-key",
          clientId: auth.clientId,
          scopes: auth.scopes,
          privateKey: oktaSecret,
          ...(auth.keyId ? { keyId: auth.keyId } : {}),
        };
  const wait = options.wait ? { wait: options.wait } : {};
  const agent = http.agentFor("https:");
  const primary = new OktaDirectoryReader({ orgUrl: settings.okta.orgUrl, auth: oktaAuth, agent, ...wait });
  const getAccessToken = graphTokenSource(
    { ...settings.entra, clientSecret: entraSecret },
    http,
    options.clock,
  );
  const secondary = new EntraDirectoryReader({
    graphBaseUrl: settings.entra.graphBaseUrl,
    getAccessToken,
    http,
    ...wait,
  });
  return { ok: true, primary, secondary, close: () => http.destroy() };
}
