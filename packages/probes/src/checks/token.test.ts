import type { HttpAnswer, HttpClient } from "@idp-failover/http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { AttemptContext } from "../probe-context.js";
import { createProbeMemory } from "../probe-memory.js";
import { RoundDocuments } from "../round-documents.js";
import { envSecrets } from "../secrets.js";
import { acceptedIssuers, checkToken } from "./token.js";

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

describe("token verification during a key rotation", () => {
  const issuer = "https://idp.example/oauth2/default";
  const tokenUrl = `${issuer}/v1/token`;
  const jwksUrl = `${issuer}/v1/keys`;

  /** An IdP that has just rotated: the first key-set answer predates the key that signs its tokens. */
  async function rotatingIdp(keySetAnswers: number) {
    const oldKey = await generateKeyPair("RS256");
    const newKey = await generateKeyPair("RS256");
    const published = [
      { ...(await exportJWK(oldKey.publicKey)), kid: "old", alg: "RS256", use: "sig" },
      { ...(await exportJWK(newKey.publicKey)), kid: "new", alg: "RS256", use: "sig" },
    ];
    const token = await new SignJWT({ sub: "probe" })
      .setProtectedHeader({ alg: "RS256", kid: "new" })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(newKey.privateKey);
    let keySetFetches = 0;
    const answer = (body: unknown, url: string): HttpAnswer => ({
      status: 200,
      headers: {},
      body: JSON.stringify(body),
      latencyMs: 1,
      url,
    });
    const http: HttpClient = {
      async request(url) {
        if (url === tokenUrl)
          return answer({ access_token: token, token_type: "Bearer", expires_in: 3600 }, url);
        keySetFetches++;
        const keys = keySetFetches >= keySetAnswers ? published : published.slice(0, 1);
        return answer({ keys }, url);
      },
      agentFor() {
        throw new Error("not used");
      },
    };
    const context: AttemptContext = {
      target: { kind: "okta", issuer, jwksUrl },
      secrets: envSecrets({ SECRET: "s3cret" }),
      signal: new AbortController().signal,
      timeoutMs: 1000,
      http,
      documents: new RoundDocuments(http),
      memory: createProbeMemory(),
      now: Date.now,
      attempt: 1,
    };
    return { context, keySetFetches: () => keySetFetches };
  }

  const spec = {
    kind: "token" as const,
    name: "token",
    criticality: "critical" as const,
    tokenUrl,
    clientId: "probe",
    clientSecretRef: "SECRET",
    scope: "probe",
  };

  it("fetches the key set once more when the token's kid is newer than the round's copy", async () => {
    // Prepare
    const idp = await rotatingIdp(2);

    // Act
    const passed = await checkToken(spec, idp.context);

    // Assess
    expect(passed.status).toBe(200);
    expect(idp.keySetFetches()).toBe(2);
  });

  it("fails as content when the fresh key set still lacks the kid", async () => {
    // Prepare
    const idp = await rotatingIdp(Number.POSITIVE_INFINITY);

    // Act
    const check = checkToken(spec, idp.context);

    // Assess
    await expect(check).rejects.toMatchObject({ errorClass: "content" });
    await expect(check).rejects.toThrow("kid new, which the key set does not publish");
    expect(idp.keySetFetches()).toBe(2);
  });
});
