import { describe, expect, it } from "vitest";
import { entraProvider, oktaProvider, probe, tenantId, useIdps } from "./support.js";

const idps = useIdps();

describe("jwks probe", () => {
  it("passes on Okta's key set, found through discovery", async () => {
    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 1 });
  });

  it("passes on Microsoft's key set, whose keys have no alg but an x5c", async () => {
    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: entraProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it("works alone from an explicit URL, without an issuer or discovery", async () => {
    // Prepare
    const url = `${idps.entra.url}/${tenantId}/discovery/v2.0/keys`;

    // Act
    const result = await probe(idps, { kind: "jwks", url });

    // Assess
    expect(result.ok).toBe(true);
    expect(idps.entra.requests.at(-1)?.surface).toBe("jwks");
  });

  it("fails as content when the key set is empty", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "empty-jwks" });

    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, error: { class: "content" } });
    expect(result.error?.message).toContain("no usable signing key");
  });

  it("fails as content when a published signing key is malformed", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "malformed-jwks" });

    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: entraProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("malformed");
  });

  it("fails as content when the key set is not JSON", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "bad-json", probes: ["jwks"] });

    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("content");
  });

  it("reports a failed discovery with the discovery's own class, not as a key problem", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", probes: ["oidc-discovery"] });

    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("http-5xx");
    expect(result.error?.message).toMatch(/^discovery: /);
  });

  it("fails as http-5xx when the key set endpoint itself fails", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "http-5xx", probes: ["jwks"], status: 500 });

    // Act
    const result = await probe(idps, { kind: "jwks" }, { provider: entraProvider(idps) });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 500, attempts: 2, error: { class: "http-5xx" } });
  });

  it("fails as timeout when the key set never arrives", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "hang", probes: ["jwks"] });

    // Act
    const result = await probe(idps, { kind: "jwks", timeoutMs: 300 }, { provider: oktaProvider(idps) });

    // Assess
    expect(result.error?.class).toBe("timeout");
  });
});
