import { entraStandInDefaults, oktaStandInDefaults, startEntraStandIn } from "@idp-failover/stand-ins";
import { describe, expect, it } from "vitest";
import { entraProvider, oktaProvider, probe, secretValues, tenantId, useIdps } from "./support.js";

const idps = useIdps();

const oktaToken = {
  kind: "token" as const,
  clientId: oktaStandInDefaults.client.clientId,
  clientSecretRef: "OKTA_PROBE_CLIENT_SECRET",
  scope: "idp_failover.probe",
  audience: "api://default",
};

const entraToken = {
  kind: "token" as const,
  clientId: entraStandInDefaults.client.clientId,
  clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
  scope: "api://idp-failover-probe/.default",
  clientAuth: "client_secret_post" as const,
};

describe("token probe", () => {
  it("mints an Okta token with client_secret_basic and verifies it against the key set", async () => {
    // Act
    const result = await probe(idps, oktaToken, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 1, kind: "token" });
  });

  it("authenticates with client_secret_post when the app is registered that way", async () => {
    // Prepare
    const spec = {
      ...oktaToken,
      clientId: "0oa1postclient",
      clientSecretRef: "OKTA_POST_CLIENT_SECRET",
      clientAuth: "client_secret_post" as const,
    };

    // Act
    const result = await probe(idps, spec, { provider: oktaProvider(idps) });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("mints an Entra v2.0 token for a .default scope and verifies it", async () => {
    // Act
    const result = await probe(idps, entraToken, { provider: entraProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it("accepts Entra's v1.0 issuer (sts.windows.net) for APIs that get v1.0 tokens", async () => {
    // Prepare
    const v1 = await startEntraStandIn({ ca: idps.ca, accessTokenVersion: 1 });
    try {
      // Act
      const result = await probe(idps, entraToken, {
        provider: { id: "entra", kind: "entra", issuer: v1.issuer(tenantId) },
      });

      // Assess
      expect(result.ok).toBe(true);
    } finally {
      await v1.close();
    }
  });

  it("fails as content when the token is signed by a key the key set does not publish", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "unknown-kid" });

    // Act
    const result = await probe(idps, oktaToken, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, error: { class: "content" } });
    expect(result.error?.message).toContain("does not publish");
  });

  it("fails as content when the signature does not verify", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "bad-signature" });

    // Act
    const result = await probe(idps, entraToken, { provider: entraProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("signature");
  });

  it("fails as content when the token names another issuer", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "wrong-issuer", probes: ["token"] });

    // Act
    const result = await probe(idps, oktaToken, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("issuer");
  });

  it("fails as content when the audience is not the configured one", async () => {
    // Act
    const result = await probe(
      idps,
      { ...oktaToken, audience: "api://someone-else" },
      { provider: oktaProvider(idps) },
    );

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("audience");
  });

  it("fails as auth when the IdP rejects the client credentials, and never shows the secret", async () => {
    // Act
    const result = await probe(
      idps,
      { ...oktaToken, clientSecretRef: "WRONG_SECRET" },
      { provider: oktaProvider(idps) },
    );

    // Assess
    expect(result).toMatchObject({ ok: false, status: 401, error: { class: "auth" } });
    expect(result.error?.message).toContain("invalid_client");
    expect(JSON.stringify(result)).not.toContain(secretValues.WRONG_SECRET);
  });

  it("names Entra's AADSTS code when Entra rejects the secret", async () => {
    // Act
    const result = await probe(
      idps,
      { ...entraToken, clientSecretRef: "WRONG_SECRET" },
      { provider: entraProvider(idps) },
    );

    // Assess
    expect(result.error?.class).toBe("auth");
    expect(result.error?.message).toContain("AADSTS7000215");
  });

  it("fails as auth without calling the IdP when the secret is not set", async () => {
    // Prepare
    const before = idps.okta.count("token");

    // Act
    const result = await probe(
      idps,
      { ...oktaToken, clientSecretRef: "NOT_SET_ANYWHERE" },
      { provider: oktaProvider(idps) },
    );

    // Assess
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { class: "auth" } });
    expect(result.error?.message).toContain("NOT_SET_ANYWHERE");
    expect(idps.okta.count("token")).toBe(before);
  });

  it("fails as http-4xx for a request the IdP refuses (a scope Entra does not accept)", async () => {
    // Act
    const result = await probe(
      idps,
      { ...entraToken, scope: "api://idp-failover-probe/read" },
      { provider: entraProvider(idps) },
    );

    // Assess
    expect(result).toMatchObject({ status: 400, error: { class: "http-4xx" } });
    expect(result.error?.message).toContain("invalid_scope");
  });

  it("fails as http-5xx when the token endpoint fails while discovery works", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", probes: ["token"] });

    // Act
    const result = await probe(idps, oktaToken, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ status: 503, attempts: 2, error: { class: "http-5xx" } });
  });

  it("reports a throttled token endpoint as upstream", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "rate-limited", probes: ["token"] });

    // Act
    const result = await probe(idps, entraToken, { provider: entraProvider(idps) });

    // Assess
    expect(result).toMatchObject({ status: 429, attempts: 1, error: { class: "upstream" } });
  });

  it("fails as content when the token answer is not JSON", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "bad-json", probes: ["token"] });

    // Act
    const result = await probe(idps, oktaToken, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
  });

  it("explains that a Microsoft Graph token cannot be verified", async () => {
    // Act
    const result = await probe(
      idps,
      { ...entraToken, scope: "https://graph.microsoft.com/.default" },
      { provider: entraProvider(idps) },
    );

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("Graph");
  });

  it("uses an explicit token URL while discovery is down, and still reports discovery's failure class", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", probes: ["oidc-discovery"] });
    const spec = { ...oktaToken, tokenUrl: `${idps.okta.issuer("default")}/v1/token` };

    // Act
    const result = await probe(idps, spec, { provider: oktaProvider(idps) });

    // Assess: the key set is found through discovery, which is down.
    expect(result.error?.class).toBe("http-5xx");
    expect(result.error?.message).toMatch(/^discovery: /);
  });

  it("times out when the token endpoint hangs", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "hang", probes: ["token"] });

    // Act
    const result = await probe(idps, { ...entraToken, timeoutMs: 300 }, { provider: entraProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("timeout");
  });
});
