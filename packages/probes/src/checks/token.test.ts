import { describe, expect, it } from "vitest";
import { acceptedIssuers } from "./token.js";

describe("accepted token issuers", () => {
  it("accepts Entra's v1.0 issuer for the same tenant", () => {
    // Act
    const issuers = acceptedIssuers(
      { kind: "entra", issuer: "https://login.microsoftonline.com/tid-1/v2.0" },
      undefined,
    );

    // Assess
    expect(issuers).toContain("https://login.microsoftonline.com/tid-1/v2.0");
    expect(issuers).toContain("https://sts.windows.net/tid-1/");
  });

  it("accepts only the configured issuer elsewhere", () => {
    // Act
    const issuers = acceptedIssuers(
      { kind: "okta", issuer: "https://example.okta.com/oauth2/default" },
      undefined,
    );

    // Assess
    expect(issuers.every((i) => i.startsWith("https://example.okta.com/oauth2/default"))).toBe(true);
  });
});
