import { createHash, timingSafeEqual } from "node:crypto";
import type { DataPlaneStore } from "@idp-failover/core";
import {
  type DataPlaneAnswer,
  dataPlaneAnswer,
  manifestSite,
  manifestStaleness,
  parseVerdictPath,
  sharedPathAnswer,
  type VerdictManifest,
  withdrawMarker,
} from "@idp-failover/core/data-plane-answer";

/*
 * The verdict endpoint's request handling, apart from Lambda: `GET /v1/{secret}/health/{site}/{provider}`
 * answered from this region's data-plane item, and `GET /v1/{secret}/path/{target}` for a path several
 * sites' primaries share (withdraw only when every member's answer is withdraw). It fails safe (see data-plane-answer.ts): HTTP 200
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
  const parsed = parseVerdictPath(request.path);
  if (!parsed) return notFound("not a verdict path");
  if (!sameSecret(parsed.secret, deps.secret)) return notFound("wrong or missing secret");
  const { target } = parsed;
  if (target.kind === "path") {
    const answer = await sharedPathVerdict(target.target, deps);
    return { ...respond(answer), outcome: { ...answer } };
  }
  const who = { site: target.site, provider: target.provider };
  const answer = await siteVerdict(target.site, target.provider, deps);
  return { ...respond(answer), outcome: { ...who, ...answer } };
}

/** One site's provider in this region; a failure to read its item keeps the provider in. */
async function siteVerdict(
  siteId: string,
  provider: string,
  deps: VerdictEndpointDeps,
): Promise<DataPlaneAnswer> {
  const site = manifestSite(deps.manifest, siteId);
  const policy = manifestStaleness(deps.manifest, siteId);
  if (!site?.providers.some((p) => p.id === provider)) {
    return dataPlaneAnswer(site, provider, undefined, deps.now(), policy);
  }
  let item: Awaited<ReturnType<DataPlaneStore["get"]>>;
  try {
    item = await deps.items.get(site.id, deps.region);
  } catch (error) {
    deps.onError?.(error, site.id);
    return { withdraw: false, reason: "verdict unavailable in this region: keeps the provider" };
  }
  return dataPlaneAnswer(site, provider, item, deps.now(), policy);
}

/** A path several sites share: each member's own answer, withdraw only when all of them say so. */
async function sharedPathVerdict(target: string, deps: VerdictEndpointDeps): Promise<DataPlaneAnswer> {
  const path = deps.manifest.sharedPaths?.find((p) => p.target === target);
  if (!path) return { withdraw: false, reason: "unknown path" };
  const answers = await Promise.all(path.members.map((m) => siteVerdict(m.site, m.provider, deps)));
  return sharedPathAnswer(answers);
}

function respond(answer: DataPlaneAnswer): VerdictResponse {
  return answer.withdraw ? reply(200, `${withdrawMarker} ${answer.reason}`) : keep(answer.reason);
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
