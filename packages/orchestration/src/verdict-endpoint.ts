import type { DataPlaneStore } from "@idp-failover/core";
import {
  dataPlaneAnswer,
  manifestSite,
  parseSharedVerdictPath,
  parseVerdictPath,
  sharedPathAnswer,
  type VerdictManifest,
} from "@idp-failover/core/data-plane-answer";

/*
 * The verdict endpoint's request handling, apart from Lambda: `GET /v1/health/{site}/{provider}`
 * answered from this region's data-plane item. No secret in the URL (Route 53 health checks cannot
 * sign requests, and a URL is logged everywhere); the answer says only up or not, which anyone could
 * learn by trying to sign in. A failure to read the item abstains (200) rather than fail the check:
 * our own trouble must never look like the IdP's. It imports nothing that pulls in the config schema
 * (or the rest of core's schemas): the stacks link a small manifest of sites and providers instead
 * (see data-plane-answer.ts).
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
  items: Pick<DataPlaneStore, "get">;
  now(): number;
  onError?(error: unknown, site: string): void;
}

export async function answerVerdictRequest(
  request: VerdictRequest,
  deps: VerdictEndpointDeps,
): Promise<VerdictResponse> {
  if (request.method !== "GET" && request.method !== "HEAD") return reply(405, "method not allowed");
  const shared = parseSharedVerdictPath(request.path);
  if (shared !== undefined) return answerSharedPath(shared, deps);
  const target = parseVerdictPath(request.path);
  if (!target) return reply(404, "not found: use /v1/health/{site}/{provider}");
  const site = manifestSite(deps.manifest, target.site);
  const policy = { staleAfterSeconds: deps.manifest.staleAfterSeconds };
  if (!site?.providers.some((p) => p.id === target.provider)) {
    return reply(404, dataPlaneAnswer(site, target.provider, undefined, deps.now(), policy).reason);
  }
  let item: Awaited<ReturnType<DataPlaneStore["get"]>>;
  try {
    item = await deps.items.get(site.id, deps.region);
  } catch (error) {
    deps.onError?.(error, site.id);
    return reply(200, "verdict unavailable in this region: abstains");
  }
  const answer = dataPlaneAnswer(site, target.provider, item, deps.now(), policy);
  return reply(answer.status, answer.reason);
}

/** `GET /v1/path/{target}`: a path several sites share, answered from each member's item. */
async function answerSharedPath(target: string, deps: VerdictEndpointDeps): Promise<VerdictResponse> {
  const path = deps.manifest.sharedPaths?.find((p) => p.target === target);
  if (!path) return reply(404, "unknown path");
  let entries: Parameters<typeof sharedPathAnswer>[0];
  try {
    entries = await Promise.all(
      path.members.map(async (m) => (await deps.items.get(m.site, deps.region))?.providers[m.provider]),
    );
  } catch (error) {
    deps.onError?.(error, target);
    return reply(200, "verdict unavailable in this region: abstains");
  }
  const answer = sharedPathAnswer(entries, deps.now(), {
    staleAfterSeconds: deps.manifest.staleAfterSeconds,
  });
  return reply(answer.status, answer.reason);
}

function reply(statusCode: number, reason: string): VerdictResponse {
  return {
    statusCode,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body: `${reason}\n`,
  };
}
