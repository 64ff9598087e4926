import { randomBytes } from "node:crypto";
import { statusFailure } from "@idp-failover/http";
import { discoveryFor } from "../oidc.js";
import type { ProbeCheck } from "../probe-context.js";
import { ProbeFailure } from "../probe-failure.js";

/*
 * What a person meets at sign-in: the provider's authorization endpoint, asked for a code as an app
 * would ask, must render a sign-in form. Nobody is signed in: the probe reads the page and stops.
 * Microsoft Entra's backup authentication renews existing sessions but takes no new interactive
 * sign-ins, while discovery, keys and client-credentials tokens are still served; this probe failing
 * while the token probe passes is how that mode shows from outside (core names it `backup-auth`).
 *
 * The page's markers are not documented by the vendors: the defaults below are what their hosted
 * pages carry today (Okta's sign-in page template mounts the widget in `okta-login-container`; Entra's
 * page declares `PageID` `ConvergedSignIn`), and `expect` overrides them for a customized page.
 */

export const defaultSignInMarkers = {
  okta: "okta-login-container|OktaUtil|okta-sign-in",
  entra: 'ConvergedSignIn|name="loginfmt"',
  oidc: "<form[\\s>]",
} as const;

/** Redirects followed from the authorization endpoint to its sign-in page (Okta Classic redirects once). */
const maxRedirects = 3;

export const checkInteractiveSignIn: ProbeCheck<"interactive-sign-in"> = async (spec, context) => {
  const endpoint = spec.authorizeUrl ?? (await discoveryFor(context)).authorization_endpoint;
  const url = new URL(endpoint);
  url.searchParams.set("client_id", spec.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", spec.redirectUri);
  url.searchParams.set("scope", spec.scope);
  url.searchParams.set("state", randomBytes(12).toString("base64url"));
  url.searchParams.set("nonce", randomBytes(12).toString("base64url"));
  // PKCE, as public clients must send it; the verifier is never needed, no code is ever redeemed.
  url.searchParams.set("code_challenge", randomBytes(32).toString("base64url"));
  url.searchParams.set("code_challenge_method", "S256");
  const answer = await context.http.request(url.toString(), {
    signal: context.signal,
    followRedirects: maxRedirects,
    headers: { accept: "text/html" },
  });
  if (answer.status !== 200) throw statusFailure(answer, false);
  const marker = spec.expect ?? defaultSignInMarkers[context.target.kind];
  if (!new RegExp(marker).test(answer.body)) {
    throw new ProbeFailure(
      "content",
      `the authorize page rendered no sign-in form (HTTP 200, ${answer.body.length} bytes, no /${marker.slice(0, 60)}/)`,
      { status: answer.status },
    );
  }
  return { latencyMs: answer.latencyMs, status: answer.status };
};
