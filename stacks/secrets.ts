import { sstSecretName } from "../functions/wiring/secret-names";

/*
 * One `sst.Secret` per secret the config references (`sst secret set OktaProbeClientSecret ...`),
 * created once and linked only to the functions that read it: the probes get the probe credentials,
 * notify gets the Slack bot token and webhook keys, the Slack endpoint its token and signing secret.
 */

const created = new Map<string, sst.Secret>();

export function secretsFor(refs: readonly string[]): sst.Secret[] {
  return [...new Set(refs)].map((ref) => {
    const name = sstSecretName(ref);
    let secret = created.get(name);
    if (!secret) {
      secret = new sst.Secret(name);
      created.set(name, secret);
    }
    return secret;
  });
}
