import { describe, expect, it } from "vitest";
import { discoveryUrlOf, issuerMatches, issuerOfDiscoveryUrl, parseDiscovery } from "./oidc.js";
import { ProbeFailure } from "./probe-failure.js";

describe("issuer comparison", () => {
  it("matches identical issuers and tolerates a trailing slash", () => {
    expect(
      issuerMatches("https://example.okta.com/oauth2/default", "https://example.okta.com/oauth2/default"),
    ).toBe(true);
    expect(issuerMatches("https://example.okta.com/", "https://example.okta.com")).toBe(true);
  });

  it("tells apart authorization servers of the same org", () => {
    expect(issuerMatches("https://example.okta.com/oauth2/default", "https://example.okta.com")).toBe(false);
    expect(
      issuerMatches("https://example.okta.com/oauth2/aus1", "https://example.okta.com/oauth2/default"),
    ).toBe(false);
  });

  it("fills Microsoft's {tenantid} template with exactly one path segment", () => {
    const template = "https://login.microsoftonline.com/{tenantid}/v2.0";
    expect(issuerMatches(template, "https://login.microsoftonline.com/0000-tenant/v2.0")).toBe(true);
    expect(issuerMatches(template, "https://login.microsoftonline.com/a/b/v2.0")).toBe(false);
    expect(issuerMatches(template, "https://evil.example.com/0000-tenant/v2.0")).toBe(false);
  });
});

describe("discovery URLs", () => {
  it("appends and strips the well-known suffix", () => {
    expect(discoveryUrlOf("https://example.okta.com/oauth2/default/")).toBe(
      "https://example.okta.com/oauth2/default/.well-known/openid-configuration",
    );
    expect(issuerOfDiscoveryUrl("https://x.example/t/v2.0/.well-known/openid-configuration")).toBe(
      "https://x.example/t/v2.0",
    );
  });
});

describe("discovery document", () => {
  it("names the first missing endpoint a login needs", () => {
    // Prepare
    const doc = {
      issuer: "https://x.example",
      authorization_endpoint: "https://x.example/a",
      jwks_uri: "https://x.example/k",
    };

    // Act
    const parse = () => parseDiscovery(doc);

    // Assess
    expect(parse).toThrow(ProbeFailure);
    expect(parse).toThrow("discovery document has no token_endpoint");
  });

  it("rejects an endpoint that is not an absolute URL", () => {
    // Prepare
    const doc = {
      issuer: "https://x.example",
      authorization_endpoint: "/authorize",
      token_endpoint: "https://x.example/t",
      jwks_uri: "https://x.example/k",
    };

    // Act / Assess
    expect(() => parseDiscovery(doc)).toThrow(/authorization_endpoint/);
  });

  it("tells a field of the wrong type from a missing one", () => {
    // Prepare
    const doc = {
      issuer: 42,
      authorization_endpoint: "https://x.example/a",
      token_endpoint: "https://x.example/t",
      jwks_uri: "https://x.example/k",
    };

    // Act / Assess
    expect(() => parseDiscovery(doc)).toThrow(
      "discovery document: issuer Invalid input: expected string, received number",
    );
  });

  it("says what is wrong with a field in zod's English words", () => {
    // Prepare
    const doc = {
      issuer: "",
      authorization_endpoint: "https://x.example/a",
      token_endpoint: "https://x.example/t",
      jwks_uri: "https://x.example/k",
    };

    // Act / Assess
    expect(() => parseDiscovery(doc)).toThrow(
      "discovery document: issuer Too small: expected string to have >=1 characters",
    );
  });
});
