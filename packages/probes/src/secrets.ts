import { ProbeFailure } from "./probe-failure.js";

/*
 * Where probe credentials come from. The config names a secret (`clientSecretRef: OKTA_PROBE_SECRET`);
 * a SecretSource turns the name into the value. The probes never read `process.env` themselves: the
 * CLI and the Lambda pass `envSecrets(process.env)` (SST links secrets into the environment).
 */

export type SecretSource = (ref: string) => string | undefined;

/** Secrets from an environment-like map; an empty value counts as missing. */
export function envSecrets(env: Readonly<Record<string, string | undefined>>): SecretSource {
  return (ref) => {
    const value = env[ref];
    return value === undefined || value === "" ? undefined : value;
  };
}

/** The secret a probe needs; a missing one is `auth`, not retried (an operator must set it). */
export function requireSecret(secrets: SecretSource, ref: string): string {
  const value = secrets(ref);
  if (value === undefined) {
    throw new ProbeFailure("auth", `secret ${ref} is not set (environment or secret store)`, {
      retryable: false,
    });
  }
  return value;
}
