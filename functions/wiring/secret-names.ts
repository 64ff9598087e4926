/*
 * A config names a secret like an environment variable (`OKTA_PROBE_CLIENT_SECRET`); SST wants a
 * secret's name to start with a capital letter and hold only letters and digits. The stacks declare
 * `sst.Secret(sstSecretName(ref))` and the functions read `Resource[sstSecretName(ref)].value`, so
 * both sides use this one mapping: OKTA_PROBE_CLIENT_SECRET -> OktaProbeClientSecret.
 */
export function sstSecretName(ref: string): string {
  const name = ref
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join("");
  return /^[A-Z]/.test(name) ? name : `Secret${name}`;
}
