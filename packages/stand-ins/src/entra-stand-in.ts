import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { EntraDirectory } from "./directory-seed.js";
import { GraphDirectory, type GraphRateLimit, graphErrorReply } from "./graph-directory-api.js";
import type { FaultMode, HandlerContext, ProbeSurface, Reply } from "./idp-https-server.js";
import * as idp from "./idp-stand-in.js";
import { createSigningKey, type SigningKey } from "./signing-keys.js";

/*
 * Microsoft Entra ID and the slice of Microsoft Graph the probes use, on 127.0.0.1, shaped like
 * Microsoft's public docs: v2.0 discovery per tenant, `/discovery/v2.0/keys` (keys without `alg`, with
 * `x5c`), client-credentials tokens at `/{tenant}/oauth2/v2.0/token` (`.default` scopes only),
 * federation metadata, the authorize endpoint's sign-in page, Graph
 * `/v1.0/admin/serviceAnnouncement/healthOverviews` (with a service's issues on `$expand=issues`), and
 * the Graph directory a readiness run reads (graph-directory-api.ts). One server plays both
 * login.microsoftonline.com and graph.microsoft.com: point `loginUrl` and `graphUrl` at it. Its
 * `backup-auth` fault plays Microsoft's backup authentication: no sign-in form for new sessions,
 * Microsoft Entra degraded in service health with an open issue saying so; the documents, keys and
 * tokens are still served (the wording of that issue is the stand-in's own).
 */

export interface EntraClient {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs the app registration lists (the authorize endpoint refuses others). */
  redirectUris?: string[];
  /** The Microsoft Graph application permissions admin-consented to the app (a Graph token's `roles`). */
  roles?: string[];
}

export interface ServiceHealth {
  service: string;
  id: string;
  status: string;
}

export interface EntraStandInOptions extends idp.IdpStandInOptions {
  /** Tenant ids that exist. Default [entraStandInDefaults.tenantId]. */
  tenants?: string[];
  clients?: EntraClient[];
  /** The app's `accessTokenAcceptedVersion`: v1 tokens carry the sts.windows.net issuer. Default 2. */
  accessTokenVersion?: 1 | 2;
  services?: ServiceHealth[];
  /** healthOverviews page size (Graph pages at 100). */
  pageSize?: number;
  /** The tenant's people, groups and service principals (see directory-seed.ts). Default: none. */
  directory?: EntraDirectory;
  /** A request budget on the Graph directory API; past it, 429 with Retry-After. Default: none. */
  graphRateLimit?: GraphRateLimit;
}

export const entraStandInDefaults = {
  tenantId: "00000000-0000-4000-8000-000000000001",
  client: {
    clientId: "11111111-2222-4333-8444-555555555555",
    clientSecret: "Pr0be~Secret.0123456789_abcdefghijKLMN",
    redirectUris: ["https://login.example.com/signin-oidc"],
    roles: ["ServiceHealth.Read.All"],
  } satisfies EntraClient,
  /** An app registration with the Graph permissions a readiness run needs, admin-consented. */
  readinessClient: {
    clientId: "22222222-3333-4444-8555-666666666666",
    clientSecret: "Read1ness~Secret.0123456789_abcdefghij",
    roles: ["User.Read.All", "GroupMember.Read.All", "Application.Read.All"],
  } satisfies EntraClient,
  services: [
    { service: "Exchange Online", status: "serviceOperational", id: "Exchange" },
    { service: "Microsoft Entra", status: "serviceOperational", id: "OrgLiveID" },
    { service: "Microsoft 365 suite", status: "serviceOperational", id: "OSDPPlatform" },
    { service: "Microsoft Teams", status: "serviceOperational", id: "microsoftteams" },
    { service: "SharePoint Online", status: "serviceOperational", id: "SharePoint" },
    { service: "Microsoft Intune", status: "serviceOperational", id: "Intune" },
  ] satisfies ServiceHealth[],
};

export interface EntraStandIn extends idp.IdpStandInControls {
  /** Plays https://login.microsoftonline.com (the `loginUrl` of a graph-health probe). */
  url: string;
  /** Plays https://graph.microsoft.com (the `graphUrl` of a graph-health probe). */
  graphUrl: string;
  /** `{url}/{tenant}/v2.0`, as the v2.0 discovery document names it. */
  issuer(tenantId?: string): string;
  samlMetadataUrl(tenantId?: string): string;
  /** The directory served under /v1.0/users, /groups and /servicePrincipals, with its change journal. */
  directory: GraphDirectory;
  /** Sets one service's status in Graph service health (`serviceDegradation`, ...). */
  setServiceStatus(service: string, status: string): void;
}

