import { createHash, timingSafeEqual } from "node:crypto";
import type { DataPlaneStore } from "@idp-failover/core";
import {
  dataPlaneAnswer,
  manifestSite,
  parseVerdictPath,
  type VerdictManifest,
  withdrawMarker,
} from "@idp-failover/core/data-plane-answer";

/*
 * The verdict endpoint's request handling, apart from Lambda: `GET /v1/{secret}/health/{site}/{provider}`
 * answered from this region's data-plane item. It fails safe (see data-plane-answer.ts): HTTP 200
 * with `withdrawMarker` only when the provider must be withdrawn; every other answer is 404, and the
 * Route 53 checks are inverted, so a 404, a throttle, a timeout or a crash all keep the provider in.
 *
 * The path carries the deployment's secret, because Route 53 health checks cannot sign or add headers;
 * a request without it gets the same 404 as an unknown path (nothing to learn, nothing to trigger).
 * The path is never logged and never echoed. A failure to read the item keeps the provider in: our own
 * trouble must never look like the IdP's. It imports nothing that pulls in zod or the config schema.
 */

export interface VerdictRequest {
  method: string;
  path: string;
}

export interface VerdictResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface VerdictEndpointDeps {
  manifest: VerdictManifest;
  region: string;
  /** The deployment's verdict path secret (`sst secret set VerdictPathSecret ...`). */
  secret: string;
  items: Pick<DataPlaneStore, "get">;
  now(): number;
  onError?(error: unknown, site: string): void;
}

/** What one request was answered, for the handler's log line (never the path: it holds the secret). */
export interface VerdictOutcome {
  site?: string;
  provider?: string;
  withdraw: boolean;
  reason: string;
}

export async function answerVerdictRequest(
  request: VerdictRequest,
  deps: VerdictEndpointDeps,
): Promise<VerdictResponse & { outcome: VerdictOutcome }> {
  const notFound = (reason: string) => ({ ...keep("not found"), outcome: { withdraw: false, reason } });
  if (request.method !== "GET" && request.method !== "HEAD") {
    return {
      ...reply(405, "method not allowed"),
      outcome: { withdraw: false, reason: "method not allowed" },
    };
  }
  const target = parseVerdictPath(request.path);
  if (!target) return notFound("not a verdict path");
  if (!sameSecret(target.secret, deps.secret)) return notFound("wrong or missing secret");
  const site = manifestSite(deps.manifest, target.site);
  const policy = { staleAfterSeconds: deps.manifest.staleAfterSeconds };
  const who = { site: target.site, provider: target.provider };
  if (!site?.providers.some((p) => p.id === target.provider)) {
    const answer = dataPlaneAnswer(site, target.provider, undefined, deps.now(), policy);
    return { ...keep(answer.reason), outcome: { ...who, ...answer } };
  }
  let item: Awaited<ReturnType<DataPlaneStore["get"]>>;
  try {
    item = await deps.items.get(site.id, deps.region);
  } catch (error) {
    deps.onError?.(error, site.id);
    const reason = "verdict unavailable in this region: keeps the provider";
    return { ...keep(reason), outcome: { ...who, withdraw: false, reason } };
  }
  const answer = dataPlaneAnswer(site, target.provider, item, deps.now(), policy);
  const response = answer.withdraw ? reply(200, `${withdrawMarker} ${answer.reason}`) : keep(answer.reason);
  return { ...response, outcome: { ...who, ...answer } };
}

/** Compares in constant time whatever the lengths (digests are equal-sized). */
function sameSecret(given: string, expected: string): boolean {
  if (expected.length === 0) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function keep(reason: string): VerdictResponse {
  return reply(404, `keep: ${reason}`);
}

function reply(statusCode: number, body: string): VerdictResponse {
  return {
    statusCode,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body: `${body}\n`,
  };
}
