import { describe, expect, it } from "vitest";
import { probe, tenantId, useIdps } from "./support.js";

const idps = useIdps();

describe("saml-metadata probe", () => {
  it("passes on Okta app metadata with a long-lived signing certificate", async () => {
    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.okta.samlMetadataUrl(),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "saml-metadata", criticality: "signal" });
  });

  it("passes on Entra federation metadata (default namespaces, a byte-order mark, two certificates)", async () => {
    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.entra.samlMetadataUrl(tenantId),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("warns as content while the signing certificate expires within the window", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "expiring-cert" });

    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.okta.samlMetadataUrl(),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, attempts: 1, error: { class: "content" } });
    expect(result.error?.message).toMatch(/expires on \d{4}-\d{2}-\d{2} \(in [45] days/);
  });

  it("passes while the expiry is still outside the warning window", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "expiring-cert" });

    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.okta.samlMetadataUrl(),
      expiryWarningDays: 2,
    });

    // Assess
    expect(result.ok).toBe(true);
  });

  it("fails as content when the signing certificate has expired", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "expired-cert" });

    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.entra.samlMetadataUrl(tenantId),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result.error?.class).toBe("content");
    expect(result.error?.message).toContain("expired on");
  });

  it("fails as content when an HTML page comes back instead of metadata", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "bad-json", probes: ["saml-metadata"] });

    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.okta.samlMetadataUrl(),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result.error?.class).toBe("content");
  });

  it("fails as http-5xx when the metadata endpoint fails", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", probes: ["saml-metadata"] });

    // Act
    const result = await probe(idps, {
      kind: "saml-metadata",
      url: idps.okta.samlMetadataUrl(),
      expiryWarningDays: 30,
    });

    // Assess
    expect(result).toMatchObject({ status: 503, error: { class: "http-5xx" } });
  });
});
