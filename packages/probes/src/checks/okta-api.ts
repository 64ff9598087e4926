import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { z } from "zod";
import { requireSecret } from "../oauth.js";
import type { AttemptContext, ProbeCheck, ProbeSpecOf } from "../probe-context.js";
import { ProbeFailure, toProbeFailure, whereOf } from "../probe-failure.js";
import type { RateLimitState } from "../probe-memory.js";

/*
 * One cheap authenticated call to Okta's management API (`GET /api/v1/org`) through the Okta SDK, in
 * API-token (SSWS) or OAuth 2.0 private-key mode. The probe reads Okta's `x-rate-limit-*` headers and
 * skips the call while the org's budget is below `minRateLimitRemainingPct`, so monitoring never
 * eats into the budget the org's own integrations need. The SDK's 429 retries are off: a probe has
 * a hard timeout, and waiting out a rate limit is exactly what it must not do.
 */

type OktaSpec = ProbeSpecOf<"okta-api">;

interface CallScope {
  context: AttemptContext;
  onAnswer(url: string, status: number, headers: HeaderReader, latencyMs: number): void;
}

interface HeaderReader {
  get(name: string): string | null;
}

/** The attempt a request belongs to, so a cached SDK client serves concurrent attempts safely. */
const callScope = new AsyncLocalStorage<CallScope>();

interface FetchRequest {
  url?: string;
  agent?: unknown;
  signal?: unknown;
}

interface FetchResponse {
  status: number;
  url: string;
  headers: HeaderReader;
}

/** The SDK's executor with retries off, the attempt's signal and trust, and every answer observed. */
class ProbeRequestExecutor extends okta.DefaultRequestExecutor {
  constructor() {
    super({ maxRetries: 0, requestTimeout: 0 });
  }

  override fetch(request: FetchRequest): Promise<FetchResponse> {
    const scope = callScope.getStore();
    const started = performance.now();
    if (scope) {
      request.agent = (url: { protocol?: string | null }) => scope.context.http.agentFor(url.protocol);
      request.signal = scope.context.signal;
    }
    return super.fetch(request).then((response) => {
      scope?.onAnswer(
        response.url ?? request.url ?? "",
        response.status,
        response.headers,
        performance.now() - started,
      );
      return response;
    });
  }
}

type OktaClient = InstanceType<typeof okta.Client>;

export const checkOktaApi: ProbeCheck<"okta-api"> = async (spec, context) => {
  const secretRef = spec.auth.mode === "token" ? spec.auth.tokenRef : spec.auth.privateKeyRef;
  const secret = requireSecret(context.secrets, secretRef);
  const orgUrl = spec.orgUrl.replace(/\/+$/, "");
  const budget = context.memory.rateLimits.get(orgUrl);
  if (budget && belowBudget(budget, spec.minRateLimitRemainingPct, context.now())) {
    // Reported healthy without a call: the org's rate limit matters more than this signal.
    return { latencyMs: 0 };
  }
  const client = cachedClient(spec, orgUrl, secret, context);
  let orgCall: { status: number; latencyMs: number } | undefined;
  const scope: CallScope = {
    context,
    onAnswer(url, status, headers, latencyMs) {
      if (!url.includes("/api/v1/org")) return;
      orgCall = { status, latencyMs };
      const state = readRateLimit(headers, context.now());
      if (state) context.memory.rateLimits.set(orgUrl, status === 429 ? { ...state, remaining: 0 } : state);
    },
  };
  let settings: unknown;
  try {
    settings = await callScope.run(scope, () => client.orgSettingApi.getOrgSettings());
  } catch (error) {
    throw oktaFailure(error, orgUrl, context);
  }
  const parsed = z.looseObject({ id: z.string().min(1) }).safeParse(settings);
  if (!parsed.success)
    throw new ProbeFailure("content", "Okta /api/v1/org answered without an org id", { status: 200 });
  return { latencyMs: orgCall?.latencyMs ?? 0, status: orgCall?.status ?? 200 };
};

