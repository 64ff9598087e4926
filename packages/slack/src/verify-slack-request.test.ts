import * as slackPackage from "@idp-failover/slack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signSlackRequest, slackRequestProblem, verifySlackRequest } from "./verify-slack-request.js";

// Slack's own example request (docs.slack.dev, "Verifying requests from Slack").
const slackExample = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  rawBody:
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

// Our own vectors, computed with `openssl dgst -sha256 -hmac` (not with this code).
const ownVectors = [
  {
    signingSecret: "own-vector-secret-1",
    timestamp: "1767225600",
    rawBody: "payload=%7B%22type%22%3A%22block_actions%22%7D",
    signature: "v0=3d47daf38c0fee01be819d37f0b222e98fca97d7ecc2be1041bb6366df39f1fa",
  },
  {
    signingSecret: "own-vector-secret-1",
    timestamp: "1767225600",
    rawBody: "",
    signature: "v0=f98719a38ea6d9e886fa74b2f62071ca6c0dadfee7df01961da7349b6791aeb1",
  },
  {
    signingSecret: "ünïcode-secret",
    timestamp: "1700000000",
    rawBody: "héllo=wörld",
    signature: "v0=68090cfd04635e1a39c2791b3a24e071b34ccd6dc640075d97eb593ba4743ab1",
  },
];

describe("verifySlackRequest", () => {
  it("accepts Slack's documented example request", () => {
    // Prepare
    const nowSeconds = Number(slackExample.timestamp) + 30;
    // Act
    const valid = verifySlackRequest({ ...slackExample, nowSeconds });
    // Assess
    expect(valid).toBe(true);
  });

  it("is exported from the package entry, for handlers that import it by the package's name", () => {
    expect(slackPackage.verifySlackRequest).toBe(verifySlackRequest);
  });

  it("accepts independently computed vectors, including an empty body and UTF-8 text", () => {
    for (const vector of ownVectors) {
      expect(verifySlackRequest({ ...vector, nowSeconds: Number(vector.timestamp) })).toBe(true);
      expect(
        verifySlackRequest({
          ...vector,
          rawBody: Buffer.from(vector.rawBody, "utf8"),
          nowSeconds: Number(vector.timestamp),
        }),
      ).toBe(true);
    }
  });

  it("rejects the example when any part of it changes", () => {
    const now = Number(slackExample.timestamp);
    const variants = [
      { ...slackExample, rawBody: `${slackExample.rawBody}&extra=1` },
      { ...slackExample, rawBody: slackExample.rawBody.replace("U2CERLKJA", "U2CERLKJB") },
      { ...slackExample, signingSecret: "8f742231b10e8888abcd99yyyzzz85a6" },
      { ...slackExample, timestamp: "1531420619" },
      { ...slackExample, signature: slackExample.signature.replace(/.$/, "4") },
    ];
    for (const variant of variants) {
      expect(slackRequestProblem({ ...variant, nowSeconds: now })).toBe("signature-mismatch");
    }
  });

  it("rejects a request more than five minutes away from our clock, either way", () => {
    const ts = Number(slackExample.timestamp);
    expect(verifySlackRequest({ ...slackExample, nowSeconds: ts + 300 })).toBe(true);
    expect(verifySlackRequest({ ...slackExample, nowSeconds: ts - 300 })).toBe(true);
    expect(slackRequestProblem({ ...slackExample, nowSeconds: ts + 301 })).toBe("stale-timestamp");
    expect(slackRequestProblem({ ...slackExample, nowSeconds: ts - 301 })).toBe("stale-timestamp");
  });

  it("names what is wrong with a malformed request without throwing", () => {
    const now = Number(slackExample.timestamp);
    const cases: Array<[Partial<typeof slackExample> & { timestamp?: string; signature?: string }, string]> =
      [
        [{ timestamp: "" }, "missing-timestamp"],
        [{ timestamp: "1531420618.5" }, "malformed-timestamp"],
        [{ timestamp: "-1531420618" }, "malformed-timestamp"],
        [{ signature: "" }, "missing-signature"],
        [{ signature: slackExample.signature.replace("v0=", "v1=") }, "malformed-signature"],
        [{ signature: slackExample.signature.slice(0, 40) }, "malformed-signature"],
        [{ signature: `${slackExample.signature}00` }, "malformed-signature"],
        [
          { signature: "v0=zz14d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" },
          "malformed-signature",
        ],
        [{ signingSecret: "" }, "no-signing-secret"],
      ];
    for (const [change, problem] of cases) {
      expect(slackRequestProblem({ ...slackExample, ...change, nowSeconds: now })).toBe(problem);
    }
    expect(slackRequestProblem({ ...slackExample, timestamp: undefined, nowSeconds: now })).toBe(
      "missing-timestamp",
    );
    expect(slackRequestProblem({ ...slackExample, signature: undefined, nowSeconds: now })).toBe(
      "missing-signature",
    );
  });

  it("verifies whatever it signs, and nothing with a single byte changed", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.nat(),
        (secret, body, ts, flip) => {
          const signature = signSlackRequest(secret, ts, body);
          expect(
            verifySlackRequest({
              signingSecret: secret,
              rawBody: body,
              timestamp: ts,
              signature,
              nowSeconds: ts,
            }),
          ).toBe(true);
          const bytes = Buffer.from(body, "utf8");
          if (bytes.length === 0) return;
          const i = flip % bytes.length;
          bytes[i] = (bytes[i] ?? 0) ^ 0x01;
          expect(
            verifySlackRequest({
              signingSecret: secret,
              rawBody: bytes,
              timestamp: ts,
              signature,
              nowSeconds: ts,
            }),
          ).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