export async function startEntraStandIn(options: EntraStandInOptions): Promise<EntraStandIn> {
  const [key, rogueKey, certificates] = await Promise.all([
    createSigningKey({ withCertificate: true }),
    createSigningKey({ withCertificate: true }),
    // Microsoft publishes the current certificate and the next one while a rollover is scheduled.
    idp.signingCertificates("Microsoft Azure Federated SSO Certificate", {
      current: [-400, 700],
      next: [-10, 1090],
      expiring: [-1090, 5],
      expired: [-1100, -3],
    }),
  ]);
  const state: EntraState = {
    options,
    tenants: new Set(options.tenants ?? [entraStandInDefaults.tenantId]),
    clients: options.clients ?? [entraStandInDefaults.client, entraStandInDefaults.readinessClient],
    directory: new GraphDirectory(
      options.directory ?? { users: [], groups: [], servicePrincipals: [] },
      options.graphRateLimit,
    ),
    services: (options.services ?? entraStandInDefaults.services).map((s) => ({ ...s })),
    key,
    rogueKey,
    certificates,
    url: "",
  };
  const { url, controls } = await idp.startIdpServer(options, entraSurface, (context) =>
    handleEntra(state, context),
  );
  state.url = url;
  return {
    ...controls,
    url,
    graphUrl: url,
    directory: state.directory,
    issuer: (tenantId = entraStandInDefaults.tenantId) => `${url}/${tenantId}/v2.0`,
    samlMetadataUrl: (tenantId = entraStandInDefaults.tenantId) =>
      `${url}/${tenantId}/federationmetadata/2007-06/federationmetadata.xml`,
    setServiceStatus(service, status) {
      const entry = state.services.find((s) => s.service === service || s.id === service);
      if (entry) entry.status = status;
      else state.services.push({ service, id: service.replace(/\s+/g, ""), status });
    },
  };
}

interface EntraState {
  options: EntraStandInOptions;
  tenants: Set<string>;
  clients: EntraClient[];
  services: ServiceHealth[];
  key: SigningKey;
  rogueKey: SigningKey;
  certificates: Record<"current" | "next" | "expiring" | "expired", string>;
  directory: GraphDirectory;
  url: string;
}

function entraSurface(_method: string, path: string): ProbeSurface | undefined {
  if (/^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(path)) return "oidc-discovery";
  if (/^\/[^/]+\/discovery\/v2\.0\/keys$/.test(path)) return "jwks";
  if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return "token";
  if (/^\/[^/]+\/oauth2\/v2\.0\/authorize$/.test(path)) return "interactive-sign-in";
  if (/^\/[^/]+\/federationmetadata\/2007-06\/federationmetadata\.xml$/.test(path)) return "saml-metadata";
  if (path.startsWith("/v1.0/admin/serviceAnnouncement/")) return "graph-health";
  return undefined;
}

