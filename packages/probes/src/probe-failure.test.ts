import { HttpRequestError } from "@idp-failover/http";
import { describe, expect, it } from "vitest";
import { ProbeFailure, toProbeFailure } from "./probe-failure.js";

describe("failure classification", () => {
  it("turns an abort into a timeout and anything unknown into a probe error", () => {
    // Prepare
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });

    // Act
    const timeout = toProbeFailure(abort, "x.example");
    const unknown = toProbeFailure(new TypeError("boom"), "x.example");

    // Assess
    expect(timeout.errorClass).toBe("timeout");
    expect(unknown).toMatchObject({ errorClass: "content", message: "probe error: boom" });
  });

  it("takes a request's failure over with its class, message and status", () => {
    // Act
    const failure = toProbeFailure(
      new HttpRequestError("http-5xx", "HTTP 503 from idp.example/x", { status: 503 }),
      "idp.example",
    );

    // Assess
    expect(failure).toBeInstanceOf(ProbeFailure);
    expect(failure).toMatchObject({
      errorClass: "http-5xx",
      message: "HTTP 503 from idp.example/x",
      status: 503,
      retryable: true,
    });
  });

  it("reports the attempt's own deadline rather than the abort it caused", () => {
    // Prepare
    const controller = new AbortController();
    const deadline = new ProbeFailure("timeout", "no complete answer within 100 ms");
    controller.abort(deadline);

    // Act
    const failure = toProbeFailure(
      new HttpRequestError("timeout", "no answer in time"),
      "x",
      controller.signal,
    );

    // Assess
    expect(failure).toBe(deadline);
  });

  it("retries failures but not slow or upstream answers, unless told otherwise", () => {
    expect(new ProbeFailure("http-5xx", "x").retryable).toBe(true);
    expect(new ProbeFailure("upstream", "x").retryable).toBe(false);
    expect(new ProbeFailure("auth", "x", { retryable: false }).retryable).toBe(false);
  });
});
