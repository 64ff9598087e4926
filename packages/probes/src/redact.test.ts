import { describe, expect, it } from "vitest";
import { redact } from "./redact.js";

describe("message redaction", () => {
  it("removes the probe's secrets, JWTs and credentials after an auth scheme", () => {
    // Prepare
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const message = `rejected s3cr3t-value with Bearer abcdefghijkl and ${jwt}`;

    // Act
    const safe = redact(message, ["s3cr3t-value"]);

    // Assess
    expect(safe).toBe("rejected [redacted] with Bearer [redacted] and [redacted]");
  });

  it("keeps messages short", () => {
    expect(redact("x".repeat(1000), []).length).toBeLessThanOrEqual(300);
  });
});
