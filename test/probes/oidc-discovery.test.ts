import { probeResultSchema } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { entraProvider, oktaProvider, probe, tenantId, useIdps } from "./support.js";

const idps = useIdps();

describe("oidc-discovery probe", () => {
  it("passes on an Okta custom authorization server whose issuer matches", async () => {
    // Prepare
    const provider = oktaProvider(idps);

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider });

    // Assess
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      attempts: 1,
      kind: "oidc-discovery",
      probe: "oidc-discovery",
    });
    expect(result.error).toBeUndefined();
    expect(probeResultSchema.safeParse(result).success).toBe(true);
  });

  it("passes on the Okta org authorization server", async () => {
    // Prepare
    const provider = { id: "okta", kind: "okta" as const, issuer: idps.okta.issuer() };

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("passes on Entra v2.0 discovery for the tenant", async () => {
    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: entraProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it("accepts Microsoft's {tenantid} issuer template on the multi-tenant endpoint", async () => {
    // Prepare
    const url = `${idps.entra.url}/common/v2.0/.well-known/openid-configuration`;
    const provider = { id: "entra", kind: "entra" as const, issuer: idps.entra.issuer(tenantId) };

    // Act
    const result = await probe(idps, { kind: "oidc-discovery", url }, { provider });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("derives the expected issuer from the URL when none is configured", async () => {
    // Prepare
    const url = `${idps.okta.issuer("default")}/.well-known/openid-configuration`;

    // Act
    const result = await probe(idps, { kind: "oidc-discovery", url });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("fails as content when the document names another issuer", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "wrong-issuer" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, error: { class: "content" } });
    expect(result.error?.message).toContain("issuer");
  });

  it("fails as content when the document is not JSON", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "bad-json" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: entraProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("not valid JSON");
  });

  it("fails as content when an endpoint a login needs is missing", async () => {
    // Prepare: a JSON document that is not a discovery document (the org's well-known metadata).
    const url = `${idps.okta.url}/.well-known/okta-organization`;

    // Act
    const result = await probe(idps, { kind: "oidc-discovery", url }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toMatch(/has no (issuer|authorization_endpoint)/);
  });

  it("fails as http-5xx after the confirm retries when the IdP answers 503", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 503, attempts: 2, error: { class: "http-5xx" } });
  });

  it("fails as http-4xx for an authorization server that does not exist", async () => {
    // Act
    const result = await probe(
      idps,
      { kind: "oidc-discovery" },
      { provider: oktaProvider(idps, "ausNoSuchServer") },
    );

    // Assess
    expect(result).toMatchObject({ ok: false, status: 404, error: { class: "http-4xx" } });
  });

  it("reports a 429 as upstream, without retrying into the rate limit", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "rate-limited" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 429, attempts: 1, error: { class: "upstream" } });
  });

  it("fails as tcp when the connection is refused", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "refused" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("tcp");
    expect(result.error?.message).toContain("refused");
  });

  it("fails as tcp when the connection is reset mid-request", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "reset" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("tcp");
  });

  it("fails as timeout when the IdP accepts the request and never answers", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "hang" });

    // Act
    const result = await probe(
      idps,
      { kind: "oidc-discovery", timeoutMs: 300 },
      { provider: oktaProvider(idps) },
    );

    // Assess
    expect(result).toMatchObject({ ok: false, attempts: 2, error: { class: "timeout" } });
  });

  it("reports a correct but late answer as slow, and does not retry it", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "slow", latencyMs: 700 });

    // Act
    const result = await probe(
      idps,
      { kind: "oidc-discovery", slowMs: 300 },
      { provider: oktaProvider(idps) },
    );

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, attempts: 1, error: { class: "slow" } });
    expect(result.latencyMs).toBeGreaterThan(300);
  });

  it("fails as tls when the server certificate has expired", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "tls-expired" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("tls");
    expect(result.error?.message).toContain("CERT_HAS_EXPIRED");
  });

  it("fails as tls when the certificate names another host", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "tls-wrong-host" });

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("tls");
  });

  it("fails as tls when the server's CA is not trusted", async () => {
    // Act: no extra CA, so the test CA is unknown.
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps), ca: "" });

    // Assess
    expect(result.error?.class).toBe("tls");
  });

  it("fails as dns when the IdP's name does not resolve", async () => {
    // Prepare
    const provider = {
      id: "okta",
      kind: "okta" as const,
      issuer: "https://idp-failover-probe-test.invalid/oauth2/default",
    };

    // Act
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider });

    // Assess
    expect(result.error?.class).toBe("dns");
  });

  it("stays healthy when a fault hits only another probe kind", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", probes: ["jwks"] });

    // Act: a fault on another probe kind leaves discovery alone.
    const result = await probe(idps, { kind: "oidc-discovery" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.ok).toBe(true);
  });
});
