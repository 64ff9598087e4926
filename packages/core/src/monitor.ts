import * as z from "./zod-mini.js";

/*
 * The monitor's own health. Every probe region checks, each round, that it can reach the network at
 * all (its canaries: an AWS endpoint in its own region and a public anchor) and that its clock agrees
 * with the `Date` those servers send. A region that cannot is `impaired`: its probe results say more
 * about its own network than about any IdP, so it abstains from every verdict, as a stale region does,
 * and its time counts as unknown in reports. Its faults then never move traffic, never page about a
 * vendor and never become a vendor's downtime (issue 14).
 *
 * Vendor modes are the vendors' documented half-working states, named so decisions and people can
 * tell them apart from an outage: Okta's read-only mode (sign-ins and tokens work, writes fail with
 * E0000010) and Microsoft Entra's backup authentication (existing sessions are renewed, new
 * interactive sign-ins fail). See docs/design.md "Vendor modes".
 */

export const vendorModes = ["read-only", "backup-auth"] as const;
export type VendorMode = (typeof vendorModes)[number];

/** `{region}` in a canary's URL is replaced with the probe region's name. */
const regionTemplate = /\{region\}/g;

export function canaryUrl(template: string, region: string): string {
  return template.replace(regionTemplate, region);
}

const canaryUrlSchema = z.string().check(
  z.refine((value: string) => {
    try {
      const url = new URL(canaryUrl(value, "us-east-1"));
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "not an http(s) URL (a `{region}` in it is replaced with the probe region)"),
);

export const canarySchema = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "use lowercase letters, digits and dashes" })),
  url: canaryUrlSchema,
});
export type Canary = z.infer<typeof canarySchema>;

/**
 * The default canaries: the region's own STS endpoint (an AWS endpoint in the region itself; any
 * HTTP answer proves the region's network works, and carries AWS's clock in `Date`) and a public
 * anchor outside the region. See docs/design.md "Monitor self-health" for why these two.
 */
export const defaultCanaries: Canary[] = [
  { name: "aws-region", url: "https://sts.{region}.amazonaws.com/" },
  { name: "public-anchor", url: "https://checkip.amazonaws.com/" },
];

export const monitorSettingsSchema = z.strictObject({
  canaries: z._default(
    z.array(canarySchema).check(z.minLength(1, { error: "at least one canary" })),
    defaultCanaries,
  ),
  /** A region whose clock is further than this from the canaries' `Date` is impaired. */
  maxClockSkewSeconds: z._default(z.number().check(z.int(), z.gte(2), z.lte(300)), 10),
});
export type MonitorSettings = z.infer<typeof monitorSettingsSchema>;

export const defaultMonitorSettings: MonitorSettings = monitorSettingsSchema.parse({});

export function monitorSettings(config: { monitor?: MonitorSettings }): MonitorSettings {
  return config.monitor ?? defaultMonitorSettings;
}

/** One canary's answer in one round. */
export const canaryResultSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  latencyMs: z.number(),
  /** Why it failed, short (no URLs' query strings, no secrets: canaries carry none). */
  error: z.optional(z.string()),
});
export type CanaryResult = z.infer<typeof canaryResultSchema>;

/** What a region learned about itself in one round (a shard's worker sends it with its results). */
export const regionHealthSchema = z.object({
  canaries: z.array(canaryResultSchema),
  /**
   * Our clock minus the servers' (ms), from the canary answer whose `Date` was closest to our clock:
   * one server with a wrong clock must not impair a region whose own clock is right.
   */
  clockSkewMs: z.optional(z.number()),
});
export type RegionHealth = z.infer<typeof regionHealthSchema>;

/**
 * Why a region is impaired this round, or undefined when it is healthy. Impaired when at least half
 * of its canaries failed (with the default two, either one: a region that cannot reach its own AWS
 * endpoint or the internet cannot be trusted to judge an IdP; a third canary rides out one anchor's
 * own outage), or when its clock is off by more than `maxClockSkewSeconds`.
 */
export function regionImpairment(
  health: RegionHealth | undefined,
  settings: MonitorSettings,
): string | undefined {
  if (!health) return undefined;
  const failed = health.canaries.filter((c) => !c.ok);
  if (health.canaries.length > 0 && failed.length * 2 >= health.canaries.length) {
    const what = failed.map((c) => `${c.name}${c.error ? ` (${c.error})` : ""}`).join(", ");
    return `canaries failing: ${what}`.slice(0, 300);
  }
  const skew = health.clockSkewMs;
  if (skew !== undefined && Math.abs(skew) > settings.maxClockSkewSeconds * 1000) {
    return `clock off by ${Math.round(skew / 1000)} s (limit ${settings.maxClockSkewSeconds} s)`;
  }
  return undefined;
}
