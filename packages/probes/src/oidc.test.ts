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
  const valid = {
    issuer: "https://x.example",
    authorization_endpoint: "https://x.example/a",
    token_endpoint: "https://x.example/t",
    jwks_uri: "https://x.example/k",
  };
  const { token_endpoint: _, ...withoutToken } = valid;

  it.each([
    {
      name: "names the first missing endpoint a login needs",
      doc: withoutToken,
      error: "discovery document has no token_endpoint",
    },
    {
      name: "rejects an endpoint that is not an absolute URL",
      doc: { ...valid, authorization_endpoint: "/authorize" },
      error: /authorization_endpoint/,
    },
    {
      name: "tells a field of the wrong type from a missing one",
      doc: { ...valid, issuer: 42 },
      error: "discovery document: issuer Invalid input: expected string, received number",
    },
    {
      name: "says what is wrong with a field in zod's English words",
      doc: { ...valid, issuer: "" },
      error: "discovery document: issuer Too small: expected string to have >=1 characters",
    },
  ])("$name", ({ doc, error }) => {
    // Act
    const parse = () => parseDiscovery(doc);

    // Assess
    expect(parse).toThrow(ProbeFailure);
    expect(parse).toThrow(error);
  });

  it("reads a document with every endpoint a login needs", () => {
    expect(parseDiscovery(valid)).toMatchObject({ issuer: valid.issuer, jwks_uri: valid.jwks_uri });
  });
});
