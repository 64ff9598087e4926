import type { NotificationIntent } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature, webhookBody } from "./webhooks.js";

// Computed with `openssl dgst -sha256 -hmac whsec-own-vector` over "1767225600.{body}".
const vector = {
  secret: "whsec-own-vector",
  timestamp: 1767225600,
  body: '{"schemaVersion":1,"id":"example:7:failed-over"}',
  signature: "v1=942fe616bcf59367bf101853ba6ded35d8710586ba18ba082c95c20d368168e6",
};

describe("webhook signatures", () => {
  it("signs HMAC-SHA256 over timestamp, a dot and the body, as docs/webhooks.md says", () => {
    expect(signWebhook(vector.secret, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it("verifies within five minutes of the receiver's clock and not beyond", () => {
    const request = {
      secret: vector.secret,
      rawBody: vector.body,
      timestamp: String(vector.timestamp),
      signature: vector.signature,
    };
    expect(verifyWebhookSignature({ ...request, nowSeconds: vector.timestamp + 300 })).toBe(true);
    expect(verifyWebhookSignature({ ...request, nowSeconds: vector.timestamp + 301 })).toBe(false);
    expect(verifyWebhookSignature({ ...request, nowSeconds: vector.timestamp - 301 })).toBe(false);
  });

  it("accepts any one matching v1 value, so a secret can be rotated", () => {
    const other = signWebhook("the-next-secret", vector.timestamp, vector.body);
    const request = {
      secret: vector.secret,
      rawBody: vector.body,
      timestamp: String(vector.timestamp),
      nowSeconds: vector.timestamp,
    };
    expect(verifyWebhookSignature({ ...request, signature: `${other}, ${vector.signature}` })).toBe(true);
    expect(verifyWebhookSignature({ ...request, signature: other })).toBe(false);
    expect(verifyWebhookSignature({ ...request, signature: vector.signature.replace("v1=", "v0=") })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature({ ...request, rawBody: `${vector.body} `, signature: vector.signature }),
    ).toBe(false);
  });

  it("sends the intent itself with a schema version", () => {
    const intent: NotificationIntent = {
      id: "example:3:monitor-restored",
      site: "example",
      at: "2026-03-02T09:00:00.000Z",
      kind: "monitor-restored",
      provider: "okta",
    };
    expect(JSON.parse(webhookBody(intent))).toEqual({ schemaVersion: 1, ...intent });
  });
});
