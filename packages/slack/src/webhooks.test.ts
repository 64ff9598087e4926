import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { useVerifierDate } from "../../../test/support/verifier-date.js";
import { sampleNotification } from "./webhook-samples.js";
import { signedWebhookHeaders, signingKeys, webhookBody } from "./webhooks.js";

/*
 * Standard Webhooks signatures, checked with the project's own verifier (the `standardwebhooks`
 * package), as a receiver would: the real thing, not our reading of the spec.
 */

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const sentAt = Date.parse("2026-03-02T09:01:00.000Z");
const intent = sampleNotification("failed-over", sentAt);

useVerifierDate(sentAt);

function signed(keys = signingKeys(secret)) {
  if (!keys.ok) throw new Error(keys.problem);
  const body = webhookBody(intent);
  return { body, headers: signedWebhookHeaders(keys.keys, intent, Math.floor(sentAt / 1000), body) };
}

describe("Standard Webhooks signing", () => {
  it("is accepted by the standardwebhooks verifier, with the intent id as webhook-id", () => {
    // Act
    const { body, headers } = signed();
    // Assess
    expect(new Webhook(secret).verify(body, headers)).toEqual({ schemaVersion: 1, ...intent });
    expect(headers["webhook-id"]).toBe(intent.id);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("fails verification for a tampered body, a tampered id, another secret or a stale timestamp", () => {
    // Prepare
    const { body, headers } = signed();
    const verifier = new Webhook(secret);
    // Act, Assess
    expect(() => verifier.verify(body.replace("entra", "okta!"), headers)).toThrow(/signature/);
    expect(() => verifier.verify(body, { ...headers, "webhook-id": "example:13:failed-over" })).toThrow(
      /signature/,
    );
    expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(body, headers)).toThrow();
    vi.setSystemTime(sentAt + 301_000);
    expect(() => verifier.verify(body, headers)).toThrow(/too old/);
  });

  it("signs with both secrets during a rotation, so either verifies", () => {
    // Prepare
    const next = `whsec_${randomBytes(32).toString("base64")}`;
    // Act
    const { body, headers } = signed(signingKeys(`${secret} ${next}`));
    // Assess
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(next).verify(body, headers)).toBeTruthy();
  });

  it("refuses a secret that is not whsec_ and base64 of 24 to 64 bytes, without quoting it", () => {
    for (const value of [
      "hunter2-plain-text",
      "whsec_not base64!",
      `whsec_${randomBytes(8).toString("base64")}`,
      "",
    ]) {
      const keys = signingKeys(value);
      expect(keys.ok, value).toBe(false);
      if (value) expect(!keys.ok && keys.problem).not.toContain(value);
    }
  });
});
