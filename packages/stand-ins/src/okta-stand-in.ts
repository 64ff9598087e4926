import { randomBytes } from "node:crypto";
import { importJWK, type JWK, jwtVerify } from "jose";
import type { OktaDirectory } from "./directory-seed.js";
import type { FaultMode, HandlerContext, ProbeSurface, Reply } from "./idp-https-server.js";
import * as idp from "./idp-stand-in.js";
import {
  isOktaDirectoryPath,
  oktaError,
  oktaNotFound,
  type RateBucket,
  serveOktaDirectory,
} from "./okta-directory-api.js";
import { createSigningKey, type SigningKey, signJwt } from "./signing-keys.js";

/*
 * An Okta org on 127.0.0.1, shaped like Okta's public API reference: the org and custom authorization
 * servers (discovery, keys, client-credentials tokens, the authorize endpoint's hosted sign-in page),
 * SAML app metadata, the management API's `/api/v1/org` with `x-rate-limit-*` headers,
 * `/.well-known/okta-organization`, and the directory a readiness run reads (users, groups, members,
 * app assignments: okta-directory-api.ts).
 */

export interface OktaClient {
  clientId: string;
  clientSecret: string;
  /** Okta enforces the method an app is registered with. */
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post";
  /** Sign-in redirect URIs the app registered (the authorize endpoint refuses others). */
  redirectUris?: string[];
}

/** An API service app that authenticates with a signed client assertion (private_key_jwt). */
export interface OktaServiceApp {
  clientId: string;
  publicJwk: JWK;
}

export interface OktaStandInOptions extends idp.IdpStandInOptions {
  /** Custom authorization server ids served under /oauth2/{id}. Default ["default"]. */
  authorizationServers?: string[];
  clients?: OktaClient[];
  /** The SSWS API token the management API accepts. */
  apiToken?: string;
  serviceApps?: OktaServiceApp[];
  /** Requests per minute on /api/v1/org; past it, 429 until the window resets. Default 600. */
  rateLimit?: number;
  /** The org's people, groups and app assignments (see directory-seed.ts). Default: none. */
  directory?: OktaDirectory;
  /** Requests per minute in each directory bucket (users, groups, apps). Default 600. */
  directoryRateLimit?: number;
}

export const oktaStandInDefaults = {
  client: {
    clientId: "0oa1probeclient2Ab3c4",
    clientSecret: "probe-client-secret-0123456789",
    tokenEndpointAuthMethod: "client_secret_basic",
    redirectUris: ["https://login.example.com/authorization-code/callback"],
  } satisfies OktaClient,
  apiToken: "00ProbeApiToken0123456789abcdefghijklmnop",
  samlAppId: "exk1abcdEFGH2ijkl3m4",
  orgId: "00o1probeorg2Ab3c4d5",
};

export interface OktaStandIn extends idp.IdpStandInControls {
  /** The org URL, like https://{yourOktaDomain}. */
  url: string;
  /** The directory served under /api/v1/users, /groups and /apps; change it between reads. */
  directory: OktaDirectory;
  /** A custom authorization server's issuer; `undefined` id gives the org authorization server's. */
  issuer(authorizationServerId?: string): string;
  samlMetadataUrl(appId?: string): string;
}

export async function startOktaStandIn(options: OktaStandInOptions): Promise<OktaStandIn> {
  const [key, rogueKey, certificates] = await Promise.all([
    createSigningKey(),
    createSigningKey(),
    idp.signingCertificates("example", { valid: [-365, 9 * 365], expiring: [-365, 5], expired: [-3650, -2] }),
  ]);
  const state: OktaState = {
    options,
    authorizationServers: new Set(options.authorizationServers ?? ["default"]),
    clients: options.clients ?? [oktaStandInDefaults.client],
    apiToken: options.apiToken ?? oktaStandInDefaults.apiToken,
    key,
    rogueKey,
    certificates,
    rate: { limit: options.rateLimit ?? 600, used: 0, windowEnds: 0 },
    directory: options.directory ?? { users: [], groups: [], apps: [] },
    directoryRates: new Map(),
    url: "",
  };
  const { url, controls } = await idp.startIdpServer(options, oktaSurface, (context) =>
    handleOkta(state, context),
  );
  state.url = url;
  return {
    ...controls,
    url,
    directory: state.directory,
    issuer: (id) => (id === undefined ? url : `${url}/oauth2/${id}`),
    samlMetadataUrl: (appId = oktaStandInDefaults.samlAppId) => `${url}/app/${appId}/sso/saml/metadata`,
  };
}

