import type { Policy, Provider, Site } from "./config.js";

/*
 * The verdict endpoint's side of the data plane, kept free of zod and of the config schema so the
 * verdict function bundles small (Route 53's checkers give it 2 seconds, cold starts included).
 * Its inputs are parsed here by hand: the data-plane item (read back from DynamoDB) and the verdict
 * manifest (what the stacks derive from the parsed config and link into the function).
 *
 * It fails safe: the endpoint says "withdraw" only when it positively knows the provider must go (this
 * region sees it down and another provider can serve, or the state machine latched it out), and the
 * Route 53 checks are inverted, so every answer it cannot give keeps the provider in (docs/design.md
 * "The data plane fails safe").
 */

export interface DataPlaneEntry {
  /** Epoch ms of the last round folded in. */
  lastRoundAt: number;
  down: boolean;
  /** Latched out by the state machine (see `isLatchedOut`). */
  latched: boolean;
  /** This region's own canaries fail (or its clock is off): its verdicts abstain. */
  impaired?: boolean;
  /** A vendor mode this region sees (backup authentication rules a provider out as a target). */
  mode?: string;
}

/** The item the probe writes in its own region, one per site; the verdict endpoint reads only this. */
export interface DataPlaneItem {
  site: string;
  region: string;
  /** Epoch ms. */
  writtenAt: number;
  providers: Record<string, DataPlaneEntry>;
  /**
   * Automatic changes are held for the site (frozen by an operator, or paused for flapping): the
   * data plane withdraws nothing on its own then, as the state machine moves nothing.
   */
  hold?: boolean;
}

/** What the verdict endpoint needs of the config: which sites and providers exist, and staleness. */
export interface VerdictManifest {
  sites: Array<{ id: string; providers: string[] }>;
  staleAfterSeconds: number;
}

/**
 * The endpoint's answer. The Route 53 checks on it are inverted: only a positive `withdraw` takes
 * the provider out, and anything the endpoint cannot say (no item, a read error, a throttle, a
 * timeout) keeps it in. Our own trouble must never withdraw an IdP.
 */
export type DataPlaneAnswer = { withdraw: true; reason: string } | { withdraw: false; reason: string };

/** The body marker of a withdraw answer (the string a HTTPS_STR_MATCH check searches for). */
export const withdrawMarker = "idp-failover:withdraw";

type SiteShape = Pick<Site, "id"> & { providers: ReadonlyArray<Pick<Provider, "id">> };

const keep = (reason: string): DataPlaneAnswer => ({ withdraw: false, reason });

/** What the verdict endpoint answers for a site and provider. Pure. */
export function dataPlaneAnswer(
  site: SiteShape | undefined,
  provider: string,
  item: DataPlaneItem | undefined,
  now: number,
  policy: Pick<Policy, "staleAfterSeconds">,
): DataPlaneAnswer {
  if (!site) return keep("unknown site");
  if (!site.providers.some((p) => p.id === provider)) return keep("unknown provider");
  const entry = item?.providers[provider];
  // The latch holds even when the region's verdict went quiet: it says where traffic must not go.
  if (entry?.latched) return { withdraw: true, reason: "latched out: failed over, failback not approved" };
  if (item?.hold) return keep("automatic changes held (frozen, or paused for flapping)");
  const fresh = (e: DataPlaneEntry | undefined): e is DataPlaneEntry =>
    e !== undefined && now - e.lastRoundAt <= policy.staleAfterSeconds * 1000;
  if (!fresh(entry)) return keep("no fresh verdict in this region: abstains");
  if (entry.impaired) return keep("this region's own canaries fail: abstains");
  if (!entry.down) return keep("not down in this region");
  // The both-down guard, as the state machine has it: withdraw only towards a provider that can serve.
  const target = Object.entries(item?.providers ?? {}).some(
    ([id, e]) => id !== provider && fresh(e) && !e.down && !e.impaired && e.mode !== "backup-auth",
  );
  if (!target) return keep("down here, but no other provider here can take over (both-down guard)");
  return { withdraw: true, reason: "down in this region" };
}

/**
 * The verdict endpoint's path for a site and provider, without the deployment's secret: what names
 * a health check. The checks request `verdictPath(...)`, which puts the secret in front.
 */
export function verdictResource(site: string, provider: string): string {
  return `/health/${encodeURIComponent(site)}/${encodeURIComponent(provider)}`;
}

/**
 * The path Route 53 requests: `/v1/{secret}/health/{site}/{provider}`. The secret is per deployment,
 * so only Route 53's checks (and whoever can read them) can ask; it is never logged.
 */
export function verdictPath(site: string, provider: string, secret: string): string {
  return `/v1/${encodeURIComponent(secret)}${verdictResource(site, provider)}`;
}

/** Parses a verdict path; undefined for anything else. */
export function parseVerdictPath(
  path: string,
): { secret: string; site: string; provider: string } | undefined {
  const match = /^\/v1\/([^/]+)\/health\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  try {
    return {
      secret: decodeURIComponent(match[1] ?? ""),
      site: decodeURIComponent(match[2] ?? ""),
      provider: decodeURIComponent(match[3] ?? ""),
    };
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A data-plane item read back from the store, or undefined when it is not one. */
export function parseDataPlaneItem(value: unknown): DataPlaneItem | undefined {
  if (!isRecord(value) || typeof value.site !== "string" || typeof value.region !== "string")
    return undefined;
  if (!isNumber(value.writtenAt) || !isRecord(value.providers)) return undefined;
  const providers: Record<string, DataPlaneEntry> = {};
  for (const [id, entry] of Object.entries(value.providers)) {
    if (!isRecord(entry) || !isNumber(entry.lastRoundAt)) return undefined;
    if (typeof entry.down !== "boolean" || typeof entry.latched !== "boolean") return undefined;
    providers[id] = {
      lastRoundAt: entry.lastRoundAt,
      down: entry.down,
      latched: entry.latched,
      ...(entry.impaired === true ? { impaired: true } : {}),
      ...(typeof entry.mode === "string" ? { mode: entry.mode } : {}),
    };
  }
  return {
    site: value.site,
    region: value.region,
    writtenAt: value.writtenAt,
    providers,
    ...(value.hold === true ? { hold: true } : {}),
  };
}

/** The manifest the stacks link into the verdict function, or undefined when it is not one. */
export function parseVerdictManifest(value: unknown): VerdictManifest | undefined {
  if (!isRecord(value) || !isNumber(value.staleAfterSeconds) || !Array.isArray(value.sites)) return undefined;
  const sites: VerdictManifest["sites"] = [];
  for (const site of value.sites) {
    if (!isRecord(site) || typeof site.id !== "string" || !Array.isArray(site.providers)) return undefined;
    if (!site.providers.every((p): p is string => typeof p === "string")) return undefined;
    sites.push({ id: site.id, providers: [...site.providers] });
  }
  return { sites, staleAfterSeconds: value.staleAfterSeconds };
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
