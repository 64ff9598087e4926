import type { ProbeSpec } from "@idp-failover/core";
import { clip } from "./probe-failure.js";
import type { SecretSource } from "./secrets.js";

/*
 * The last guard on what leaves a probe: messages are built without secrets, and this also removes
 * any secret value the probe used, anything shaped like a JWT, and credentials after an auth scheme,
 * in case an upstream library put one into an error.
 */

const maxMessage = 300;

export function secretValuesOf(spec: ProbeSpec, secrets: SecretSource): string[] {
  const refs: string[] = [];
  if (spec.kind === "token" || spec.kind === "graph-health") refs.push(spec.clientSecretRef);
  if (spec.kind === "okta-api")
    refs.push(spec.auth.mode === "token" ? spec.auth.tokenRef : spec.auth.privateKeyRef);
  return refs
    .map((ref) => secrets(ref))
    .filter((value): value is string => value !== undefined && value.length >= 4);
}

export function redact(message: string, secretValues: readonly string[]): string {
  let text = message;
  for (const value of secretValues) text = text.split(value).join("[redacted]");
  text = text
    .replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, "[token]")
    .replace(/\b(SSWS|Bearer|Basic|DPoP)\s+[\w\-.~+/=]{8,}/gi, "$1 [redacted]")
    .replace(/\s+/g, " ")
    .trim();
  return clip(text, maxMessage);
}