async function handleEntra(state: EntraState, context: HandlerContext): Promise<Reply> {
  const { url, fault, surface } = context;
  const path = url.pathname;
  const tenant = path.split("/")[1] ?? "";

  if (surface === "graph-health") return graphHealth(state, context);
  if (/^\/v1\.0\/(users|groups|servicePrincipals)(\/|$)/.test(path)) return graphDirectory(state, context);
  if (fault?.mode === "http-5xx") {
    return idp.json(
      fault.status ?? 503,
      aadError("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
    );
  }
  if (fault?.mode === "http-4xx") {
    return idp.json(
      fault.status ?? 404,
      aadError("invalid_request", 900023, "The requested resource was not found on this endpoint."),
    );
  }
  if (fault?.mode === "rate-limited") {
    return idp.json(
      429,
      aadError(
        "temporarily_unavailable",
        50196,
        "The server terminated an operation because it encountered a client request loop.",
      ),
      { "retry-after": "30" },
    );
  }
  const knownTenant = state.tenants.has(tenant) || (surface !== "token" && isMultiTenant(tenant));
  if (surface !== undefined && !knownTenant) {
    return idp.json(
      400,
      aadError(
        "invalid_tenant",
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      ),
    );
  }
  if (surface === "oidc-discovery")
    return idp.jsonDocument(discoveryDocument(state.url, tenant, fault?.mode), fault?.mode);
  if (surface === "jwks") return idp.jsonDocument(keySet(state, fault?.mode), fault?.mode);
  if (surface === "token" && context.method === "POST") return token(state, tenant, context);
  if (surface === "interactive-sign-in" && context.method === "GET") return signInPage(state, context);
  if (surface === "saml-metadata") return federationMetadata(state, tenant, fault?.mode);
  return idp.json(404, aadError("invalid_request", 900561, "The endpoint only accepts POST requests."));
}

function isMultiTenant(tenant: string): boolean {
  return tenant === "common" || tenant === "organizations" || tenant === "consumers";
}

function discoveryDocument(
  base: string,
  tenant: string,
  mode: FaultMode | undefined,
): Record<string, unknown> {
  // Multi-tenant endpoints publish the issuer as a template; clients substitute the tenant id.
  const issuerTenant = isMultiTenant(tenant) ? "{tenantid}" : tenant;
  return {
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer:
      mode === "wrong-issuer"
        ? `${base}/ffffffff-0000-4000-8000-00000000ffff/v2.0`
        : `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/${tenant}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

function keySet(state: EntraState, mode: FaultMode | undefined): { keys: Record<string, unknown>[] } {
  const key = state.key;
  return idp.keySetWithFault(
    {
      kty: "RSA",
      use: "sig",
      kid: key.kid,
      x5t: key.x5t,
      n: key.publicJwk.n,
      e: key.publicJwk.e,
      x5c: [key.certificate],
      cloud_instance_name: "microsoftonline.com",
      issuer: `${state.url}/{tenantid}/v2.0`,
    },
    mode,
  );
}

async function token(state: EntraState, tenant: string, context: HandlerContext): Promise<Reply> {
  const { form, clientId, clientSecret } = idp.readClientCredentials(context.headers, context.body);
  if (form.get("grant_type") !== "client_credentials") {
    return idp.json(
      400,
      aadError("unsupported_grant_type", 70003, "The app requested an unsupported grant type 'password'."),
    );
  }
  const client = state.clients.find((c) => c.clientId === clientId);
  if (!client) {
    return idp.json(
      400,
      aadError(
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId ?? ""}' was not found in the directory '${tenant}'.`,
      ),
    );
  }
  if (context.fault?.mode === "auth" || client.clientSecret !== clientSecret) {
    return idp.json(
      401,
      aadError(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
      ),
    );
  }
  const scope = form.get("scope") ?? "";
  if (!scope.endsWith("/.default") || scope.includes(" ")) {
    return idp.json(
      400,
      aadError(
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      ),
    );
  }
  const resource = scope.slice(0, -"/.default".length);
  const isGraph = resource === state.url || resource === "https://graph.microsoft.com";
  const now = Math.floor(Date.now() / 1000);
  const version = isGraph ? 1 : (state.options.accessTokenVersion ?? 2);
  const issuer =
    context.fault?.mode === "wrong-issuer"
      ? `${state.url}/ffffffff-0000-4000-8000-00000000ffff/v2.0`
      : version === 1
        ? `https://sts.windows.net/${tenant}/`
        : `${state.url}/${tenant}/v2.0`;
  const claims: Record<string, unknown> = {
    aud: isGraph ? "https://graph.microsoft.com" : resource,
    iss: issuer,
    iat: now,
    nbf: now,
    exp: now + 3599,
    aio: randomBytes(40).toString("base64"),
    idp: `https://sts.windows.net/${tenant}/`,
    oid: randomUUID(),
    rh: `0.${randomBytes(30).toString("base64url")}.`,
    sub: randomUUID(),
    tid: tenant,
    uti: randomBytes(16).toString("base64url"),
    ver: version === 1 ? "1.0" : "2.0",
    ...(version === 1 ? { appid: client.clientId, appidacr: "1" } : { azp: client.clientId, azpacr: "1" }),
    ...(isGraph ? { app_displayname: "idp-failover", roles: client.roles ?? [] } : {}),
  };
  const signed = await signToken(state, claims, context.fault?.mode, isGraph);
  const answer = { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: signed };
  return idp.jsonDocument(answer, context.fault?.mode, {
    "cache-control": "no-store, no-cache",
    pragma: "no-cache",
  });
}