interface OktaState {
  options: OktaStandInOptions;
  authorizationServers: Set<string>;
  clients: OktaClient[];
  apiToken: string;
  key: SigningKey;
  rogueKey: SigningKey;
  certificates: Record<"valid" | "expiring" | "expired", string>;
  rate: { limit: number; used: number; windowEnds: number };
  directory: OktaDirectory;
  directoryRates: Map<string, RateBucket>;
  url: string;
}

function oktaSurface(_method: string, path: string): ProbeSurface | undefined {
  if (
    path.endsWith("/.well-known/openid-configuration") ||
    path.endsWith("/.well-known/oauth-authorization-server")
  )
    return "oidc-discovery";
  if (/^\/oauth2\/([^/]+\/)?v1\/keys$/.test(path)) return "jwks";
  if (/^\/oauth2\/([^/]+\/)?v1\/token$/.test(path)) return "token";
  if (/^\/oauth2\/([^/]+\/)?v1\/authorize$/.test(path)) return "interactive-sign-in";
  if (/^\/app\/.+\/sso\/saml\/metadata$/.test(path)) return "saml-metadata";
  if (path.startsWith("/api/v1/") || path === "/.well-known/okta-organization") return "okta-api";
  return undefined;
}

/** The authorization server a path addresses: "" for the org's, an id for a custom one. */
function authorizationServerOf(path: string): string | undefined {
  if (path === "/.well-known/openid-configuration" || path === "/.well-known/oauth-authorization-server")
    return "";
  const match = /^\/oauth2\/([^/]+)(\/|$)/.exec(path);
  if (!match?.[1]) return undefined;
  return match[1] === "v1" || match[1] === ".well-known" ? "" : match[1];
}

async function handleOkta(state: OktaState, context: HandlerContext): Promise<Reply> {
  const { url, fault, surface } = context;
  const path = url.pathname;
  const countsAgainstLimit = surface === "okta-api" && path === "/api/v1/org";
  const rateHeaders = rateLimitHeaders(state, countsAgainstLimit, fault?.mode);

  if (fault?.mode === "http-5xx") return oktaServerError(surface, fault.status ?? 503, fault.errorCode);
  if (fault?.mode === "read-only" && surface === "okta-api" && context.method !== "GET") {
    return idp.json(503, oktaError("E0000010", "Service is in read only mode"), rateHeaders);
  }
  if (fault?.mode === "http-4xx") return oktaClientError(surface, fault.status ?? 404);
  if (fault?.mode === "rate-limited" || (countsAgainstLimit && state.rate.used > state.rate.limit)) {
    return idp.json(
      429,
      oktaError("E0000047", "API call exceeded rate limit due to too many requests."),
      rateHeaders,
    );
  }

  const as = authorizationServerOf(path);
  if (surface === "oidc-discovery" && as !== undefined) {
    if (as !== "" && !state.authorizationServers.has(as)) return notFound(as);
    return idp.jsonDocument(discoveryDocument(state.url, as, fault?.mode), fault?.mode, rateHeaders);
  }
  if (surface === "jwks" && as !== undefined) {
    if (as !== "" && !state.authorizationServers.has(as)) return notFound(as);
    return idp.jsonDocument(keySet(state.key, fault?.mode), fault?.mode, rateHeaders);
  }
  if (surface === "token" && as !== undefined && context.method === "POST") {
    if (as !== "" && !state.authorizationServers.has(as)) return notFound(as);
    return as === "" ? orgToken(state, context, rateHeaders) : customToken(state, as, context, rateHeaders);
  }
  if (surface === "interactive-sign-in" && as !== undefined && context.method === "GET") {
    if (as !== "" && !state.authorizationServers.has(as)) return notFound(as);
    return signInPage(state, context.url);
  }
  if (surface === "saml-metadata") return samlMetadata(state, path, fault?.mode);
  if (path === "/.well-known/okta-organization") return idp.json(200, orgMetadata(state.url), rateHeaders);
  if (path === "/api/v1/org" && context.method === "GET") return orgSettings(state, context, rateHeaders);
  if (isOktaDirectoryPath(path)) {
    const scopes = await grantedScopes(state, context.headers.authorization);
    if (context.fault?.mode === "auth" || !scopes) {
      return idp.json(401, oktaError("E0000011", "Invalid token provided"), rateHeaders);
    }
    return serveOktaDirectory(
      state.directory,
      { method: context.method, url, orgUrl: state.url, scopes, now: (state.options.now ?? Date.now)() },
      state.directoryRates,
      state.options.directoryRateLimit ?? 600,
    );
  }
  return idp.json(404, oktaError("E0000022", "The endpoint does not support the provided HTTP method"));
}

