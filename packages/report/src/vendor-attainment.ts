import type { Clock, Provider } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import {
  type ClientCredentials,
  type HttpClient,
  HttpRequestError,
  NodeHttpClient,
  TokenRequestError,
} from "@idp-failover/http";
import { createGraphClient, entraGraphCredentials, GraphTransport } from "@idp-failover/http/graph";
import { GraphError } from "@microsoft/microsoft-graph-client";

/*
 * The vendor's own monthly SLA figure, shown next to ours and labelled as the vendor's.
 *
 * Microsoft publishes one per tenant: Microsoft Graph `GET /beta/reports/sla/azureADAuthentication`
 * (Microsoft Entra Health SLA attainment; application permission Reports.Read.All; beta, so Microsoft
 * may change it) answers `{ attainments: [{ startDate, endDate, score }] }`, one entry per calendar
 * month, the score a percentage truncated (not rounded) to three decimals. Okta has no such API.
 * A figure that cannot be had (no permission, month not published yet, Graph unreachable) is "not
 * available" with the reason: a report never fails for it and never invents one. The token and the
 * Graph calls go through the one HTTP client and client-credentials flow (@idp-failover/http).
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
  http: HttpClient;
  /** The app's Graph token (`entraGraphCredentials`). */
  tokens: ClientCredentials;
  /** Default https://graph.microsoft.com (national clouds and stand-ins differ). */
  graphUrl?: string | undefined;
  /** Each request's deadline. Default 15 s. */
  timeoutMs?: number;
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
    const { http, tokens, graphUrl, timeoutMs = 15_000 } = this.options;
    let accessToken: string;
    try {
      accessToken = await tokens.accessToken(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      return { ok: false, reason: tokenFailure(error) };
    }
    const transport = new GraphTransport(http, () => AbortSignal.timeout(timeoutMs));
    const client = createGraphClient({ transport, accessToken: async () => accessToken, graphUrl });
    let body: unknown;
    try {
      body = await client.api("/reports/sla/azureADAuthentication").version("beta").get();
    } catch (error) {
      if (error instanceof GraphError && error.statusCode === 401) tokens.forget();
      return { ok: false, reason: graphFailure(error, transport) };
    }
    const parsed = attainmentsSchema.safeParse(body);
    if (!parsed.success) return { ok: false, reason: "Graph answered without an attainments list" };
    return { ok: true, data: parsed.data };
  }
}

function tokenFailure(error: unknown): string {
  if (error instanceof TokenRequestError && error.status !== undefined) {
    const code = error.oauthError ? ` ${error.oauthError}` : "";
    return `Entra token endpoint refused the app (HTTP ${error.status}${code})`;
  }
  if (error instanceof HttpRequestError) return `Entra token endpoint unreachable: ${error.message}`;
  return `Entra token request failed: ${error instanceof Error ? error.message : String(error)}`;
}

function graphFailure(error: unknown, transport: GraphTransport): string {
  if (transport.failure) return `Graph unreachable: ${transport.failure.message}`;
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

/**
 * The vendor-figure source for an Entra provider, from the credentials of its graph-health probe (the
 * same app registration; it needs Reports.Read.All besides ServiceHealth.Read.All). A missing probe or
 * secret gives a source that says why there is no figure. Sources are shared per tenant and app.
 */
export function entraAttainmentSourceFor(
  provider: Provider,
  secretOf: (ref: string) => string | undefined,
  options: { clock: Clock; ca?: string; cache?: Map<string, VendorAttainmentSource> },
): VendorAttainmentSource | undefined {
  if (provider.kind !== "entra") return undefined;
  const probe = provider.probes.find((p) => p.kind === "graph-health");
  if (probe?.kind !== "graph-health") return undefined;
  const secret = secretOf(probe.clientSecretRef);
  if (!secret) return unavailable(`secret ${probe.clientSecretRef} is not set`);
  const key = `${probe.loginUrl ?? ""}|${probe.tenantId}|${probe.clientId}|${probe.graphUrl ?? ""}`;
  const cached = options.cache?.get(key);
  if (cached) return cached;
  const http = new NodeHttpClient({ ca: options.ca });
  const app = {
    tenantId: probe.tenantId,
    clientId: probe.clientId,
    clientSecret: secret,
    loginUrl: probe.loginUrl,
    graphUrl: probe.graphUrl,
  };
  const source = new GraphEntraSlaAttainment({
    http,
    tokens: entraGraphCredentials(app, { http, clock: options.clock }),
    graphUrl: probe.graphUrl,
  });
  options.cache?.set(key, source);
  return source;
}

function unavailable(reason: string): VendorAttainmentSource {
  return { monthlyAttainment: async () => ({ kind: "not-available", reason }) };
}