async function signToken(
  state: EntraState,
  claims: Record<string, unknown>,
  mode: FaultMode | undefined,
  isGraph: boolean,
): Promise<string> {
  if (isGraph) {
    // Graph tokens carry a nonce in their header, which makes them unverifiable by anyone but Graph.
    return new SignJWT(claims)
      .setProtectedHeader({
        typ: "JWT",
        nonce: randomBytes(16).toString("base64url"),
        alg: "RS256",
        x5t: state.key.x5t,
        kid: state.key.kid,
      })
      .sign(state.key.privateKey);
  }
  return idp.signWithFault(state, claims, mode);
}

async function graphHealth(state: EntraState, context: HandlerContext): Promise<Reply> {
  const { fault, url } = context;
  const requestId = randomUUID();
  const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    graphErrorReply(status, code, message, { requestId, headers });
  if (fault?.mode === "http-5xx")
    return graphError(fault.status ?? 503, "serviceNotAvailable", "The service is temporarily unavailable.");
  if (fault?.mode === "http-4xx")
    return graphError(fault.status ?? 404, "UnknownError", "Resource not found for the segment.");
  if (fault?.mode === "rate-limited")
    return graphError(429, "TooManyRequests", "Too many requests.", { "retry-after": "30" });
  if (fault?.mode === "auth" || !(await graphAuthorized(state, context.headers.authorization))) {
    return graphError(
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure. Invalid audience.",
    );
  }
  const services = state.services.map((s) =>
    s.service === "Microsoft Entra" && (fault?.mode === "service-degraded" || fault?.mode === "backup-auth")
      ? { ...s, status: "serviceDegradation" }
      : s.service === "Microsoft Entra" && fault?.mode === "service-interruption"
        ? { ...s, status: "serviceInterruption" }
        : s,
  );
  const base = "/v1.0/admin/serviceAnnouncement/healthOverviews";
  const context1 = `${state.url}/v1.0/$metadata#admin/serviceAnnouncement/healthOverviews`;
  if (url.pathname === base) {
    const pageSize = state.options.pageSize ?? 100;
    const skip = Number(url.searchParams.get("$skiptoken") ?? "0") || 0;
    const page = services.slice(skip, skip + pageSize);
    const body: Record<string, unknown> = { "@odata.context": context1, value: page };
    if (skip + pageSize < services.length)
      body["@odata.nextLink"] = `${state.url}${base}?$skiptoken=${skip + pageSize}`;
    return idp.jsonDocument(body, fault?.mode, { "request-id": requestId });
  }
  const name = decodeURIComponent(url.pathname.slice(base.length + 1));
  const entry = services.find((s) => s.service === name || s.id === name);
  if (!entry) return graphError(404, "NotFound", `Service '${name}' not found.`);
  const expand = url.searchParams.get("$expand") === "issues";
  const issues =
    entry.service === "Microsoft Entra" && fault?.mode === "backup-auth" ? [backupAuthIssue()] : [];
  return idp.json(
    200,
    { "@odata.context": `${context1}/$entity`, ...entry, ...(expand ? { issues } : {}) },
    { "request-id": requestId },
  );
}

async function graphAuthorized(state: EntraState, authorization: string | undefined): Promise<boolean> {
  return (await graphRoles(state, authorization)) !== undefined;
}

/** The application permissions of a valid Graph token; undefined for anything else. */
async function graphRoles(
  state: EntraState,
  authorization: string | undefined,
): Promise<Set<string> | undefined> {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  // Graph's own tokens carry a nonce in their header (see signToken).
  return idp.grantedBy(bearer, state.key, "roles", { audience: "https://graph.microsoft.com" }, (header) =>
    Boolean(header.nonce),
  );
}

