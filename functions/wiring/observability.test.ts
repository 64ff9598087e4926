import { createRedactor } from "@idp-failover/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectNoSecretIn, leakedSecret, leakyErrorText } from "../../test/redaction/leaks.js";
import { linkedSecretValues } from "./linked-secrets.js";
import { createLogger } from "./observability.js";

/* What a function's logger prints to CloudWatch: Powertools' JSON, with every secret it holds removed. */

afterEach(() => {
  vi.restoreAllMocks();
});

function printed(): () => string {
  const lines: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(keep);
  vi.spyOn(process.stderr, "write").mockImplementation(keep);
  return () => lines.join("");
}

describe("the function logger", () => {
  it("prints no form of a linked secret: in the message, the attributes, an error and its cause", () => {
    // Prepare
    const linked = {
      IdpFailover: { config: {}, home: { region: "us-east-1" } },
      OktaProbeClientSecret: { value: leakedSecret },
      HomeTable: { name: "idp-failover" },
    };
    const redactor = createRedactor(linkedSecretValues(linked));
    const output = printed();
    const logger = createLogger(() => redactor);
    const leak = leakyErrorText();

    // Act
    logger.info(`token request answered: ${leak}`);
    logger.error("token request failed", {
      body: leak,
      nested: { attempts: [leak] },
      error: new Error(leak, { cause: new Error(leak) }),
    });

    // Assess
    const text = output();
    expect(text).toContain("token request failed");
    expect(text).toContain("[redacted]");
    expectNoSecretIn(text);
  });
});
