import { exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectKeySet } from "./key-set.js";

let rsa: Record<string, unknown>;
let ec: Record<string, unknown>;

beforeAll(async () => {
  rsa = { ...(await exportJWK((await generateKeyPair("RS256")).publicKey)), kid: "rsa-1" };
  ec = { ...(await exportJWK((await generateKeyPair("ES256")).publicKey)), kid: "ec-1" };
});

describe("key set inspection", () => {
  it("counts RSA keys without alg (Microsoft) and EC keys as usable", async () => {
    // Act
    const report = await inspectKeySet({ keys: [{ ...rsa, use: "sig" }, ec] });

    // Assess
    expect(report).toMatchObject({ keys: 2, usable: ["rsa-1", "ec-1"], problems: [] });
  });

  it("passes over encryption keys and keys without a kid", async () => {
    // Act
    const report = await inspectKeySet({
      keys: [
        { ...rsa, use: "enc" },
        { ...ec, kid: undefined },
      ],
    });

    // Assess
    expect(report.usable).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.skipped).toHaveLength(2);
  });

  it("reports broken signing keys even next to a good one", async () => {
    // Act
    const report = await inspectKeySet({
      keys: [
        rsa,
        { kty: "RSA", kid: "no-modulus", e: "AQAB" },
        { kty: "oct", kid: "shared", k: "c2VjcmV0" },
        { ...rsa, alg: "HS256", kid: "hmac" },
        { ...rsa },
        "not-a-key",
      ],
    });

    // Assess
    expect(report.usable).toEqual(["rsa-1"]);
    expect(report.problems).toHaveLength(5);
    expect(report.problems.join(" | ")).toMatch(
      /no-modulus.*malformed.*symmetric.*HS256.*duplicate kid.*not an object/,
    );
  });

  it("reports a document without a keys array", async () => {
    // Act
    const report = await inspectKeySet({ key: [] });

    // Assess
    expect(report.problems).toEqual(["not a JWK set (no keys array)"]);
  });
});
