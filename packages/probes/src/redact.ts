import { createRedactor, type ProbeSpec, secretRefsOf } from "@idp-failover/core";
import { clip } from "./probe-failure.js";
import type { SecretSource } from "./secrets.js";

/*
 * The last guard on what leaves a probe: messages are built without secrets, and core's redactor
 * also removes the secrets this probe used (in every encoding), JWTs and credentials after an auth
 * scheme, in case an upstream library put one into an error. The sinks redact again with every
 * secret of the deployment; this one keeps `idpctl probe` output clean too, and the message short.
 */

const maxMessage = 300;

/** The values of the secrets a probe spec names (every `...Ref` field of it). */
export function secretValuesOf(spec: ProbeSpec, secrets: SecretSource): Array<string | undefined> {
  return secretRefsOf(spec).map((ref) => secrets(ref));
}

export function redact(message: string, secretValues: ReadonlyArray<string | undefined>): string {
  const text = createRedactor(secretValues).text(message).replace(/\s+/g, " ").trim();
  return clip(text, maxMessage);
}
