import { entraStandInDefaults } from "./entra-stand-in.js";
import { oktaStandInDefaults } from "./okta-stand-in.js";

/*
 * A config's provider entries for the Okta and Entra stand-ins, as a config file holds them (the
 * input to core's parseConfig), with the probe secrets the stand-ins accept under the names the
 * entries reference. One builder for the probe tests, the probe bench and `idpctl run`'s tests, so
 * a probe the stand-ins learn is configured in one place. They take the stand-ins' URLs, not the
 * stand-ins, because the bench runs its stand-ins in another process.
 */

/** The secrets behind the `*Ref` fields of the entries below, by name. */
export const standInProbeSecrets = {
  OKTA_PROBE_CLIENT_SECRET: oktaStandInDefaults.client.clientSecret,
  OKTA_API_TOKEN: oktaStandInDefaults.apiToken,
  ENTRA_PROBE_CLIENT_SECRET: entraStandInDefaults.client.clientSecret,
};

export type OktaStandInProbe = "oidc-discovery" | "jwks" | "token" | "saml-metadata" | "okta-api";
export type EntraStandInProbe = "oidc-discovery" | "jwks" | "token" | "graph-health";

const oktaProbes: readonly OktaStandInProbe[] = [
  "oidc-discovery",
  "jwks",
  "token",
  "saml-metadata",
  "okta-api",
];
const entraProbes: readonly EntraStandInProbe[] = ["oidc-discovery", "jwks", "token", "graph-health"];

/** Okta on the stand-in at `orgUrl`: one of its authorization servers, and the probes named (default all). */
export function oktaStandInProvider(
  orgUrl: string,
  options: { authorizationServer?: string; probes?: readonly OktaStandInProbe[] } = {},
) {
  const authorizationServer = options.authorizationServer ?? "default";
  const probes = {
    ...openIdProbes({
      clientId: oktaStandInDefaults.client.clientId,
      clientSecretRef: "OKTA_PROBE_CLIENT_SECRET",
      scope: "idp_failover.probe",
      // The audience the stand-in gives a server's tokens (`api://default` for the default server, as Okta does).
      audience: `api://${authorizationServer}`,
    }),
    "saml-metadata": {
      kind: "saml-metadata",
      url: `${orgUrl}/app/${oktaStandInDefaults.samlAppId}/sso/saml/metadata`,
    },
    "okta-api": { kind: "okta-api", orgUrl, auth: { mode: "token", tokenRef: "OKTA_API_TOKEN" } },
  };
  return {
    id: "okta",
    kind: "okta",
    issuer: `${orgUrl}/oauth2/${authorizationServer}`,
    dnsTarget: "example.customdomains.okta.com",
    probes: (options.probes ?? oktaProbes).map((probe) => probes[probe]),
  };
}

/** Entra on the stand-in at `url` (it plays both the login and the Graph host), with the probes named (default all). */
export function entraStandInProvider(
  url: string,
  options: { tenantId?: string; probes?: readonly EntraStandInProbe[] } = {},
) {
  const tenantId = options.tenantId ?? entraStandInDefaults.tenantId;
  const probes = {
    ...openIdProbes({
      clientId: entraStandInDefaults.client.clientId,
      clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
      scope: "api://idp-failover-probe/.default",
      clientAuth: "client_secret_post",
    }),
    "graph-health": {
      kind: "graph-health",
      tenantId,
      clientId: entraStandInDefaults.client.clientId,
      clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
      loginUrl: url,
      graphUrl: url,
    },
  };
  return {
    id: "entra",
    kind: "entra",
    tenantId,
    issuer: `${url}/${tenantId}/v2.0`,
    dnsTarget: "example-login.azurefd.net",
    probes: (options.probes ?? entraProbes).map((probe) => probes[probe]),
  };
}

/** The probes any OpenID provider answers alike: discovery, keys, and a client-credentials token. */
function openIdProbes(token: Record<string, string>) {
  return {
    "oidc-discovery": { kind: "oidc-discovery" },
    jwks: { kind: "jwks" },
    token: { kind: "token", ...token },
  };
}
