import type { Provider } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import {
  AuthenticationHandler,
  Client,
  type Context,
  GraphError,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { HttpsRequestError, httpsCall } from "./https-request.js";

/*
 * The vendor's own monthly SLA figure, shown next to ours and labelled as the vendor's.
 *
 * Microsoft publishes one per tenant: Microsoft Graph `GET /beta/reports/sla/azureADAuthentication`
 * (Microsoft Entra Health SLA attainment; application permission Reports.Read.All; beta, so Microsoft
 * may change it) answers `{ attainments: [{ startDate, endDate, score }] }`, one entry per calendar
 * month, the score a percentage truncated (not rounded) to three decimals. Okta has no such API.
 * A figure that cannot be had (no permission, month not published yet, Graph unreachable) is "not
 * available" with the reason: a report never fails for it and never invents one.
 */

export type VendorAttainment =
  | { kind: "reported"; scorePct: number; startDate: string; endDate: string }
  | { kind: "not-available"; reason: string };

/** A vendor's reported monthly attainment, for one tenant. */
export interface VendorAttainmentSource {
  /** `month` is `YYYY-MM` (UTC). */
  monthlyAttainment(month: string): Promise<VendorAttainment>;
}

export const entraAttainmentSource =
  "Microsoft Graph beta: GET /reports/sla/azureADAuthentication (Reports.Read.All)";

const attainmentsSchema = z.looseObject({
  attainments: z.array(
    z.looseObject({
      startDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}/)),
      endDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}/)),
      score: z.number().check(z.gte(0), z.lte(100)),
    }),
  ),
});

type GraphAnswer = { ok: true; data: z.infer<typeof attainmentsSchema> } | { ok: false; reason: string };

export interface GraphEntraSlaAttainmentOptions {
  /** A Graph client for the tenant (see `createGraphClient`). */
  client: Client;
}

export class GraphEntraSlaAttainment implements VendorAttainmentSource {
  private answer: Promise<GraphAnswer> | undefined;

  constructor(private readonly options: GraphEntraSlaAttainmentOptions) {}

  async monthlyAttainment(month: string): Promise<VendorAttainment> {
    this.answer ??= this.fetch();
    const answer = await this.answer;
    if (!answer.ok) return { kind: "not-available", reason: answer.reason };
    const entry = answer.data.attainments.find((a) => a.startDate.slice(0, 7) === month);
    if (!entry) {
      const latest = answer.data.attainments
        .map((a) => a.startDate.slice(0, 7))
        .sort()
        .at(-1);
      return {
        kind: "not-available",
        reason: `Microsoft has not published attainment for ${month}${latest ? ` (latest: ${latest})` : ""}`,
      };
    }
    return {
      kind: "reported",
      scorePct: entry.score,
      startDate: entry.startDate.slice(0, 10),
      endDate: entry.endDate.slice(0, 10),
    };
  }

  private async fetch(): Promise<GraphAnswer> {
    let body: unknown;
    try {
      body = await this.options.client.api("/reports/sla/azureADAuthentication").version("beta").get();
    } catch (error) {
      return { ok: false, reason: graphFailure(error) };
    }
    const parsed = attainmentsSchema.safeParse(body);
    if (!parsed.success) return { ok: false, reason: "Graph answered without an attainments list" };
    return { ok: true, data: parsed.data };
  }
}

function graphFailure(error: unknown): string {
  if (error instanceof HttpsRequestError) return `Graph unreachable: ${error.message}`;
  if (error instanceof TokenRequestError) return error.message;
  // The SDK wraps what its middleware throws in a GraphError whose code is the original error's name.
  if (error instanceof GraphError && error.code === "TokenRequestError") return error.message;
  if (error instanceof GraphError && error.code === "HttpsRequestError")
    return `Graph unreachable: ${error.message}`;
  if (error instanceof GraphError && error.statusCode > 0) {
    const code = error.code ? ` ${error.code}` : "";
    if (error.statusCode === 401 || error.statusCode === 403) {
      return `Graph refused (HTTP ${error.statusCode}${code}): the app needs the Reports.Read.All application permission with admin consent`;
    }
    if (error.statusCode === 404) return `Graph has no SLA attainment for this tenant (HTTP 404${code})`;
    return `Graph answered HTTP ${error.statusCode}${code}`;
  }
  return `Graph call failed: ${error instanceof Error ? error.message : String(error)}`;
}

export class TokenRequestError extends Error {
  override name = "TokenRequestError";
}

export interface GraphAppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com (national clouds and stand-ins differ). */
  loginUrl?: string;
  /** Default https://graph.microsoft.com. */
  graphUrl?: string;
  /** Extra CA certificates (PEM) to trust. */
  ca?: string;
}

const tokenSchema = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.optional(z.coerce.number()),
});