/** The JWS algorithms Okta accepts on signed request objects (`request`, CIBA). */
const requestSigningAlgorithms = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
];
/** How a client may authenticate to the token, introspection and revocation endpoints. */
const clientAuthMethods = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
];

function discoveryDocument(org: string, as: string, mode: FaultMode | undefined): Record<string, unknown> {
  const issuer = as === "" ? org : `${org}/oauth2/${as}`;
  const base = as === "" ? `${org}/oauth2/v1` : `${issuer}/v1`;
  return {
    issuer: mode === "wrong-issuer" ? `${org}/oauth2/ausWrongIssuer` : issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    registration_endpoint: `${org}/oauth2/v1/clients`,
    jwks_uri: `${base}/keys`,
    response_types_supported: [
      "code",
      "id_token",
      "code id_token",
      "code token",
      "id_token token",
      "code id_token token",
    ],
    response_modes_supported: ["query", "fragment", "form_post", "okta_post_message"],
    grant_types_supported: [
      "authorization_code",
      "implicit",
      "refresh_token",
      "password",
      "client_credentials",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:openid:params:grant-type:ciba",
      "urn:okta:params:oauth:grant-type:otp",
      "urn:okta:params:oauth:grant-type:oob",
    ],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email", "address", "phone", "offline_access", "device_sso"],
    token_endpoint_auth_methods_supported: clientAuthMethods,
    claims_supported: [
      "iss",
      "ver",
      "sub",
      "aud",
      "iat",
      "exp",
      "jti",
      "auth_time",
      "amr",
      "idp",
      "nonce",
      "name",
      "nickname",
      "preferred_username",
      "given_name",
      "family_name",
      "email",
      "email_verified",
      "zoneinfo",
      "locale",
      "updated_at",
      "at_hash",
      "c_hash",
    ],
    code_challenge_methods_supported: ["S256"],
    introspection_endpoint: `${base}/introspect`,
    introspection_endpoint_auth_methods_supported: clientAuthMethods,
    revocation_endpoint: `${base}/revoke`,
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    end_session_endpoint: `${base}/logout`,
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: requestSigningAlgorithms,
    device_authorization_endpoint: `${base}/device/authorize`,
    pushed_authorization_request_endpoint: `${base}/par`,
    backchannel_token_delivery_modes_supported: ["poll"],
    backchannel_authentication_request_signing_alg_values_supported: requestSigningAlgorithms,
    dpop_signing_alg_values_supported: ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
  };
}

