import { createHash } from "node:crypto";
import * as z from "@idp-failover/core/zod-mini";
import {
  AuthenticationHandler,
  Client,
  type Context,
  GraphError,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { graphResponse, headerRecord } from "../graph-transport-shapes.js";
import type { HttpClient } from "../node-https-client.js";
import { clientCredentialsRequest, parseTokenAnswer, requireSecret, tokenEndpointFailure } from "../oauth.js";
import type { AttemptContext, ProbeCheck, ProbeSpecOf } from "../probe-context.js";
import { ProbeFailure, toProbeFailure, whereOf } from "../probe-failure.js";
import { parseJson } from "../round-documents.js";

/*
 * Microsoft's own word on Entra: Microsoft 365 service health through Microsoft Graph
 * (`GET /v1.0/admin/serviceAnnouncement/healthOverviews`, permission ServiceHealth.Read.All), read with
 * the Graph SDK and an app-only token from the tenant's token endpoint. A configured service whose
 * status is not operational is class `upstream`: the verdict engine weighs it as degraded, never down,
 * because Microsoft marks advisories on services whose sign-ins work.
 */

type GraphSpec = ProbeSpecOf<"graph-health">;

/** Statuses (serviceHealthStatus) under which sign-ins are expected to work. */
const operational = new Set(
  [
    "serviceOperational",
    "serviceRestored",
    "falsePositive",
    "investigationSuspended",
    "resolved",
    "resolvedExternal",
    "mitigated",
    "mitigatedExternal",
    "postIncidentReviewPublished",
  ].map((s) => s.toLowerCase()),
);

const healthPageSchema = z.looseObject({
  value: z.array(z.looseObject({ service: z.string(), status: z.string(), id: z.optional(z.string()) })),
  "@odata.nextLink": z.optional(z.string()),
});

export const checkGraphHealth: ProbeCheck<"graph-health"> = async (spec, context) => {
  const loginUrl = (spec.loginUrl ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
  const graphUrl = (spec.graphUrl ?? "https://graph.microsoft.com").replace(/\/+$/, "");
  const secret = requireSecret(context.secrets, spec.clientSecretRef);
  const tokenKey = cacheKey(loginUrl, spec, graphUrl, secret);
  const accessToken = await graphToken(spec, context, { loginUrl, graphUrl, secret, tokenKey });
  const transport = new NodeHttpsGraphTransport(context.http, context.signal);
  const client = Client.initWithMiddleware({
    middleware: [new AuthenticationHandler({ getAccessToken: async () => accessToken }), transport],
    baseUrl: graphUrl,
    defaultVersion: "v1.0",
    // The SDK sends the token only to Microsoft's Graph hosts and these (sovereign clouds, stand-ins).
    customHosts: new Set([new URL(graphUrl).hostname]),
  });

  let path = "/admin/serviceAnnouncement/healthOverviews";
  for (let page = 0; page < 5; page++) {
    let body: unknown;
    try {
      body = await client.api(path).get();
    } catch (error) {
      throw graphFailure(error, transport, () => context.memory.tokens.delete(tokenKey));
    }
    const parsed = healthPageSchema.safeParse(body);
    if (!parsed.success) {
      throw new ProbeFailure("content", "Graph healthOverviews answer has no value list", {
        status: transport.status,
      });
    }
    const wanted = namesOf(spec.service);
    const entry = parsed.data.value.find(
      (s) => wanted.has(s.service.toLowerCase()) || (s.id !== undefined && wanted.has(s.id.toLowerCase())),
    );
    if (entry) {
      if (!operational.has(entry.status.toLowerCase())) {
        throw new ProbeFailure("upstream", `Microsoft service health: ${entry.service} is ${entry.status}`, {
          status: transport.status,
        });
      }
      return { latencyMs: transport.latencyMs, status: transport.status };
    }
    const next = parsed.data["@odata.nextLink"];
    if (!next) break;
    path = next;
  }
  throw new ProbeFailure("content", `service health lists no service named ${spec.service.slice(0, 60)}`, {
    status: transport.status,
    retryable: false,
  });
};

interface TokenSettings {
  loginUrl: string;
  graphUrl: string;
  secret: string;
  tokenKey: string;
}

/** An app-only Graph token, reused until five minutes before it expires. */
async function graphToken(
  spec: GraphSpec,
  context: AttemptContext,
  settings: TokenSettings,
): Promise<string> {
  const cached = context.memory.tokens.get(settings.tokenKey);
  if (cached && cached.expiresAt > context.now()) return cached.accessToken;
  const tokenUrl = `${settings.loginUrl}/${encodeURIComponent(spec.tenantId)}/oauth2/v2.0/token`;
  const request = clientCredentialsRequest({
    clientId: spec.clientId,
    clientSecret: settings.secret,
    scope: `${settings.graphUrl}/.default`,
    method: "client_secret_post",
  });
  const answer = await context.http.request(tokenUrl, {
    method: "POST",
    headers: request.headers,
    body: request.body,
    signal: context.signal,
  });
  if (answer.status !== 200) throw tokenEndpointFailure(answer, "Entra token endpoint");
  const token = parseTokenAnswer(parseJson(answer.body, tokenUrl), answer.status);
  const lifetimeMs = (token.expires_in ?? 3599) * 1000;
  for (const [key, entry] of context.memory.tokens) {
    if (entry.expiresAt <= context.now()) context.memory.tokens.delete(key);
  }
  context.memory.tokens.set(settings.tokenKey, {
    accessToken: token.access_token,
    expiresAt: context.now() + Math.max(0, lifetimeMs - 300_000),
  });
  return token.access_token;
}

function cacheKey(loginUrl: string, spec: GraphSpec, graphUrl: string, secret: string): string {
  const fingerprint = createHash("sha256").update(secret).digest("base64url").slice(0, 16);
  return `graph|${loginUrl}|${spec.tenantId}|${spec.clientId}|${graphUrl}|${fingerprint}`;
}

/** The Graph SDK's last step: sends the request with the probes' HTTP client (trust, timeout, fresh connection). */
class NodeHttpsGraphTransport implements Middleware {
  failure: ProbeFailure | undefined;
  status: number | undefined;
  latencyMs = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly signal: AbortSignal,
  ) {}

  async execute(context: Context): Promise<void> {
    const request: unknown = context.request;
    const url = typeof request === "string" ? request : String((request as { url?: unknown }).url);
    try {
      const answer = await this.http.request(url, {
        method: context.options?.method === "HEAD" ? "HEAD" : "GET",
        headers: headerRecord(context.options?.headers),
        signal: this.signal,
      });
      this.status = answer.status;
      this.latencyMs += answer.latencyMs;
      context.response = graphResponse(answer.status, answer.headers, answer.body);
    } catch (error) {
      this.failure = toProbeFailure(error, whereOf(url), this.signal);
      throw this.failure;
    }
  }
}

function graphFailure(
  error: unknown,
  transport: NodeHttpsGraphTransport,
  forgetToken: () => void,
): ProbeFailure {
  if (transport.failure) return transport.failure;
  const status = error instanceof GraphError ? error.statusCode : transport.status;
  const code = error instanceof GraphError && error.code ? ` ${error.code}` : "";
  if (status === undefined || status <= 0 || (status >= 200 && status < 300)) {
    return new ProbeFailure("content", "Graph answer could not be read (not JSON?)", {
      cause: error,
      ...(status !== undefined && status > 0 ? { status } : {}),
    });
  }
  if (status === 401 || status === 403) {
    forgetToken();
    return new ProbeFailure(
      "auth",
      `Graph: HTTP ${status}${code}: token rejected (needs ServiceHealth.Read.All)`,
      {
        status,
      },
    );
  }
  if (status === 429) return new ProbeFailure("upstream", `Graph rate limited: HTTP 429${code}`, { status });
  if (status >= 500) return new ProbeFailure("http-5xx", `Graph: HTTP ${status}${code}`, { status });
  return new ProbeFailure("http-4xx", `Graph: HTTP ${status}${code}`, { status });
}

/**
 * Microsoft renamed Azure Active Directory to Microsoft Entra in 2023, and tenants' service health
 * has listed it under either name: asking for one finds the other.
 */
const entraNames = [
  "microsoft entra",
  "microsoft entra id",
  "azure active directory",
  "azureactivedirectory",
];

function namesOf(service: string): Set<string> {
  const name = service.toLowerCase();
  return new Set(entraNames.includes(name) ? entraNames : [name]);
}
