import { type RegionHealth, regionHealthSchema, vendorModes } from "./monitor.js";
import * as z from "./zod-mini.js";

/** The kinds of probe the product knows. Each checks content, not just a status code. */
export const probeKinds = [
  "http",
  "oidc-discovery",
  "jwks",
  "token",
  "saml-metadata",
  "okta-api",
  "graph-health",
  "front-door",
  "interactive-sign-in",
] as const;
export type ProbeKind = (typeof probeKinds)[number];

/**
 * Why a probe failed. `slow` means it answered correctly but over its latency budget, and `upstream`
 * means the vendor itself reports a problem: both raise `degraded`, never `down`.
 */
export const errorClasses = [
  "dns",
  "tcp",
  "tls",
  "timeout",
  "http-5xx",
  "http-4xx",
  "content",
  "slow",
  "auth",
  "upstream",
] as const;
export type ErrorClass = (typeof errorClasses)[number];

/**
 * A critical probe failing makes its region's verdict `down` (a login cannot complete without it);
 * a signal probe failing only raises `degraded` and shows in alerts.
 */
export type Criticality = "critical" | "signal";

export const defaultCriticality: Record<ProbeKind, Criticality> = {
  http: "critical",
  "oidc-discovery": "critical",
  jwks: "critical",
  token: "critical",
  "saml-metadata": "signal",
  "okta-api": "signal",
  "graph-health": "signal",
  // A broken path from the login hostname to the IdP fails users' sign-ins like a down IdP does.
  "front-door": "critical",
  // A missing sign-in form with working tokens is a vendor mode (backup authentication), not an outage.
  "interactive-sign-in": "signal",
};

/** Error classes that never make a region `down`, whatever the probe's criticality. */
const degradingOnly: ReadonlySet<ErrorClass> = new Set(["slow", "upstream"]);

export const probeErrorSchema = z.object({
  class: z.enum(errorClasses),
  message: z.string().check(z.maxLength(500)),
});
export type ProbeError = z.infer<typeof probeErrorSchema>;

export const probeResultSchema = z.object({
  site: z.string(),
  provider: z.string(),
  region: z.string(),
  /** The probe's name within its provider: its kind unless the config names it. */
  probe: z.string(),
  kind: z.enum(probeKinds),
  criticality: z.enum(["critical", "signal"]),
  /** Start of the probe round this result belongs to (ISO-8601 UTC); results of one round share it. */
  at: z.iso.datetime(),
  ok: z.boolean(),
  latencyMs: z.number().check(z.nonnegative()),
  status: z.optional(z.number().check(z.int())),
  /** Attempts made: more than 1 means confirm-on-failure retries ran (the first attempt failed). */
  attempts: z.optional(z.number().check(z.int(), z.positive())),
  error: z.optional(probeErrorSchema),
  /** A vendor mode the vendor's own answer named (Okta read-only, Entra backup authentication). */
  mode: z.optional(z.enum(vendorModes)),
});
export type ProbeResult = z.infer<typeof probeResultSchema>;

/** One region's round (or one shard of it): every result, and what the region learned about itself. */
export interface ProbeRound {
  region: string;
  /** Round start, epoch ms (every result's `at`). */
  at: number;
  results: readonly ProbeResult[];
  /** The region's canaries and clock in this round (absent: not checked, taken as healthy). */
  health?: RegionHealth;
}

/** A round as a shard's worker sends it back to the probe function (probe-shards.ts). */
export const probeRoundSchema = z.object({
  region: z.string(),
  at: z.number(),
  results: z.array(probeResultSchema),
  health: z.optional(regionHealthSchema),
});

/** How one probe result counts toward its region's verdict. */
export type ResultWeight = "healthy" | "degrading" | "failing";

export function weighResult(result: Pick<ProbeResult, "ok" | "criticality" | "error">): ResultWeight {
  if (result.ok) return "healthy";
  if (result.criticality === "signal") return "degrading";
  if (result.error && degradingOnly.has(result.error.class)) return "degrading";
  return "failing";
}
