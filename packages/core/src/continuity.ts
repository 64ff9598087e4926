import type { ConfigIssue, Provider } from "./config.js";
import type { NotificationIntent } from "./effects.js";
import * as z from "./zod-mini.js";

/*
 * Identity continuity readiness: can the primary's people sign in through the secondary to the apps
 * they use? This module owns the vocabulary every package shares: the site's `continuity` settings,
 * the policy's optional gate, the stored result of a readiness run, and the pure rules that read it
 * (when to alert, whether the gate holds a failover). The reading and comparing live in
 * packages/readiness; storage in packages/aws.
 */

const secretRef = z.string().check(
  z.regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
    error: "a secret reference is the NAME of a secret, not its value",
  }),
);
const httpsUrl = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });
const nonEmpty = z.string().check(z.minLength(1));
const percentage = z.number().check(z.gte(0), z.lte(100));
const iso = z.iso.datetime();

/**
 * How a program authenticates to Okta's management API: an SSWS API token, or an OAuth 2.0 service
 * app signing a client assertion with its private key (scoped tokens; the scopes it asks for are
 * granted on the app's Okta API Scopes tab).
 */
export function oktaApiAuthSchema(defaultScopes: string[]) {
  return z.discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("token"), tokenRef: secretRef }),
    z.strictObject({
      mode: z.literal("private-key"),
      clientId: nonEmpty,
      keyId: z.optional(z.string()),
      privateKeyRef: secretRef,
      scopes: z._default(z.array(z.string()).check(z.minLength(1)), defaultScopes),
    }),
  ]);
}

/** The Okta API scopes a readiness run reads with (Okta: OAuth 2.0 Scopes, Okta Admin Management). */
export const readinessOktaScopes = ["okta.users.read", "okta.groups.read", "okta.apps.read"];

/** The Microsoft Graph application permissions a readiness run reads with. */
export const readinessGraphPermissions = ["User.Read.All", "GroupMember.Read.All", "Application.Read.All"];

export const userMatchSchema = z.strictObject({
  /** The Okta profile attribute: `login` (default) or `email`. */
  okta: z._default(z.enum(["login", "email"]), "login"),
  /** The Entra user property: `userPrincipalName` (default) or `mail`. */
  entra: z._default(z.enum(["userPrincipalName", "mail"]), "userPrincipalName"),
});
export type UserMatch = z.infer<typeof userMatchSchema>;

/** `sites[].continuity`: what a readiness run compares, and with which credentials it reads. */
export const continuitySchema = z.strictObject({
  /** Below this share of ready users, a readiness run alerts. */
  minReadinessPct: z._default(percentage, 98),
  /** Users match case-insensitively on these attributes. */
  userMatch: z.prefault(userMatchSchema, {}),
  groups: z.prefault(
    z.strictObject({
      /** `name`: Okta group name = Entra displayName (case-insensitive), `map` entries first; `map`: only the map. */
      match: z._default(z.enum(["name", "map"]), "name"),
      /** Okta group id -> Entra group object id. */
      map: z._default(z.record(z.string().check(z.minLength(1)), nonEmpty), {}),
    }),
    {},
  ),
  /** Apps users sign in to: the Okta app and the Entra service principal (object id) that stands in for it. */
  apps: z._default(
    z.array(z.strictObject({ okta: nonEmpty, entra: nonEmpty, name: z.optional(nonEmpty) })),
    [],
  ),
  okta: z.strictObject({
    /** Default: the org of the primary's okta-api probe, else the origin of its issuer. */
    orgUrl: z.optional(httpsUrl),
    /** Its own credentials: the readiness app needs read scopes the probes must not have. */
    auth: oktaApiAuthSchema(readinessOktaScopes),
  }),
  entra: z.strictObject({
    /** Default: the secondary's tenantId. */
    tenantId: z.optional(nonEmpty),
    clientId: nonEmpty,
    clientSecretRef: secretRef,
    /** Microsoft Graph; sovereign clouds differ. Default: the graph-health probe's graphUrl, else https://graph.microsoft.com. */
    graphBaseUrl: z.optional(httpsUrl),
    /** Microsoft identity platform; sovereign clouds differ. Default: the graph-health probe's loginUrl, else https://login.microsoftonline.com. */
    authorityHost: z.optional(httpsUrl),
  }),
});
export type ContinuityInput = z.infer<typeof continuitySchema>;