/** An app-only Graph token (client credentials), fetched once and reused until shortly before expiry. */
export function clientCredentialsToken(credentials: GraphAppCredentials): () => Promise<string> {
  const loginUrl = (credentials.loginUrl ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
  const graphUrl = (credentials.graphUrl ?? "https://graph.microsoft.com").replace(/\/+$/, "");
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      scope: `${graphUrl}/.default`,
    });
    const answer = await httpsCall(
      `${loginUrl}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
        ...(credentials.ca ? { ca: credentials.ca } : {}),
      },
    ).catch((error: unknown) => {
      throw new TokenRequestError(`Entra token endpoint unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const parsed = answer.status === 200 ? tokenSchema.safeParse(safeJson(answer.body)) : undefined;
    if (!parsed?.success) {
      const error = z.looseObject({ error: z.string() }).safeParse(safeJson(answer.body));
      throw new TokenRequestError(
        `Entra token endpoint refused the app (HTTP ${answer.status}${error.success ? ` ${error.data.error}` : ""})`,
      );
    }
    const lifetimeMs = (parsed.data.expires_in ?? 3599) * 1000;
    cached = { token: parsed.data.access_token, until: Date.now() + Math.max(0, lifetimeMs - 300_000) };
    return cached.token;
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A Graph client whose requests go through node:https (so `ca` applies), with a bearer from `getAccessToken`. */
export function createGraphClient(options: {
  getAccessToken: () => Promise<string>;
  graphUrl?: string;
  ca?: string;
}): Client {
  const graphUrl = (options.graphUrl ?? "https://graph.microsoft.com").replace(/\/+$/, "");
  return Client.initWithMiddleware({
    middleware: [
      new AuthenticationHandler({ getAccessToken: options.getAccessToken }),
      new NodeHttpsTransport(options.ca),
    ],
    baseUrl: graphUrl,
    defaultVersion: "v1.0",
    // The SDK sends the bearer only to Microsoft's Graph hosts and these (national clouds, stand-ins).
    customHosts: new Set([new URL(graphUrl).hostname]),
  });
}

/** The Graph SDK's last middleware: sends the request with node:https. */
class NodeHttpsTransport implements Middleware {
  constructor(private readonly ca: string | undefined) {}

  async execute(context: Context): Promise<void> {
    const request: unknown = context.request;
    const url = typeof request === "string" ? request : String((request as { url?: unknown }).url);
    const answer = await httpsCall(url, {
      method: "GET",
      headers: headerRecord(context.options?.headers),
      ...(this.ca ? { ca: this.ca } : {}),
    });
    const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
    context.response = new Response(empty ? null : answer.body, {
      status: answer.status,
      headers: new Headers(answer.headers),
    });
  }
}

function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      record[name] = value;
    });
  } else if (headers && typeof headers === "object") {
    for (const [name, value] of Object.entries(headers)) if (typeof value === "string") record[name] = value;
  }
  return record;
}

/**
 * The vendor-figure source for an Entra provider, from the credentials of its graph-health probe (the
 * same app registration; it needs Reports.Read.All besides ServiceHealth.Read.All). A missing probe or
 * secret gives a source that says why there is no figure. Sources are shared per tenant and app.
 */
export function entraAttainmentSourceFor(
  provider: Provider,
  secretOf: (ref: string) => string | undefined,
  options: { ca?: string; cache?: Map<string, VendorAttainmentSource> } = {},
): VendorAttainmentSource | undefined {
  if (provider.kind !== "entra") return undefined;
  const probe = provider.probes.find((p) => p.kind === "graph-health");
  if (probe?.kind !== "graph-health") return undefined;
  const secret = secretOf(probe.clientSecretRef);
  if (!secret) return unavailable(`secret ${probe.clientSecretRef} is not set`);
  const key = `${probe.loginUrl ?? ""}|${probe.tenantId}|${probe.clientId}|${probe.graphUrl ?? ""}`;
  const cached = options.cache?.get(key);
  if (cached) return cached;
  const credentials: GraphAppCredentials = {
    tenantId: probe.tenantId,
    clientId: probe.clientId,
    clientSecret: secret,
    ...(probe.loginUrl ? { loginUrl: probe.loginUrl } : {}),
    ...(probe.graphUrl ? { graphUrl: probe.graphUrl } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  };
  const source = new GraphEntraSlaAttainment({
    client: createGraphClient({
      getAccessToken: clientCredentialsToken(credentials),
      ...(credentials.graphUrl ? { graphUrl: credentials.graphUrl } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    }),
  });
  options.cache?.set(key, source);
  return source;
}

function unavailable(reason: string): VendorAttainmentSource {
  return { monthlyAttainment: async () => ({ kind: "not-available", reason }) };
}
