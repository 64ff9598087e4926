import { entraStandInDefaults, oktaStandInDefaults, startOktaStandIn } from "@idp-failover/stand-ins";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { type Answer, type CallOptions, call as callServer } from "../support/http-call.js";
import { tenantId, useIdps } from "./support.js";

/* The stand-ins speak the vendors' shapes; the drill and the probe tests rely on these details. */

const idps = useIdps();

/** A request to a stand-in, trusting the test CA. */
function call(url: string, init: Omit<CallOptions, "ca"> = {}): Promise<Answer> {
  return callServer(url, { ...init, ca: idps.ca.certPem });
}

async function json(url: string, init?: Parameters<typeof call>[1]): Promise<Record<string, unknown>> {
  return JSON.parse((await call(url, init)).body);
}

describe("Okta stand-in", () => {
  it("serves custom and org authorization server discovery with Okta's endpoint layout", async () => {
    // Act
    const custom = await json(`${idps.okta.issuer("default")}/.well-known/openid-configuration`);
    const org = await json(`${idps.okta.url}/.well-known/openid-configuration`);

    // Assess
    expect(custom).toMatchObject({
      issuer: idps.okta.issuer("default"),
      token_endpoint: `${idps.okta.issuer("default")}/v1/token`,
      jwks_uri: `${idps.okta.issuer("default")}/v1/keys`,
    });
    expect(custom.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["client_secret_basic", "client_secret_post"]),
    );
    expect(org).toMatchObject({ issuer: idps.okta.url, jwks_uri: `${idps.okta.url}/oauth2/v1/keys` });
  });

  it("publishes RS256 keys with alg and signs client-credentials tokens with them", async () => {
    // Prepare
    const basic = Buffer.from(
      `${oktaStandInDefaults.client.clientId}:${oktaStandInDefaults.client.clientSecret}`,
    ).toString("base64");

    // Act
    const keys = await json(`${idps.okta.issuer("default")}/v1/keys`);
    const token = await json(`${idps.okta.issuer("default")}/v1/token`, {
      method: "POST",
      body: "grant_type=client_credentials&scope=idp_failover.probe",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    });

    // Assess
    const [key] = keys.keys as Record<string, unknown>[];
    expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
    expect(token).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "idp_failover.probe" });
    const accessToken = String(token.access_token);
    expect(decodeProtectedHeader(accessToken).kid).toBe(key?.kid);
    expect(decodeJwt(accessToken)).toMatchObject({
      ver: 1,
      iss: idps.okta.issuer("default"),
      aud: "api://default",
      cid: oktaStandInDefaults.client.clientId,
      scp: ["idp_failover.probe"],
    });
  });

  it("counts /api/v1/org against a rate limit it reports in x-rate-limit headers", async () => {
    // Prepare
    const auth = { authorization: `SSWS ${oktaStandInDefaults.apiToken}` };

    // Act
    const first = await call(`${idps.okta.url}/api/v1/org`, { headers: auth });
    const second = await call(`${idps.okta.url}/api/v1/org`, { headers: auth });
    await idps.okta.setFault({ mode: "rate-limited", probes: ["okta-api"] });
    const limited = await call(`${idps.okta.url}/api/v1/org`, { headers: auth });

    // Assess
    expect(first.status).toBe(200);
    expect(Number(second.headers["x-rate-limit-remaining"])).toBe(
      Number(first.headers["x-rate-limit-remaining"]) - 1,
    );
    expect(Number(first.headers["x-rate-limit-reset"])).toBeGreaterThan(Date.now() / 1000);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ errorCode: "E0000047" });
    expect(limited.headers["x-rate-limit-remaining"]).toBe("0");
  });

  it("answers 429 once the org's per-minute budget for /api/v1/org is spent", async () => {
    // Prepare
    const small = await startOktaStandIn({ ca: idps.ca, rateLimit: 2 });
    const auth = { authorization: `SSWS ${oktaStandInDefaults.apiToken}` };
    try {
      // Act
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        last = await call(`${small.url}/api/v1/org`, { headers: auth });
        statuses.push(last.status);
      }

      // Assess
      expect(statuses).toEqual([200, 200, 429]);
      expect(last?.headers["x-rate-limit-remaining"]).toBe("0");
      expect(JSON.parse(last?.body ?? "{}")).toMatchObject({ errorCode: "E0000047" });
    } finally {
      await small.close();
    }
  });

  it("refuses connections while refused and serves again on the same port after clearFault", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "refused" });
    const refused = await call(`${idps.okta.url}/.well-known/okta-organization`).catch(
      (error: NodeJS.ErrnoException) => error.code,
    );

    // Act
    await idps.okta.clearFault();
    const back = await call(`${idps.okta.url}/.well-known/okta-organization`);

    // Assess
    expect(refused).toBe("ECONNREFUSED");
    expect(back.status).toBe(200);
  });
});

describe("Entra stand-in", () => {
  it("serves v2.0 discovery whose issuer carries the tenant, and keys without alg", async () => {
    // Act
    const discovery = await json(`${idps.entra.issuer(tenantId)}/.well-known/openid-configuration`);
    const keys = await json(String(discovery.jwks_uri));

    // Assess
    expect(discovery).toMatchObject({
      issuer: `${idps.entra.url}/${tenantId}/v2.0`,
      token_endpoint: `${idps.entra.url}/${tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${idps.entra.url}/${tenantId}/discovery/v2.0/keys`,
    });
    const [key] = keys.keys as Record<string, unknown>[];
    expect(key).toMatchObject({ kty: "RSA", use: "sig", issuer: `${idps.entra.url}/{tenantid}/v2.0` });
    expect(key?.alg).toBeUndefined();
    expect(key?.x5t).toBe(key?.kid);
    expect(key?.x5c).toHaveLength(1);
  });

  it("answers an unknown tenant with AADSTS90002", async () => {
    // Act
    const answer = await call(`${idps.entra.url}/no-such-tenant/v2.0/.well-known/openid-configuration`);

    // Assess
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
  });

  it("mints .default tokens, and serves service health only to a Graph token", async () => {
    // Prepare
    const form = (scope: string) =>
      new URLSearchParams({
        grant_type: "client_credentials",
        scope,
        client_id: entraStandInDefaults.client.clientId,
        client_secret: entraStandInDefaults.client.clientSecret,
      }).toString();
    const tokenUrl = `${idps.entra.url}/${tenantId}/oauth2/v2.0/token`;
    const appToken = await json(tokenUrl, { method: "POST", body: form("api://probe/.default") });
    const graphToken = await json(tokenUrl, {
      method: "POST",
      body: form(`${idps.entra.graphUrl}/.default`),
    });
    const health = `${idps.entra.graphUrl}/v1.0/admin/serviceAnnouncement/healthOverviews`;

    // Act
    const anonymous = await call(health);
    const withAppToken = await call(health, {
      headers: { authorization: `Bearer ${appToken.access_token}` },
    });
    const withGraphToken = await json(health, {
      headers: { authorization: `Bearer ${graphToken.access_token}` },
    });

    // Assess
    expect(appToken).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(decodeJwt(String(appToken.access_token))).toMatchObject({
      tid: tenantId,
      ver: "2.0",
      azp: entraStandInDefaults.client.clientId,
    });
    expect(anonymous.status).toBe(401);
    expect(withAppToken.status).toBe(401);
    expect(withGraphToken.value).toContainEqual({
      service: "Microsoft Entra",
      status: "serviceOperational",
      id: "OrgLiveID",
    });
  });
});
