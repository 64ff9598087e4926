import { describe, expect, it } from "vitest";
import { failure, probe, probeCases, tenantId, useIdps } from "./support.js";

const idps = useIdps();
const jwks = { kind: "jwks" } as const;

describe("jwks probe", () => {
  it("works alone from an explicit URL, without an issuer or discovery", async () => {
    // Prepare
    const url = `${idps.entra.url}/${tenantId}/discovery/v2.0/keys`;

    // Act
    const result = await probe(idps, { kind: "jwks", url });

    // Assess
    expect(result.ok).toBe(true);
    expect(idps.entra.requests.at(-1)?.surface).toBe("jwks");
  });

  probeCases(idps, { idp: "okta", spec: jwks }, [
    ["passes on Okta's key set, found through discovery", {}, { ok: true, status: 200, attempts: 1 }],
    [
      "passes on Microsoft's key set, whose keys have no alg but an x5c",
      { idp: "entra" },
      { ok: true, status: 200 },
    ],
    [
      "fails as content when the key set is not JSON",
      { fault: { mode: "bad-json", probes: ["jwks"] } },
      failure("content"),
    ],
    [
      "fails as content when the key set is empty",
      { fault: { mode: "empty-jwks" } },
      failure("content", { message: "no usable signing key" }),
    ],
    [
      "fails as content when a published signing key is malformed",
      { idp: "entra", fault: { mode: "malformed-jwks" } },
      failure("content", { message: "malformed" }),
    ],
    [
      "reports a failed discovery with the discovery's own class, not as a key problem",
      { fault: { mode: "http-5xx", probes: ["oidc-discovery"] } },
      failure("http-5xx", { message: /^discovery: / }),
    ],
    [
      "fails as http-5xx when the key set endpoint itself fails",
      { idp: "entra", fault: { mode: "http-5xx", probes: ["jwks"], status: 500 } },
      failure("http-5xx", { status: 500, attempts: 2 }),
    ],
    [
      "fails as timeout when the key set never arrives",
      { fault: { mode: "hang", probes: ["jwks"] }, spec: { ...jwks, timeoutMs: 300 } },
      failure("timeout"),
    ],
  ]);
});
