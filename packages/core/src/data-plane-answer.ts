import type { Policy, Provider, Site } from "./config.js";
import * as z from "./zod-mini.js";

/*
 * The verdict endpoint's side of the data plane, kept free of the config schema so the verdict
 * function bundles small (Route 53's checkers give it 2 seconds, cold starts included): it imports
 * only these two small zod/mini schemas, the data-plane item (read back from DynamoDB) and the
 * verdict manifest (what the stacks derive from the parsed config and link into the function).
 */

export const dataPlaneEntrySchema = z.object({
  /** Epoch ms of the last round folded in. */
  lastRoundAt: z.number(),
  down: z.boolean(),
  /** Latched out by the state machine (see `isLatchedOut`). */
  latched: z.boolean(),
});
export type DataPlaneEntry = z.infer<typeof dataPlaneEntrySchema>;

/** The item the probe writes in its own region, one per site; the verdict endpoint reads only this. */
export const dataPlaneItemSchema = z.object({
  site: z.string(),
  region: z.string(),
  /** Epoch ms. */
  writtenAt: z.number(),
  providers: z.record(z.string(), dataPlaneEntrySchema),
});
export type DataPlaneItem = z.infer<typeof dataPlaneItemSchema>;

/** What the verdict endpoint needs of the config: which sites and providers exist, and staleness. */
export const verdictManifestSchema = z.object({
  sites: z.array(z.object({ id: z.string(), providers: z.array(z.string()) })),
  /** Paths whose health checks several sites share (see `sharedPathAnswer`); absent when none. */
  sharedPaths: z.optional(
    z.array(
      z.object({
        target: z.string(),
        members: z.array(z.object({ site: z.string(), provider: z.string() })),
      }),
    ),
  ),
  staleAfterSeconds: z.number(),
});
export type VerdictManifest = z.infer<typeof verdictManifestSchema>;

export type DataPlaneStatus = 200 | 503 | 404;

export interface DataPlaneAnswer {
  status: DataPlaneStatus;
  /** Short, for people reading the endpoint's body or the logs. */
  reason: string;
}

type SiteShape = Pick<Site, "id"> & { providers: ReadonlyArray<Pick<Provider, "id">> };

/** What the verdict endpoint answers for `GET /v1/health/{site}/{provider}`. Pure. */
export function dataPlaneAnswer(
  site: SiteShape | undefined,
  provider: string,
  item: DataPlaneItem | undefined,
  now: number,
  policy: Pick<Policy, "staleAfterSeconds">,
): DataPlaneAnswer {
  if (!site) return { status: 404, reason: "unknown site" };
  if (!site.providers.some((p) => p.id === provider)) return { status: 404, reason: "unknown provider" };
  const entry = item?.providers[provider];
  // The latch holds even when the region's verdict went quiet: it says where traffic must not go.
  if (entry?.latched) return { status: 503, reason: "latched out: failed over, failback not approved" };
  if (!entry || now - entry.lastRoundAt > policy.staleAfterSeconds * 1000) {
    return { status: 200, reason: "no fresh verdict in this region: abstains" };
  }
  if (entry.down) return { status: 503, reason: "down in this region" };
  return { status: 200, reason: "up" };
}

/**
 * What the verdict endpoint answers for a path that several sites' primaries share, from each member
 * site's entry for its primary in this region. Route 53 acts on the answer for every member at once,
 * so the shared check may only say what holds for all of them:
 *   503 latched  when every member is latched out (all failed over, none approved back yet);
 *   503 down     when every member with a fresh verdict here says down (at least one fresh);
 *   200          otherwise. A site latched alone (approved back before the others, or frozen with its
 *                primary at weight 0) is held on its secondary by its weights, which the state machine
 *                set through the Route 53 API; a site whose own probes alone say down fails over
 *                through that API too. Neither may move the other sites' traffic.
 */
export function sharedPathAnswer(
  entries: ReadonlyArray<DataPlaneEntry | undefined>,
  now: number,
  policy: Pick<Policy, "staleAfterSeconds">,
): DataPlaneAnswer {
  if (entries.length === 0) return { status: 404, reason: "unknown path" };
  if (entries.every((entry) => entry?.latched)) {
    return { status: 503, reason: `latched out at all ${entries.length} sites of this path` };
  }
  const fresh = entries.filter(
    (entry): entry is DataPlaneEntry =>
      entry !== undefined && now - entry.lastRoundAt <= policy.staleAfterSeconds * 1000,
  );
  if (fresh.length === 0) return { status: 200, reason: "no fresh verdict in this region: abstains" };
  if (fresh.every((entry) => entry.down)) {
    return { status: 503, reason: `down in this region at all ${fresh.length} sites with a fresh verdict` };
  }
  return { status: 200, reason: fresh.some((e) => e.down) ? "down at some sites only" : "up" };
}

/** The verdict endpoint's path for a path several sites share (named by its host name). */
export function sharedVerdictPath(target: string): string {
  return `/v1/path/${encodeURIComponent(target)}`;
}

/** Parses a shared path's verdict path; undefined for anything else. */
export function parseSharedVerdictPath(path: string): string | undefined {
  const match = /^\/v1\/path\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] ?? "");
  } catch {
    return undefined;
  }
}

/** The verdict endpoint's path for a site and provider. */
export function verdictPath(site: string, provider: string): string {
  return `/v1/health/${encodeURIComponent(site)}/${encodeURIComponent(provider)}`;
}

/** Parses a verdict path; undefined for anything else. */
export function parseVerdictPath(path: string): { site: string; provider: string } | undefined {
  const match = /^\/v1\/health\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  try {
    return { site: decodeURIComponent(match[1] ?? ""), provider: decodeURIComponent(match[2] ?? "") };
  } catch {
    return undefined;
  }
}

/** The manifest the stacks link into the verdict function, or undefined when it is not one. */
export function parseVerdictManifest(value: unknown): VerdictManifest | undefined {
  const parsed = verdictManifestSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The verdict manifest of a parsed config. */
export function verdictManifest(config: {
  sites: readonly SiteShape[];
  policy: Pick<Policy, "staleAfterSeconds">;
}): VerdictManifest {
  return {
    sites: config.sites.map((s) => ({ id: s.id, providers: s.providers.map((p) => p.id) })),
    staleAfterSeconds: config.policy.staleAfterSeconds,
  };
}

/** A manifest site in the shape `dataPlaneAnswer` takes. */
export function manifestSite(manifest: VerdictManifest, id: string): SiteShape | undefined {
  const site = manifest.sites.find((s) => s.id === id);
  return site && { id: site.id, providers: site.providers.map((p) => ({ id: p })) };
}