function keySet(key: SigningKey, mode: FaultMode | undefined): { keys: Record<string, unknown>[] } {
  return idp.keySetWithFault(
    { kty: "RSA", alg: "RS256", kid: key.kid, use: "sig", e: key.publicJwk.e, n: key.publicJwk.n },
    mode,
  );
}

async function customToken(
  state: OktaState,
  as: string,
  context: HandlerContext,
  headers: Record<string, string>,
): Promise<Reply> {
  const { form, clientId, clientSecret, method } = idp.readClientCredentials(context.headers, context.body);
  if (form.get("grant_type") !== "client_credentials") {
    return tokenError("unsupported-grant", headers);
  }
  const client = state.clients.find((c) => c.clientId === clientId);
  if (
    context.fault?.mode === "auth" ||
    !client ||
    client.clientSecret !== clientSecret ||
    client.tokenEndpointAuthMethod !== method
  ) {
    return tokenError("bad-client-credentials", headers);
  }
  const scope = form.get("scope");
  if (!scope) {
    return tokenError("no-scope", headers);
  }
  if (scope.split(" ").includes("openid")) {
    return tokenError("openid-scope", headers);
  }
  const now = Math.floor(Date.now() / 1000);
  const issuer = `${state.url}/oauth2/${as}`;
  const claims = {
    ver: 1,
    jti: `AT.${randomBytes(24).toString("base64url")}`,
    iss: context.fault?.mode === "wrong-issuer" ? `${state.url}/oauth2/ausWrongIssuer` : issuer,
    aud: as === "default" ? "api://default" : `api://${as}`,
    iat: now,
    exp: now + 3600,
    cid: client.clientId,
    scp: scope.split(" "),
    sub: client.clientId,
  };
  const token = await idp.signWithFault(state, claims, context.fault?.mode);
  const answer = { token_type: "Bearer", expires_in: 3600, access_token: token, scope };
  return idp.jsonDocument(answer, context.fault?.mode, {
    ...headers,
    "cache-control": "no-store",
    pragma: "no-cache",
  });
}

/** The org authorization server: client assertions (private_key_jwt) for Okta API scopes, as the SDK sends. */
async function orgToken(
  state: OktaState,
  context: HandlerContext,
  headers: Record<string, string>,
): Promise<Reply> {
  const form = new URLSearchParams(context.body);
  const assertion = form.get("client_assertion");
  const invalidClient = tokenError("bad-client-assertion", headers);
  if (form.get("grant_type") !== "client_credentials" || !assertion || context.fault?.mode === "auth")
    return invalidClient;
  let clientId: string | undefined;
  for (const app of state.options.serviceApps ?? []) {
    try {
      const key = await importJWK(app.publicJwk, "RS256");
      await jwtVerify(assertion, key, {
        issuer: app.clientId,
        subject: app.clientId,
        audience: `${state.url}/oauth2/v1/token`,
      });
      clientId = app.clientId;
      break;
    } catch {
      // not this app's key
    }
  }
  if (!clientId) return invalidClient;
  const scope = form.get("scope") ?? "";
  if (!scope || scope.split(" ").some((s) => !s.startsWith("okta."))) {
    return tokenError("not-an-okta-scope", headers);
  }
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt(state.key, {
    ver: 1,
    jti: `AT.${randomBytes(24).toString("base64url")}`,
    iss: state.url,
    aud: state.url,
    iat: now,
    exp: now + 3600,
    cid: clientId,
    scp: scope.split(" "),
    sub: clientId,
  });
  return idp.json(200, { token_type: "Bearer", expires_in: 3600, access_token: token, scope }, headers);
}

async function orgSettings(
  state: OktaState,
  context: HandlerContext,
  headers: Record<string, string>,
): Promise<Reply> {
  if (context.fault?.mode === "auth" || !(await authorized(state, context.headers.authorization))) {
    return idp.json(401, oktaError("E0000011", "Invalid token provided"), headers);
  }
  return idp.jsonDocument(orgSettingsBody(state.url), context.fault?.mode, headers);
}

