import { probeResultSchema } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { failure, oktaProvider, probe, probeCases, tenantId, useIdps } from "./support.js";

const idps = useIdps();
const discovery = { kind: "oidc-discovery" } as const;

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

  it("fails as content when an endpoint a login needs is missing", async () => {
    // Prepare: a JSON document that is not a discovery document (the org's well-known metadata).
    const url = `${idps.okta.url}/.well-known/okta-organization`;

    // Act
    const result = await probe(idps, { kind: "oidc-discovery", url }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toMatch(/has no (issuer|authorization_endpoint)/);
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

  probeCases(idps, { idp: "okta", spec: discovery }, [
    ["passes on Entra v2.0 discovery for the tenant", { idp: "entra" }, { ok: true, status: 200 }],
    [
      "fails as content when the document names another issuer",
      { fault: { mode: "wrong-issuer" } },
      failure("content", { message: "issuer", status: 200 }),
    ],
    [
      "fails as content when the document is not JSON",
      { idp: "entra", fault: { mode: "bad-json" } },
      failure("content", { message: "not valid JSON" }),
    ],
    [
      "fails as http-5xx after the confirm retries when the IdP answers 503",
      { fault: { mode: "http-5xx" } },
      failure("http-5xx", { status: 503, attempts: 2 }),
    ],
    [
      "reports a 429 as upstream, without retrying into the rate limit",
      { fault: { mode: "rate-limited" } },
      failure("upstream", { status: 429, attempts: 1 }),
    ],
    [
      "fails as tcp when the connection is refused",
      { fault: { mode: "refused" } },
      failure("tcp", { message: "refused" }),
    ],
    ["fails as tcp when the connection is reset mid-request", { fault: { mode: "reset" } }, failure("tcp")],
    [
      "fails as timeout when the IdP accepts the request and never answers",
      { fault: { mode: "hang" }, spec: { ...discovery, timeoutMs: 300 } },
      failure("timeout", { attempts: 2 }),
    ],
    [
      "fails as tls when the server certificate has expired",
      { fault: { mode: "tls-expired" } },
      failure("tls", { message: "CERT_HAS_EXPIRED" }),
    ],
    [
      "fails as tls when the certificate names another host",
      { fault: { mode: "tls-wrong-host" } },
      failure("tls"),
    ],
    [
      "stays healthy when a fault hits only another probe kind",
      { fault: { mode: "http-5xx", probes: ["jwks"] } },
      { ok: true },
    ],
  ]);
});
