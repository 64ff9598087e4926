/*
 * The settings an Okta SDK client is made with, for the okta-api probe and the readiness reader:
 * every setting given explicitly, empty when unused. The SDK merges ~/.okta/okta.yaml, ./okta.yaml
 * and OKTA_CLIENT_* variables under what it is given, and none of those may leak into a probe or a
 * readiness run. No SDK import here: the probe loads the SDK only when an okta-api probe runs.
 */

export type OktaAuth =
  | { mode: "token"; token: string }
  | { mode: "private-key"; clientId: string; scopes: string[]; privateKey: string; keyId?: string };

export function oktaClientSettings(
  orgUrl: string,
  auth: OktaAuth,
  options: { requestExecutor: unknown; userAgent: string },
): Record<string, unknown> {
  const common = {
    orgUrl,
    requestExecutor: options.requestExecutor,
    cacheMiddleware: null,
    userAgent: options.userAgent,
    token: "",
    clientId: "",
    scopes: [] as string[],
    privateKey: "",
    keyId: "",
  };
  return auth.mode === "token"
    ? { ...common, authorizationMode: "SSWS", token: oktaApiToken(auth.token) }
    : {
        ...common,
        authorizationMode: "PrivateKey",
        clientId: auth.clientId,
        scopes: auth.scopes,
        privateKey: auth.privateKey,
        keyId: auth.keyId ?? "",
      };
}

/**
 * The API token without Okta's scheme word: the SDK sends `Authorization: SSWS <token>`, and a token
 * stored as Okta's docs print the header (`SSWS 00ab...`) would otherwise go out as `SSWS SSWS 00ab...`
 * and be refused. The probe and the readiness reader both come through here.
 */
export function oktaApiToken(configured: string): string {
  return configured.trim().replace(/^SSWS\s+/i, "");
}