async function authorized(state: OktaState, authorization: string | undefined): Promise<boolean> {
  return (await grantedScopes(state, authorization)) !== undefined;
}

/** What the caller may do: `all` for the SSWS API token, an OAuth token's scopes, or nothing. */
async function grantedScopes(
  state: OktaState,
  authorization: string | undefined,
): Promise<"all" | Set<string> | undefined> {
  if (!authorization) return undefined;
  if (authorization === `SSWS ${state.apiToken}`) return "all";
  const bearer = /^(Bearer|DPoP) (.+)$/.exec(authorization)?.[2];
  return idp.grantedBy(bearer, state.key, "scp", { issuer: state.url, audience: state.url });
}

/** Okta's rate-limit headers; `/api/v1/org` counts against its own per-minute bucket. */
function rateLimitHeaders(
  state: OktaState,
  counts: boolean,
  mode: FaultMode | undefined,
): Record<string, string> {
  const now = Date.now();
  if (now >= state.rate.windowEnds) {
    state.rate.used = 0;
    state.rate.windowEnds = (Math.floor(now / 60_000) + 1) * 60_000;
  }
  if (counts) state.rate.used++;
  const limit = state.rate.limit;
  let remaining = Math.max(0, limit - state.rate.used);
  if (mode === "rate-limited") remaining = 0;
  if (mode === "low-rate-limit") remaining = Math.floor(limit * 0.02);
  return {
    "x-rate-limit-limit": String(limit),
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(state.rate.windowEnds / 1000)),
    "x-okta-request-id": randomBytes(12).toString("base64url"),
    date: new Date(now).toUTCString(),
  };
}

function oktaServerError(surface: ProbeSurface | undefined, status: number, errorCode?: string): Reply {
  if (surface === "okta-api") {
    if (errorCode === "E0000010")
      return idp.json(status, oktaError(errorCode, "Service is in read only mode"));
    return idp.json(status, oktaError(errorCode ?? "E0000009", "Internal Server Error"));
  }
  if (surface === "saml-metadata") {
    return idp.htmlPage(status, "text/html", "<html><body><h1>Service Unavailable</h1></body></html>");
  }
  return idp.json(status, {
    error: "server_error",
    error_description: "The server encountered an internal error.",
  });
}

function oktaClientError(surface: ProbeSurface | undefined, status: number): Reply {
  if (surface === "saml-metadata") {
    return idp.htmlPage(status, "text/html", "<html><body><h1>Page not found</h1></body></html>");
  }
  return status === 404
    ? idp.json(status, oktaError("E0000007", "Not found: Resource not found"))
    : idp.json(status, oktaError("E0000001", "Api validation failed"));
}

/** The token endpoints' refusals, in Okta's words (OAuth 2.0 error answers, RFC 6749 section 5.2). */
const tokenErrors = {
  "unsupported-grant": [
    400,
    "unsupported_grant_type",
    "The authorization grant type is not supported by the authorization server.",
  ],
  "bad-client-credentials": [
    401,
    "invalid_client",
    "Client authentication failed. Either the client or the client credentials are invalid.",
  ],
  "bad-client-assertion": [401, "invalid_client", "The client_assertion signature is invalid."],
  "no-scope": [
    400,
    "invalid_scope",
    "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
  ],
  "openid-scope": [
    400,
    "invalid_scope",
    "The following scopes are not supported for the client credentials flow: openid.",
  ],
  "not-an-okta-scope": [400, "invalid_scope", "The requested scope is invalid, unknown, or malformed."],
} as const;

function tokenError(which: keyof typeof tokenErrors, headers: Record<string, string>): Reply {
  const [status, error, description] = tokenErrors[which];
  return idp.json(status, { error, error_description: description }, headers);
}

