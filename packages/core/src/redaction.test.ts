import { describe, expect, it } from "vitest";
import { createRedactor, minimumSecretLength, secretRefsOf, shapesOnlyRedactor } from "./redaction.js";
import { testConfigInput } from "./testing.js";

// A client secret with the characters that every encoding changes: space, slash, plus, quote, tilde.
const secret = 'Qz7 wR/k+p"x~9!';
const redactor = createRedactor([secret]);

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

function base64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

describe("the redactor removes a secret in every form it leaves in", () => {
  const forms: Array<[string, string]> = [
    ["raw", secret],
    ["URL-encoded (encodeURIComponent)", encodeURIComponent(secret)],
    [
      "URL-encoded with lower-case hex",
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase()),
    ],
    [
      "form-encoded (+ for space)",
      new URLSearchParams({ client_secret: secret }).toString().slice("client_secret=".length),
    ],
    ["base64", base64(secret)],
    ["base64 without padding", base64(secret).replace(/=+$/, "")],
    ["URL-safe base64", base64Url(secret)],
    ["base64 of the URL-encoded secret", base64(encodeURIComponent(secret))],
    ["JSON-escaped", JSON.stringify(secret).slice(1, -1)],
    ["JSON with \\/ escapes", JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/")],
    [
      "JSON with \\u escapes",
      secret.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    ],
  ];
  for (const [name, form] of forms) {
    it(`${name}`, () => {
      // Prepare
      const line = `POST /token failed: 401 {"echo":"grant_type=client_credentials&client_secret=${form}&scope=x"}`;

      // Act
      const safe = redactor.text(line);

      // Assess
      expect(safe).not.toContain(form);
      expect(safe).toContain("[redacted]");
      expect(safe).toContain("grant_type=client_credentials");
    });
  }

  it("base64 inside a Basic credential (RFC 6749 §2.3.1), at each of the three byte offsets", () => {
    for (const id of ["a", "ab", "abc", "0oa1b2c3d4"]) {
      // Prepare
      const credential = base64(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`);
      const line = `request headers: {"authorization":"Basic ${credential}"} (no scheme word here: ${credential})`;

      // Act
      const safe = redactor.text(line);

      // Assess
      expect(safe).not.toContain(credential);
      expect(safe).not.toContain(credential.slice(4, -4));
    }
  });

  it("keeps what is not a secret, and the structure of a value", () => {
    // Prepare
    const notice = {
      site: "acme",
      reasons: [`token ${secret} refused`, "timeout"],
      attempts: 3,
      at: new Date(0),
    };

    // Act
    const safe = redactor.value(notice);

    // Assess
    expect(safe).toEqual({
      site: "acme",
      reasons: ["token [redacted] refused", "timeout"],
      attempts: 3,
      at: new Date(0),
    });
    expect(notice.reasons[0]).toContain(secret);
    const untouched = { site: "acme", reasons: ["timeout"] };
    expect(redactor.value(untouched)).toBe(untouched);
  });

  it("removes secrets from an error's message and its cause", () => {
    // Prepare
    const error = new Error(`rejected ${secret}`, { cause: new Error(`body ${encodeURIComponent(secret)}`) });
    error.name = "TokenError";

    // Act
    const safe = redactor.value({ error }).error;

    // Assess
    expect(safe.name).toBe("TokenError");
    expect(safe.message).toBe("rejected [redacted]");
    expect(String((safe.cause as Error).message)).toBe("body [redacted]");
    expect(safe.stack).not.toContain(secret);
  });
});

describe("a redactor of many secrets", () => {
  it("finds each of a thousand secrets, and a secret with no six letters or digits in a row", () => {
    // Prepare
    const many = Array.from({ length: 1000 }, (_, i) => `site-${i}-secret/${(i * 7919).toString(36)}+key`);
    const punctuation = "!@#$%^&*()_+ab";
    const redactor = createRedactor([...many, punctuation]);

    // Act
    const lines = [...many, punctuation].map((secret) =>
      redactor.text(`x=${encodeURIComponent(secret)}&y=1`),
    );

    // Assess
    expect(lines.filter((line) => line !== "x=[redacted]&y=1")).toEqual([]);
  });
});

describe("credential shapes are removed whatever their value", () => {
  it("a JWT, a PEM private key and what follows an auth scheme", () => {
    // Prepare
    const line = [
      "Authorization: SSWS 00abcdefghijklmnopqrstuvwxyz",
      "Bearer abcdefgh12345678",
      "DPoP abcdefgh12345678",
      "id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
      "-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----",
    ].join(" ");

    // Act
    const safe = shapesOnlyRedactor.text(line);

    // Assess
    expect(safe).toBe(
      "Authorization: SSWS [redacted] Bearer [redacted] DPoP [redacted] id_token=[redacted] [redacted]",
    );
  });
});

describe("what is not a secret", () => {
  it(`values shorter than ${minimumSecretLength} characters are not redacted (they would garble every line)`, () => {
    // Prepare
    const short = "x".repeat(minimumSecretLength - 1);

    // Act
    const safe = createRedactor([short, undefined, ""]).text(`value ${short}`);

    // Assess
    expect(safe).toBe(`value ${short}`);
  });
});

describe("the secret references of a config", () => {
  it("are found by their field names, at any depth, in the deployment and its sites", () => {
    // Prepare
    const config = {
      ...testConfigInput(),
      alerting: {
        slack: { channel: "#x", botTokenRef: "BOT", signingSecretRef: "SIGN" },
        webhooks: [{ name: "siem", url: "https://siem.example.com", secretRef: "HOOK" }],
        pagerduty: { routingKeyRef: "PD_KEY" },
      },
      sites: [{ alerting: { teams: { webhookUrlRef: "TEAMS_URL" } } }],
    };

    // Act
    const refs = secretRefsOf(config);

    // Assess
    expect(refs).toEqual(expect.arrayContaining(["BOT", "SIGN", "HOOK", "PD_KEY", "TEAMS_URL"]));
  });
});
