import * as z from "@idp-failover/core/zod-mini";
import type { AttemptContext } from "./probe-context.js";
import { asProbeFailure, ProbeFailure } from "./probe-failure.js";

/*
 * OpenID Connect discovery (OpenID Connect Discovery 1.0, section 3): the fields a login needs, and
 * how a configured issuer compares with a published one.
 */

const endpoint = z.string().check(
  z.refine((value: string) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "not an absolute http(s) URL"),
);

export const discoveryDocumentSchema = z.looseObject({
  issuer: z.string().check(z.minLength(1)),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  response_types_supported: z.optional(z.array(z.string())),
});
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;

const wellKnown = "/.well-known/openid-configuration";

export function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}${wellKnown}`;
}

/** The issuer a discovery URL belongs to (the URL minus the well-known suffix). */
export function issuerOfDiscoveryUrl(url: string): string {
  return url.endsWith(wellKnown) ? url.slice(0, -wellKnown.length) : url;
}

/**
 * Whether a published issuer is the configured one. Exact, except for a trailing slash, and for
 * Microsoft's multi-tenant documents, which publish `{tenantid}` as a placeholder.
 */
export function issuerMatches(published: string, expected: string): boolean {
  const a = published.replace(/\/+$/, "");
  const b = expected.replace(/\/+$/, "");
  if (a === b) return true;
  if (!a.includes("{tenantid}")) return false;
  const [before = "", after = ""] = a.split("{tenantid}");
  return (
    b.startsWith(before) &&
    b.endsWith(after) &&
    /^[^/]+$/.test(b.slice(before.length, b.length - after.length))
  );
}

/** Parses a discovery document, or fails as `content` naming the first missing or wrong field. */
export function parseDiscovery(json: unknown): DiscoveryDocument {
  const parsed = discoveryDocumentSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "document";
  // Zod leaves the offending value out of its issues, so look in the document for a missing field.
  const missing = issue?.code === "invalid_type" && valueAt(json, issue.path) === undefined;
  throw new ProbeFailure(
    "content",
    missing
      ? `discovery document has no ${field}`
      : `discovery document: ${field} ${issue?.message ?? "is invalid"}`,
  );
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The provider's discovery document, for probes that depend on it (jwks, token). Shares the round's
 * fetch; a failure is reported with a "discovery:" prefix and its own class, never as the dependent
 * probe's content error.
 */
export async function discoveryFor(context: AttemptContext): Promise<DiscoveryDocument> {
  const url = context.target.discoveryUrl;
  if (!url) {
    throw new ProbeFailure(
      "content",
      "no issuer configured to discover endpoints from; set the probe's url",
      {
        retryable: false,
      },
    );
  }
  try {
    const fetched = await context.documents.shared(url, context.signal);
    return parseDiscovery(fetched.json);
  } catch (error) {
    throw asProbeFailure(error)?.prefixed("discovery") ?? error;
  }
}