function notFound(as: string): Reply {
  return oktaNotFound(as, "AuthorizationServer");
}

function orgSettingsBody(org: string): Record<string, unknown> {
  return {
    id: oktaStandInDefaults.orgId,
    subdomain: "example",
    companyName: "Example Corp",
    status: "ACTIVE",
    expiresAt: null,
    created: "2020-01-15T18:21:34.000Z",
    lastUpdated: "2025-06-02T09:12:00.000Z",
    website: "https://www.example.com",
    phoneNumber: null,
    endUserSupportHelpURL: null,
    supportPhoneNumber: null,
    address1: null,
    address2: null,
    city: null,
    state: null,
    country: null,
    postalCode: null,
    _links: {
      preferences: { href: `${org}/api/v1/org/preferences` },
      uploadLogo: { href: `${org}/api/v1/org/logo`, hints: { allow: ["POST"] } },
      oktaCommunication: { href: `${org}/api/v1/org/privacy/oktaCommunication` },
      logo: [
        {
          name: "Okta_Logo_Brightblue_Medium",
          href: `${org}/assets/img/logos/okta-logo.png`,
          type: "image/png",
        },
      ],
      oktaSupport: { href: `${org}/api/v1/org/privacy/oktaSupport` },
      contacts: { href: `${org}/api/v1/org/contacts` },
    },
  };
}

function orgMetadata(org: string): Record<string, unknown> {
  return {
    id: oktaStandInDefaults.orgId,
    pipeline: "idx",
    _links: { organization: { href: org }, alternate: { href: org } },
    settings: { analyticsCollectionEnabled: false, bugReportingEnabled: true, omEnabled: false },
  };
}

function samlMetadata(state: OktaState, path: string, mode: FaultMode | undefined): Reply {
  const appId =
    /^\/app\/(?:[^/]+\/)?([^/]+)\/sso\/saml\/metadata$/.exec(path)?.[1] ?? oktaStandInDefaults.samlAppId;
  if (mode === "bad-json") {
    return idp.htmlPage(
      200,
      "text/html;charset=utf-8",
      '<!DOCTYPE html><html><head><title>Example - Sign In</title></head><body><div id="okta-sign-in"></div></body></html>',
    );
  }
  const { expired, expiring, valid } = state.certificates;
  const [cert] = idp.publishedCertificates(mode, { expired, expiring, current: [valid] });
  const sso = `${state.url}/app/example_probeapp_1/${appId}/sso/saml`;
  const body = `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/${appId}"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${sso}"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
  return { status: 200, headers: { "content-type": "application/xml;charset=UTF-8" }, body };
}

/**
 * The authorize endpoint: for a registered client and redirect URI, the hosted sign-in page (Okta's
 * page template mounts the Sign-In Widget in `okta-login-container`); otherwise Okta's HTML error page.
 */
function signInPage(state: OktaState, url: URL): Reply {
  const client = state.clients.find((c) => c.clientId === url.searchParams.get("client_id"));
  const redirect = url.searchParams.get("redirect_uri") ?? "";
  const html = (status: number, body: string): Reply =>
    idp.htmlPage(
      status,
      "text/html;charset=utf-8",
      `<!DOCTYPE html><html><head><title>Example - Sign In</title></head><body>${body}</body></html>`,
      { "x-okta-request-id": randomBytes(12).toString("base64url") },
    );
  if (!client)
    return html(
      400,
      "<div class=\"error-code\">Error Code: invalid_client</div><p>Invalid value for 'client_id' parameter.</p>",
    );
  if (!(client.redirectUris ?? []).includes(redirect)) {
    return html(
      400,
      "<p>The 'redirect_uri' parameter must be a Login redirect URI in the client app settings</p>",
    );
  }
  return html(
    200,
    '<div id="okta-login-container"></div><script>var config = OktaUtil.getSignInWidgetConfig(); OktaUtil.init(config);</script>',
  );
}