/** The Graph directory, behind the same fault switch as the rest of Graph. */
async function graphDirectory(state: EntraState, context: HandlerContext): Promise<Reply> {
  const fault = context.fault;
  const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    graphErrorReply(status, code, message, { headers });
  if (fault?.mode === "http-5xx")
    return graphError(fault.status ?? 503, "serviceNotAvailable", "The service is temporarily unavailable.");
  if (fault?.mode === "rate-limited")
    return graphError(429, "TooManyRequests", "Too many requests.", { "retry-after": "30" });
  const roles = fault?.mode === "auth" ? undefined : await graphRoles(state, context.headers.authorization);
  return state.directory.serve({
    method: context.method,
    url: context.url,
    graphUrl: state.url,
    roles,
    now: (state.options.now ?? Date.now)(),
  });
}

function aadError(error: string, code: number, description: string): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").slice(0, 19);
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}Z`,
    error_codes: [code],
    timestamp: `${timestamp}Z`,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function federationMetadata(state: EntraState, tenant: string, mode: FaultMode | undefined): Reply {
  if (mode === "bad-json") {
    return idp.htmlPage(
      200,
      "text/html; charset=utf-8",
      "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body></body></html>",
    );
  }
  const { expired, expiring, current, next } = state.certificates;
  const certs = idp.publishedCertificates(mode, { expired, expiring, current: [current, next] });
  const keyDescriptors = certs
    .map(
      (c) =>
        `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${c}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`,
    )
    .join("");
  const sso = `${state.url}/${tenant}/saml2`;
  const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_${randomUUID()}" entityID="https://sts.windows.net/${tenant}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" /><Reference URI="#_x"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><DigestValue>${randomBytes(32).toString("base64")}</DigestValue></Reference></SignedInfo><SignatureValue>${randomBytes(256).toString("base64")}</SignatureValue><KeyInfo><X509Data><X509Certificate>${certs[0]}</X509Certificate></X509Data></KeyInfo></Signature><RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${keyDescriptors}<fed:ClaimTypesOffered><auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Name</auth:DisplayName></auth:ClaimType></fed:ClaimTypesOffered><fed:SecurityTokenServiceEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>${state.url}/${tenant}/wsfed</wsa:Address></wsa:EndpointReference></fed:SecurityTokenServiceEndpoint></RoleDescriptor><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptors}<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}" /><NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat><NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat><NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}" /><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${sso}" /></IDPSSODescriptor></EntityDescriptor>`;
  return { status: 200, headers: { "content-type": "application/xml; charset=utf-8" }, body };
}

/** An open service-health issue as the backup-auth fault shows it (the stand-in's wording). */
function backupAuthIssue(): Record<string, unknown> {
  return {
    id: "EN000001",
    title: "Some users can't sign in to Microsoft Entra ID",
    impactDescription:
      "Users may be unable to sign in to new sessions; the backup authentication service is handling existing sessions.",
    classification: "incident",
    status: "serviceDegradation",
    feature: "Sign In",
    featureGroup: "Authentication",
    isResolved: false,
    service: "Microsoft Entra",
  };
}

/**
 * The authorize endpoint: for a registered client and redirect URI, Microsoft's sign-in page (it
 * declares `PageID` `ConvergedSignIn`); otherwise an AADSTS error page. Under `backup-auth` new
 * interactive sign-ins are not served: an error page without a sign-in form.
 */
function signInPage(state: EntraState, context: HandlerContext): Reply {
  const params = context.url.searchParams;
  const client = state.clients.find((c) => c.clientId === params.get("client_id"));
  const page = (status: number, pageId: string, body: string): Reply =>
    idp.htmlPage(
      status,
      "text/html; charset=utf-8",
      `<!DOCTYPE html><html><head><title>Sign in to your account</title><meta name="PageID" content="${pageId}"></head><body>${body}</body></html>`,
    );
  if (context.fault?.mode === "backup-auth") {
    return page(
      503,
      "ConvergedError",
      "<p>AADSTS90033: A transient error has occurred. Please try again.</p>",
    );
  }
  if (!client) {
    return page(
      400,
      "ConvergedError",
      `<p>AADSTS700016: Application with identifier '${params.get("client_id") ?? ""}' was not found.</p>`,
    );
  }
  if (!(client.redirectUris ?? []).includes(params.get("redirect_uri") ?? "")) {
    return page(
      400,
      "ConvergedError",
      "<p>AADSTS50011: The redirect URI specified in the request does not match.</p>",
    );
  }
  return page(
    200,
    "ConvergedSignIn",
    '<form name="f1" method="post"><input type="email" name="loginfmt"></form>',
  );
}
