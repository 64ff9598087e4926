import { verdictSecretName } from "../functions/wiring/deployment-names";
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

let verdictSecret: sst.Secret | undefined;

/**
 * The verdict endpoints' path secret: one per deployment, in every health check's resource path and
 * linked to the verdict functions only. Rotate it with `sst secret set VerdictPathSecret NEW` and a
 * deploy (docs/deploy.md): between the checks' update and the functions' they get "keep" answers,
 * which never move traffic.
 */
export function verdictPathSecret(): sst.Secret {
  verdictSecret ??= new sst.Secret(verdictSecretName);
  return verdictSecret;
}
