import { createHash } from "node:crypto";
import * as z from "@idp-failover/core/zod-mini";
import { whereOf } from "@idp-failover/http";
import type { HeaderReader, OktaAuth, OktaClient } from "../okta-sdk.js";
import type { AttemptContext, ProbeCheck, ProbeSpecOf } from "../probe-context.js";
import { ProbeFailure, toProbeFailure } from "../probe-failure.js";
import type { RateLimitState } from "../probe-memory.js";
import { requireSecret } from "../secrets.js";

/*
 * One cheap authenticated call to Okta's management API (`GET /api/v1/org`) through the Okta SDK, in
 * API-token (SSWS) or OAuth 2.0 private-key mode. The probe reads Okta's `x-rate-limit-*` headers and
 * skips the call while the org's budget is below `minRateLimitRemainingPct`, so monitoring never
 * eats into the budget the org's own integrations need. An answer with Okta's E0000010 ("Service is
 * in read only mode", HTTP 503) names Okta's read-only mode: sign-ins and tokens keep working then, so
 * it is a named degraded state, never an outage (Okta documents E0000010 for changes refused in that
 * mode; reads keep working, so this read sees the mode only when Okta answers it with that code).
 */

type OktaSpec = ProbeSpecOf<"okta-api">;

/** Loads the SDK once per process; the runner calls this before a round's clock starts. */
export function loadOktaSdk(): Promise<typeof import("../okta-sdk.js")> {
  return import("../okta-sdk.js");
}

export const checkOktaApi: ProbeCheck<"okta-api"> = async (spec, context) => {
  const secretRef = spec.auth.mode === "token" ? spec.auth.tokenRef : spec.auth.privateKeyRef;
  const secret = requireSecret(context.secrets, secretRef);
  const orgUrl = spec.orgUrl.replace(/\/+$/, "");
  const budget = context.memory.rateLimits.get(orgUrl);
  if (budget && belowBudget(budget, spec.minRateLimitRemainingPct, context.now())) {
    // Reported healthy without a call: the org's rate limit matters more than this signal.
    return { latencyMs: 0 };
  }
  const sdk = await loadOktaSdk();
  const client = cachedClient(spec, orgUrl, secret, context, sdk.createOktaClient);
  let orgCall: { status: number; latencyMs: number } | undefined;
  let settings: unknown;
  try {
    settings = await sdk.getOrgSettings(client, {
      http: context.http,
      signal: context.signal,
      onAnswer(url, status, headers, latencyMs) {
        if (!url.includes("/api/v1/org")) return;
        orgCall = { status, latencyMs };
        const state = readRateLimit(headers, context.now());
        if (state) context.memory.rateLimits.set(orgUrl, status === 429 ? { ...state, remaining: 0 } : state);
      },
    });
  } catch (error) {
    throw oktaFailure(error, orgUrl, context);
  }
  const parsed = z.looseObject({ id: z.string().check(z.minLength(1)) }).safeParse(settings);
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
  const limitHeader = headers.get("x-rate-limit-limit");
  const remainingHeader = headers.get("x-rate-limit-remaining");
  if (limitHeader === null || remainingHeader === null) return undefined;
  const limit = Number(limitHeader);
  const remaining = Number(remainingHeader);
  if (!Number.isFinite(limit) || !Number.isFinite(remaining)) return undefined;
  // x-rate-limit-reset is epoch seconds; without it, assume Okta's one-minute window.
  const reset = Number(headers.get("x-rate-limit-reset"));
  const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + 60_000;
  return { limit, remaining, resetAt };
}

function cachedClient(
  spec: OktaSpec,
  orgUrl: string,
  secret: string,
  context: AttemptContext,
  create: (orgUrl: string, auth: OktaAuth) => OktaClient,
): OktaClient {
  const key = clientKey(spec, orgUrl, secret);
  const existing = context.memory.oktaClients.get(key);
  if (existing) return existing;
  const auth: OktaAuth =
    spec.auth.mode === "token"
      ? { mode: "token", token: secret }
      : {
          mode: "private-key",
          clientId: spec.auth.clientId,
          scopes: spec.auth.scopes,
          privateKey: secret,
          ...(spec.auth.keyId ? { keyId: spec.auth.keyId } : {}),
        };
  let client: OktaClient;
  try {
    client = create(orgUrl, auth);
  } catch (error) {
    throw new ProbeFailure("content", `Okta SDK refused the settings: ${firstLine(error)}`, {
      cause: error,
      retryable: false,
    });
  }
  context.memory.oktaClients.set(key, client);
  return client;
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
  const status =
    error !== null && typeof error === "object" ? (error as { status?: unknown }).status : undefined;
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
  if (code === "E0000010") {
    return new ProbeFailure("upstream", `Okta is in read-only mode: HTTP ${status} E0000010`, {
      status,
      mode: "read-only",
    });
  }
  if (status >= 500) return new ProbeFailure("http-5xx", `Okta API: HTTP ${status}${detail}`, { status });
  if (status >= 400) return new ProbeFailure("http-4xx", `Okta API: HTTP ${status}${detail}`, { status });
  return new ProbeFailure("content", `Okta API: unexpected HTTP ${status}`, { status });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 120) ?? "";
}
