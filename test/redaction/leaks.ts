import type { DomainEvent } from "@idp-failover/core";
import { expect } from "vitest";

/*
 * A secret, and a text in which a careless library or vendor echoes it in every form it leaves a
 * process in: raw, URL-encoded, form-encoded, base64 alone, base64 inside a Basic credential, and
 * JSON-escaped. The sink tests put this text where an error would carry it, and look for every form
 * in what reached the sink.
 */

export const leakedSecret = 'cs~Okta/Probe+Secret "2026" with space';
export const leakedRef = "OKTA_PROBE_CLIENT_SECRET";

export function formsOf(secret: string): Record<string, string> {
  const basic = Buffer.from(`${encodeURIComponent("0oa1client")}:${encodeURIComponent(secret)}`).toString(
    "base64",
  );
  return {
    raw: secret,
    urlEncoded: encodeURIComponent(secret),
    formEncoded: new URLSearchParams({ s: secret }).toString().slice(2),
    base64: Buffer.from(secret).toString("base64"),
    basicCredential: basic,
    jsonEscaped: JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/"),
  };
}

/** What a token endpoint's error might say after echoing the request back. */
export function leakyErrorText(secret = leakedSecret): string {
  const f = formsOf(secret);
  return [
    `POST /oauth2/v1/token 400: body grant_type=client_credentials&client_secret=${f.formEncoded}`,
    `url ?client_secret=${f.urlEncoded}`,
    `Authorization: Basic ${f.basicCredential}`,
    `credential ${f.basicCredential}`,
    `blob ${f.base64}`,
    `json {"client_secret":"${f.jsonEscaped}"}`,
    `raw ${f.raw}`,
  ].join("; ");
}

/** Asserts that no form of the secret is in `text` (and says which one is, when one is). */
export function expectNoSecretIn(text: string, secret = leakedSecret): void {
  const found = Object.entries(formsOf(secret))
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
  expect(found, "forms of the secret that reached the sink").toEqual([]);
}

/** A state change whose reason carries the leak, as an evaluator would publish it. */
export function leakyStateChange(at: string): DomainEvent {
  return {
    type: "state-changed",
    id: "acme:9:0",
    site: "acme",
    at,
    from: "primary-active",
    to: "failing-over",
    reason: leakyErrorText(),
    actor: "evaluator",
    version: 9,
    weights: { okta: 0, entra: 100 },
  };
}