export function belowBudget(state: RateLimitState, minRemainingPct: number, now: number): boolean {
  if (now >= state.resetAt) return false;
  if (state.limit <= 0) return state.remaining <= 0;
  return (state.remaining / state.limit) * 100 < minRemainingPct;
}

export function readRateLimit(headers: HeaderReader, now: number): RateLimitState | undefined {
  const limit = Number(headers.get("x-rate-limit-limit"));
  const remaining = Number(headers.get("x-rate-limit-remaining"));
  const reset = Number(headers.get("x-rate-limit-reset"));
  if (!Number.isFinite(limit) || !Number.isFinite(remaining) || headers.get("x-rate-limit-limit") === null) {
    return undefined;
  }
  // x-rate-limit-reset is epoch seconds; without it, assume Okta's one-minute window.
  const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + 60_000;
  return { limit, remaining, resetAt };
}

function cachedClient(spec: OktaSpec, orgUrl: string, secret: string, context: AttemptContext): OktaClient {
  const key = clientKey(spec, orgUrl, secret);
  const existing = context.memory.oktaClients.get(key);
  if (existing) return existing;
  const client = createClient(spec, orgUrl, secret);
  context.memory.oktaClients.set(key, client);
  return client;
}

function createClient(spec: OktaSpec, orgUrl: string, secret: string): OktaClient {
  // Every setting is given explicitly, empty when unused: the SDK merges ~/.okta/okta.yaml, ./okta.yaml
  // and OKTA_CLIENT_* variables under what it is given, and none of those may leak into a probe.
  const common = {
    orgUrl,
    requestExecutor: new ProbeRequestExecutor(),
    cacheMiddleware: null,
    userAgent: "idp-failover-probe",
    token: "",
    clientId: "",
    scopes: [] as string[],
    privateKey: "",
    keyId: "",
  };
  const config =
    spec.auth.mode === "token"
      ? { ...common, authorizationMode: "SSWS", token: secret }
      : {
          ...common,
          authorizationMode: "PrivateKey",
          clientId: spec.auth.clientId,
          scopes: spec.auth.scopes,
          privateKey: secret,
          keyId: spec.auth.keyId ?? "",
        };
  try {
    return new okta.Client(config);
  } catch (error) {
    throw new ProbeFailure("content", `Okta SDK refused the settings: ${firstLine(error)}`, {
      cause: error,
      retryable: false,
    });
  }
}

function clientKey(spec: OktaSpec, orgUrl: string, secret: string): string {
  const fingerprint = createHash("sha256").update(secret).digest("base64url").slice(0, 16);
  const auth =
    spec.auth.mode === "token"
      ? "ssws"
      : `pk:${spec.auth.clientId}:${spec.auth.keyId ?? ""}:${spec.auth.scopes.join(" ")}`;
  return `${orgUrl}|${auth}|${fingerprint}`;
}

function oktaFailure(error: unknown, orgUrl: string, context: AttemptContext): ProbeFailure {
  const status = (error as { status?: unknown })?.status;
  if (typeof status !== "number") return toProbeFailure(error, whereOf(orgUrl), context.signal);
  const code = (error as { errorCode?: unknown }).errorCode;
  const detail = typeof code === "string" ? ` ${code}` : "";
  if (status === 429) {
    const state = context.memory.rateLimits.get(orgUrl);
    const wait = state
      ? ` (resets in ${Math.max(0, Math.round((state.resetAt - context.now()) / 1000))} s)`
      : "";
    return new ProbeFailure("upstream", `Okta API rate limited: HTTP 429${detail}${wait}`, { status });
  }
  if (status === 401 || status === 403) {
    return new ProbeFailure("auth", `Okta API: HTTP ${status}${detail}: credentials rejected`, { status });
  }
  if (status >= 500) return new ProbeFailure("http-5xx", `Okta API: HTTP ${status}${detail}`, { status });
  if (status >= 400) return new ProbeFailure("http-4xx", `Okta API: HTTP ${status}${detail}`, { status });
  return new ProbeFailure("content", `Okta API: unexpected HTTP ${status}`, { status });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 120) ?? "";
}
