import type { Policy, Provider, Site } from "./config.js";
import * as z from "./zod-mini.js";

/*
 * The verdict endpoint's side of the data plane, kept free of the config schema so the verdict
 * function bundles small (Route 53's checkers give it 2 seconds, cold starts included): it imports
 * only these small zod/mini schemas, the data-plane item (read back from DynamoDB) and the verdict
 * manifest (what the stacks derive from the parsed config and link into the function).
 *
 * It fails safe: the endpoint says "withdraw" only when it positively knows the provider must go (this
 * region sees it down and another provider can serve, or the state machine latched it out), and the
 * Route 53 checks are inverted, so every answer it cannot give keeps the provider in (docs/design.md
 * "The data plane fails safe").
 */

export const dataPlaneEntrySchema = z.object({
  /** Epoch ms of the last round folded in. */
  lastRoundAt: z.number(),
  down: z.boolean(),
  /** Latched out by the state machine (see `isLatchedOut`). */
  latched: z.boolean(),
  /** This region's own canaries fail (or its clock is off): its verdicts abstain. */
  impaired: z.optional(z.boolean()),
  /** A vendor mode this region sees (backup authentication rules a provider out as a target). */
  mode: z.optional(z.string()),
});
export type DataPlaneEntry = z.infer<typeof dataPlaneEntrySchema>;

/** The item the probe writes in its own region, one per site; the verdict endpoint reads only this. */
export const dataPlaneItemSchema = z.object({
  site: z.string(),
  region: z.string(),
  /** Epoch ms. */
  writtenAt: z.number(),
  providers: z.record(z.string(), dataPlaneEntrySchema),
  /**
   * Automatic changes are held for the site (frozen by an operator, or paused for flapping): the
   * data plane withdraws nothing on its own then, as the state machine moves nothing.
   */
  hold: z.optional(z.boolean()),
});
export type DataPlaneItem = z.infer<typeof dataPlaneItemSchema>;

/** What the verdict endpoint needs of the config: which sites and providers exist, and staleness. */
export const verdictManifestSchema = z.object({
  sites: z.array(
    z.object({
      id: z.string(),
      providers: z.array(z.string()),
      /** The site's own `policy.staleAfterSeconds`, when it differs from the deployment's. */
      staleAfterSeconds: z.optional(z.number()),
    }),
  ),
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
 * What the verdict endpoint answers for a path that several sites' primaries share, from each member
 * site's own answer in this region. Route 53 acts on the answer for every member at once, so the
 * shared check withdraws only when every member's answer is withdraw (all latched out, or all down
 * here with somewhere to go and none held). A site whose own answer alone says withdraw is moved by the
 * state machine through the Route 53 API; it may not move the other sites' traffic.
 */
export function sharedPathAnswer(answers: readonly DataPlaneAnswer[]): DataPlaneAnswer {
  if (answers.length === 0) return keep("unknown path");
  const kept = answers.filter((a) => !a.withdraw).length;
  if (kept > 0) return keep(`withdraw at ${answers.length - kept} of ${answers.length} sites of this path`);
  return { withdraw: true, reason: `withdraw at all ${answers.length} sites of this path` };
}

/** A health check's resource for one site's provider, without the deployment's secret. */
export function verdictResource(site: string, provider: string): string {
  return `/health/${encodeURIComponent(site)}/${encodeURIComponent(provider)}`;
}

/** A health check's resource for a path several sites share (named by its host name), without the secret. */
export function sharedVerdictResource(target: string): string {
  return `/path/${encodeURIComponent(target)}`;
}

/**
 * The path Route 53 requests: `/v1/{secret}{resource}`. The secret is per deployment, so only Route
 * 53's checks (and whoever can read them) can ask; it is never logged.
 */
export function verdictPath(resource: string, secret: string): string {
  return `/v1/${encodeURIComponent(secret)}${resource}`;
}

export type VerdictTarget =
  | { kind: "site"; site: string; provider: string }
  | { kind: "path"; target: string };

/** Parses a verdict path; undefined for anything else. */
export function parseVerdictPath(path: string): { secret: string; target: VerdictTarget } | undefined {
  const match = /^\/v1\/([^/]+)\/(?:health\/([^/]+)\/([^/]+)|path\/([^/]+))\/?$/.exec(path);
  if (!match) return undefined;
  try {
    const secret = decodeURIComponent(match[1] ?? "");
    if (match[4] !== undefined)
      return { secret, target: { kind: "path", target: decodeURIComponent(match[4]) } };
    const site = decodeURIComponent(match[2] ?? "");
    return { secret, target: { kind: "site", site, provider: decodeURIComponent(match[3] ?? "") } };
  } catch {
    return undefined;
  }
}

/** The manifest the stacks link into the verdict function, or undefined when it is not one. */
export function parseVerdictManifest(value: unknown): VerdictManifest | undefined {
  const parsed = verdictManifestSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The verdict manifest of a parsed config (without the shared paths: see `deployedVerdictManifest`):
 * the sites with a data plane only (a parsed site's `dataPlane` is its effective tier), so the
 * endpoint answers "keep" for the others as for any unknown site.
 */
export function verdictManifest(config: {
  sites: ReadonlyArray<SiteShape & Pick<Site, "dataPlane"> & { policy?: Pick<Policy, "staleAfterSeconds"> }>;
  policy: Pick<Policy, "staleAfterSeconds">;
}): VerdictManifest {
  const staleAfterSeconds = config.policy.staleAfterSeconds;
  return {
    sites: config.sites
      .filter((s) => s.dataPlane !== false)
      .map((s) => {
        const own = s.policy?.staleAfterSeconds;
        return {
          id: s.id,
          providers: s.providers.map((p) => p.id),
          ...(own !== undefined && own !== staleAfterSeconds ? { staleAfterSeconds: own } : {}),
        };
      }),
    staleAfterSeconds,
  };
}

/** How long a site's verdicts stay fresh at the endpoint: its own staleness, else the deployment's. */
export function manifestStaleness(manifest: VerdictManifest, id: string): Pick<Policy, "staleAfterSeconds"> {
  const own = manifest.sites.find((s) => s.id === id)?.staleAfterSeconds;
  return { staleAfterSeconds: own ?? manifest.staleAfterSeconds };
}

/** A manifest site in the shape `dataPlaneAnswer` takes. */
export function manifestSite(manifest: VerdictManifest, id: string): SiteShape | undefined {
  const site = manifest.sites.find((s) => s.id === id);
  return site && { id: site.id, providers: site.providers.map((p) => ({ id: p })) };
}