/** `policy.continuity`: failover is never gated by readiness unless `gateBelowPct` is set. */
export const continuityPolicySchema = z.strictObject({
  /** Hold an automatic failover onto a secondary whose last complete readiness is below this. */
  gateBelowPct: z.optional(percentage),
});
export type ContinuityPolicy = z.infer<typeof continuityPolicySchema>;

/** A site's continuity settings after defaults, endpoints resolved from the providers. */
export interface SiteContinuity extends Omit<ContinuityInput, "okta" | "entra"> {
  /** The Okta primary and the Entra secondary compared. */
  primary: string;
  secondary: string;
  okta: { orgUrl: string; auth: ContinuityInput["okta"]["auth"] };
  entra: {
    tenantId: string;
    clientId: string;
    clientSecretRef: string;
    graphBaseUrl: string;
    authorityHost: string;
  };
}

const publicGraph = "https://graph.microsoft.com";
const publicAuthority = "https://login.microsoftonline.com";

/**
 * Resolves a site's continuity settings against its providers: the primary must be Okta and an Entra
 * provider must follow it; endpoints not written come from that provider's probes, then the public cloud.
 */
export function resolveContinuity(
  input: ContinuityInput,
  providers: readonly Provider[],
  path: string,
  issues: ConfigIssue[],
): SiteContinuity | undefined {
  const primary = providers[0];
  const secondary = providers.slice(1).find((p) => p.kind === "entra");
  if (primary?.kind !== "okta") {
    issues.push({
      path,
      message: "continuity compares an Okta primary with an Entra secondary; this site's primary is not Okta",
      hint: "remove continuity from this site, or list the Okta provider first",
    });
    return undefined;
  }
  if (!secondary) {
    issues.push({
      path,
      message: "continuity needs an Entra provider after the Okta primary",
      hint: "add the Entra secondary to providers, or remove continuity",
    });
    return undefined;
  }
  const tenantId = input.entra.tenantId ?? secondary.tenantId;
  if (!tenantId) {
    issues.push({
      path: `${path}.entra.tenantId`,
      message: `no tenant: set continuity.entra.tenantId or ${secondary.id}'s tenantId`,
    });
    return undefined;
  }
  const oktaProbe = primary.probes.find((p) => p.kind === "okta-api");
  const graphProbe = secondary.probes.find((p) => p.kind === "graph-health");
  const orgUrl =
    input.okta.orgUrl ??
    (oktaProbe?.kind === "okta-api" ? oktaProbe.orgUrl : primary.issuer && new URL(primary.issuer).origin);
  if (!orgUrl) {
    issues.push({
      path: `${path}.okta.orgUrl`,
      message: "required: the Okta org URL, like https://example.okta.com",
    });
    return undefined;
  }
  const graphHealth = graphProbe?.kind === "graph-health" ? graphProbe : undefined;
  const trim = (url: string) => url.replace(/\/+$/, "");
  return {
    ...input,
    primary: primary.id,
    secondary: secondary.id,
    okta: { orgUrl: trim(orgUrl), auth: input.okta.auth },
    entra: {
      tenantId,
      clientId: input.entra.clientId,
      clientSecretRef: input.entra.clientSecretRef,
      graphBaseUrl: trim(input.entra.graphBaseUrl ?? graphHealth?.graphUrl ?? publicGraph),
      authorityHost: trim(input.entra.authorityHost ?? graphHealth?.loginUrl ?? publicAuthority),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The result of a readiness run (stored, printed with --json, read by status, the dashboard, the
// report and the evaluator). docs/readiness.md describes every field.
// ---------------------------------------------------------------------------------------------

/** Lists in a result keep at most this many names; counts are always whole. */
export const readinessListLimit = 100;

const count = z.number().check(z.int(), z.nonnegative());

export const readinessAppSchema = z.object({
  name: z.string(),
  okta: z.string(),
  entra: z.string(),
  /** The primary's active users assigned to the Okta app (directly or through a group). */
  assignedInPrimary: count,
  /** Of those, how many the service principal lets sign in (matched, enabled, assigned or not required). */
  coveredInSecondary: count,
  notCoveredCount: count,
  notCovered: z.array(z.string()),
  /** Entra lets every enabled user in when the service principal does not require assignment. */
  assignmentRequired: z.boolean(),
  /** Groups assigned to the Okta app whose Entra counterpart is not assigned to the service principal. */
  groupsNotAssigned: z.array(z.string()),
});
export type ReadinessApp = z.infer<typeof readinessAppSchema>;

export const groupDriftSchema = z.object({
  name: z.string(),
  okta: z.string(),
  entra: z.string(),
  primaryMembers: count,
  /** Active primary members who are not members of the Entra group (or have no Entra account). */
  missingInSecondary: count,
  /** Entra members who are not members of the Okta group. */
  extraInSecondary: count,
});
export type GroupDrift = z.infer<typeof groupDriftSchema>;

export const partialReasonSchema = z.object({
  /** What could not be read, like `okta users` or `graph servicePrincipals/{id}`. */
  what: z.string(),
  message: z.string(),
  hint: z.optional(z.string()),
});
export type PartialReason = z.infer<typeof partialReasonSchema>;

export const readinessResultSchema = z.object({
  schemaVersion: z.literal(1),
  site: z.string(),
  primary: z.string(),
  secondary: z.string(),
  startedAt: iso,
  at: iso,
  /** `incremental`: the Entra side came from the stored snapshot and Graph delta queries. */
  mode: z.enum(["full", "incremental"]),
  /** `partial`: something could not be read; no score is given for a partial read. */
  status: z.enum(["complete", "partial"]),
  readinessPct: z.nullable(z.number()),
  minReadinessPct: z.number(),
  partial: z._default(z.array(partialReasonSchema), []),
  users: z.object({
    primaryActive: count,
    matched: count,
    missingCount: count,
    missing: z.array(z.string()),
    disabledInSecondaryCount: count,
    disabledInSecondary: z.array(z.string()),
    /** Active primary users who could sign in through the secondary to every mapped app of theirs. */
    ready: count,
  }),
  groups: z.object({
    match: z.enum(["name", "map"]),
    primary: count,
    mapped: count,
    unmappedCount: count,
    unmapped: z.array(z.string()),
    /** Memberships the secondary lacks, summed over the mapped groups. */
    membershipDrift: count,
    withDrift: count,
    /** The mapped groups with the most drift, worst first. */
    worst: z.array(groupDriftSchema),
  }),
  apps: z.object({
    mapped: count,
    assignedInPrimary: count,
    coveredInSecondary: count,
    items: z.array(readinessAppSchema),
  }),
  requests: z.object({ okta: count, graph: count, throttled: count }),
});
export type ReadinessResult = z.infer<typeof readinessResultSchema>;

/** What the evaluator and alerts need of the last complete result: the secondary and how ready it is. */
export interface ReadinessSummary {
  site: string;
  secondary: string;
  readinessPct: number;
  at: string;
}

export function summaryOf(result: ReadinessResult): ReadinessSummary | undefined {
  if (result.status !== "complete" || result.readinessPct === null) return undefined;
  return { site: result.site, secondary: result.secondary, readinessPct: result.readinessPct, at: result.at };
}

/** Readiness as people read it: one decimal, never rounded up to 100 while anyone is left out. */
export function formatReadinessPct(pct: number): string {
  const floored = Math.floor(pct * 10) / 10;
  return `${floored.toFixed(1)}%`;
}

/**
 * Whether a result calls for the "readiness low" alert: a complete result below the minimum, when the
 * previous complete one was not (or there was none). A partial read alerts too (nobody knows how
 * ready the secondary is), once, until a complete read comes back.
 */
export function readinessAlertDue(
  current: ReadinessResult,
  previous: ReadinessResult | undefined,
): "below-minimum" | "partial" | undefined {
  if (current.status === "partial") return previous?.status === "partial" ? undefined : "partial";
  const below = (r: ReadinessResult | undefined) =>
    r?.status === "complete" && r.readinessPct !== null && r.readinessPct < r.minReadinessPct;
  if (!below(current)) return undefined;
  return below(previous) ? undefined : "below-minimum";
}

/**
 * The failover gate (`policy.continuity.gateBelowPct`): the reason to hold an automatic failover onto
 * `target`, or undefined. Only a complete measurement of that very provider below the gate holds it;
 * no measurement, or one of another provider, never does (a missing number must not keep users on a
 * provider that is down).
 */
export function readinessGateHolds(
  gateBelowPct: number | undefined,
  readiness: ReadinessSummary | undefined,
  target: string,
): string | undefined {
  if (gateBelowPct === undefined || !readiness || readiness.secondary !== target) return undefined;
  if (readiness.readinessPct >= gateBelowPct) return undefined;
  return `${target} was ${formatReadinessPct(readiness.readinessPct)} ready at ${readiness.at}, below policy.continuity.gateBelowPct ${gateBelowPct}%`;
}

/** Where readiness results are kept: the latest per site and a dated history. */
export interface ReadinessStore {
  putResult(result: ReadinessResult): Promise<void>;
  latest(site: string): Promise<ReadinessResult | undefined>;
  /** Results finished in [from, to), oldest first. Epoch ms. */
  history(site: string, from: number, to: number): Promise<ReadinessResult[]>;
}

/** The evaluator reads only the summary, and only when a provider is down. */
export interface ReadinessReader {
  latestReadiness(site: string): Promise<ReadinessSummary | undefined>;
}

/** One line for people: how ready the secondary is, or why nobody knows. */
export function readinessHeadline(result: ReadinessResult): string {
  const who = `${result.secondary} for ${result.primary}'s ${result.users.primaryActive.toLocaleString("en-US")} active user(s)`;
  if (result.status === "partial" || result.readinessPct === null) {
    return `readiness of ${who}: unknown (partial read: ${result.partial.length} problem(s))`;
  }
  const below = result.readinessPct < result.minReadinessPct ? ", BELOW the minimum" : "";
  return `${formatReadinessPct(result.readinessPct)} ready: ${who} (minimum ${result.minReadinessPct}%${below})`;
}

/**
 * The Entra state a readiness run continues from the next day (bytes the readiness package writes
 * and reads back; stores keep them opaque).
 */
export interface ReadinessSnapshots {
  loadSnapshot(site: string): Promise<Uint8Array | undefined>;
  saveSnapshot(site: string, bytes: Uint8Array, at: number): Promise<void>;
}

/** The `readiness-low` notification for a result the alert rule picked (see `readinessAlertDue`). */
export function readinessLowIntent(result: ReadinessResult): NotificationIntent {
  return {
    id: `${result.site}:readiness:${result.at}`,
    site: result.site,
    at: result.at,
    kind: "readiness-low",
    secondary: result.secondary,
    status: result.status,
    readinessPct: result.readinessPct,
    minReadinessPct: result.minReadinessPct,
    primaryActive: result.users.primaryActive,
    missingCount: result.users.missingCount,
    disabledCount: result.users.disabledInSecondaryCount,
    apps: result.apps.items
      .filter((a) => a.notCoveredCount > 0)
      .sort((a, b) => b.notCoveredCount - a.notCoveredCount)
      .slice(0, 10)
      .map((a) => ({ name: a.name, notCoveredCount: a.notCoveredCount })),
    reasons: result.partial.slice(0, 10).map((p) => (p.hint ? `${p.message} (fix: ${p.hint})` : p.message)),
  };
}
