import { describe, expect, it } from "vitest";
import { probe, useIdps } from "./support.js";

const idps = useIdps();

function orgMetadataUrl(): string {
  return `${idps.okta.url}/.well-known/okta-organization`;
}

describe("http probe", () => {
  it("passes on the expected status", async () => {
    // Act
    const result = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
    });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "http" });
  });

  it("passes when an expected 401 comes back from an endpoint that needs credentials", async () => {
    // Act
    const result = await probe(idps, {
      kind: "http",
      url: `${idps.okta.url}/api/v1/org`,
      method: "GET",
      expectStatus: [401],
    });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 401 });
  });

  it("fails as http-4xx on an unexpected client error", async () => {
    // Act
    const result = await probe(idps, {
      kind: "http",
      url: `${idps.okta.url}/no/such/page`,
      method: "GET",
      expectStatus: [200],
    });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 404, error: { class: "http-4xx" } });
  });

  it("checks the body against a regular expression", async () => {
    // Act
    const matching = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
      bodyRegex: '"pipeline":"idx"',
    });
    const failing = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
      bodyRegex: "maintenance",
    });

    // Assess
    expect(matching.ok).toBe(true);
    expect(failing.error?.class).toBe("content");
  });

  it("asserts a JSON path's value", async () => {
    // Act
    const matching = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
      jsonPath: "$.settings.bugReportingEnabled",
      jsonEquals: true,
    });
    const failing = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
      jsonPath: "$.pipeline",
      jsonEquals: "v1",
    });

    // Assess
    expect(matching.ok).toBe(true);
    expect(failing.error).toMatchObject({ class: "content", message: '$.pipeline is "idx", expected "v1"' });
  });

  it("fails as http-5xx and as tcp for an outage and a reset", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "http-5xx", status: 502 });
    const outage = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
    });
    await idps.okta.setFault({ mode: "reset" });

    // Act
    const reset = await probe(idps, {
      kind: "http",
      url: orgMetadataUrl(),
      method: "GET",
      expectStatus: [200],
    });

    // Assess
    expect(outage).toMatchObject({ status: 502, error: { class: "http-5xx" } });
    expect(reset.error?.class).toBe("tcp");
  });
});
