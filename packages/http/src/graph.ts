import {
  AuthenticationHandler,
  Client,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import {
  ClientCredentials,
  type ClientCredentialsOptions,
  type ClientCredentialsSettings,
} from "./client-credentials.js";
import { HttpRequestError, messageOf, requestFailure, whereOf } from "./http-failure.js";
import type { HttpClient } from "./node-http-client.js";

/*
 * Microsoft Graph through the one HTTP client: an app-only token from the tenant's v2.0 token
 * endpoint (client credentials, scope `{graph}/.default`: the application permissions the app was
 * granted), and the Graph SDK with our client as its transport, so Graph calls trust the same CAs,
 * honour the caller's deadline and fail in core's classes. Used by the graph-health probe, the
 * report's Microsoft attainment figure and the readiness reads. A separate entry point
 * (`@idp-failover/http/graph`) so that only callers of Graph load its SDK.
 */

export const microsoftLoginUrl = "https://login.microsoftonline.com";
export const microsoftGraphUrl = "https://graph.microsoft.com";

/** An Entra app registration that reads Graph with its own permissions (national clouds: other URLs). */
export interface EntraGraphApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com. */
  loginUrl?: string | undefined;
  /** Default https://graph.microsoft.com. */
  graphUrl?: string | undefined;
}

/** The client-credentials settings of a Graph app: the tenant's v2.0 token endpoint, `{graph}/.default`. */
export function entraGraphTokenSettings(app: EntraGraphApp): ClientCredentialsSettings {
  const loginUrl = withoutTrailingSlash(app.loginUrl ?? microsoftLoginUrl);
  const graphUrl = withoutTrailingSlash(app.graphUrl ?? microsoftGraphUrl);
  return {
    tokenUrl: `${loginUrl}/${encodeURIComponent(app.tenantId)}/oauth2/v2.0/token`,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    scope: `${graphUrl}/.default`,
    clientAuth: "client_secret_post",
    label: "Entra token endpoint",
  };
}

/** The app's Graph token, kept until shortly before it expires. */
export function entraGraphCredentials(
  app: EntraGraphApp,
  options: ClientCredentialsOptions,
): ClientCredentials {
  return new ClientCredentials(entraGraphTokenSettings(app), options);
}

/**
 * The Graph SDK's last middleware: sends each request with our HTTP client. It remembers the last
 * status, the latency of everything sent through it, and the failure of a request that got no
 * answer (the SDK wraps what middleware throws in its own GraphError, which hides the class).
 */
export class GraphTransport implements Middleware {
  status: number | undefined;
  latencyMs = 0;
  failure: HttpRequestError | undefined;

  /** `signal`: the deadline of each request (a probe attempt's signal, or a fresh timeout). */
  constructor(
    private readonly http: HttpClient,
    private readonly signal: () => AbortSignal,
  ) {}

  async execute(context: Context): Promise<void> {
    const request: unknown = context.request;
    const url = typeof request === "string" ? request : String((request as { url?: unknown }).url);
    const method = context.options?.method?.toUpperCase();
    const body = context.options?.body;
    const signal = this.signal();
    try {
      const answer = await this.http.request(url, {
        method: method === "HEAD" || method === "POST" ? method : "GET",
        headers: headerRecord(context.options?.headers),
        ...(typeof body === "string" ? { body } : {}),
        signal,
      });
      this.status = answer.status;
      this.latencyMs += answer.latencyMs;
      const headers = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
      context.response = new Response(empty ? null : answer.body, { status: answer.status, headers });
    } catch (error) {
      this.failure =
        requestFailure(error, whereOf(url), signal) ??
        new HttpRequestError("content", `Graph request failed: ${messageOf(error)}`, { cause: error });
      throw this.failure;
    }
  }
}

/** A Graph client over `transport`, sending `accessToken()`'s bearer to the Graph host only. */
export function createGraphClient(options: {
  transport: GraphTransport;
  accessToken: () => Promise<string>;
  /** Default https://graph.microsoft.com. */
  graphUrl?: string | undefined;
}): Client {
  const graphUrl = withoutTrailingSlash(options.graphUrl ?? microsoftGraphUrl);
  return Client.initWithMiddleware({
    middleware: [new AuthenticationHandler({ getAccessToken: options.accessToken }), options.transport],
    baseUrl: graphUrl,
    defaultVersion: "v1.0",
    // The SDK sends the bearer only to Microsoft's Graph hosts and these (national clouds, stand-ins).
    customHosts: new Set([new URL(graphUrl).hostname]),
  });
}

function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      record[name] = value;
    });
  } else if (Array.isArray(headers)) {
    for (const pair of headers)
      if (Array.isArray(pair) && pair.length === 2) record[String(pair[0])] = String(pair[1]);
  } else if (headers && typeof headers === "object") {
    for (const [name, value] of Object.entries(headers)) if (typeof value === "string") record[name] = value;
  }
  return record;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
