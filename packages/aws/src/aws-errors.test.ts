import { describe, expect, it } from "vitest";
import { describeAwsError, isRetryableAwsError, jitteredDelay } from "./aws-errors.js";

/*
 * How an AWS error that outlasted the SDK's own retries is read: worth another try later, or not.
 * The errors are shaped as the SDK throws them (name, $metadata.httpStatusCode, a Node `code`).
 */

function awsError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}),
    ...extra,
  });
}

describe("isRetryableAwsError", () => {
  it.each([
    ["Throttling", awsError("Throttling", 400)],
    ["PriorRequestNotComplete", awsError("PriorRequestNotComplete", 400)],
    ["a 5xx", awsError("InternalError", 500)],
    ["HTTP 429 under any name", awsError("SomethingNew", 429)],
    ["a refused connection", awsError("Error", undefined, { code: "ECONNREFUSED" })],
    ["expired credentials", awsError("ExpiredToken", 403)],
  ])("retries %s", (_what, error) => {
    // Act, Assess
    expect(isRetryableAwsError(error)).toBe(true);
  });

  it.each([
    ["InvalidChangeBatch", awsError("InvalidChangeBatch", 400)],
    ["AccessDenied", awsError("AccessDenied", 403)],
    ["NoSuchHostedZone", awsError("NoSuchHostedZone", 404)],
    ["a validation error without an answer", awsError("ValidationException")],
  ])("does not retry %s", (_what, error) => {
    // Act, Assess
    expect(isRetryableAwsError(error)).toBe(false);
  });
});

describe("describeAwsError", () => {
  it("gives the error's name and message in one line", () => {
    // Act
    const text = describeAwsError(awsError("AccessDenied", 403));

    // Assess
    expect(text).toBe("AccessDenied: AccessDenied happened");
  });
});

describe("jitteredDelay", () => {
  it("stays under base x 2^attempt and under the cap", () => {
    // Act
    const highest = (attempt: number) => jitteredDelay(attempt, 100, 2_000, () => 0.999_999);
    const lowest = jitteredDelay(3, 100, 2_000, () => 0);

    // Assess
    expect([highest(1), highest(3), highest(10)]).toEqual([199, 799, 1_999]);
    expect(lowest).toBe(0);
  });
});
