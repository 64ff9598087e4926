import { describe, expect, it } from "vitest";
import { classOfCode, networkFailure, ProbeFailure, toProbeFailure } from "./probe-failure.js";

describe("failure classification", () => {
  it("maps Node error codes to dns, tcp and tls", () => {
    expect(["ENOTFOUND", "EAI_AGAIN"].map(classOfCode)).toEqual(["dns", "dns"]);
    expect(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH"].map(classOfCode)).toEqual(["tcp", "tcp", "tcp"]);
    expect(
      [
        "CERT_HAS_EXPIRED",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "ERR_SSL_WRONG_VERSION_NUMBER",
      ].map(classOfCode),
    ).toEqual(["tls", "tls", "tls", "tls"]);
    expect(classOfCode("ERR_INVALID_ARG_TYPE")).toBeUndefined();
  });

  it("finds the code on a wrapped error, as the Okta SDK's node-fetch and undici wrap them", () => {
    // Prepare
    const wrapped = Object.assign(new Error("request to https://x failed"), {
      type: "system",
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
    });

    // Act
    const failure = networkFailure(wrapped, "127.0.0.1:9");

    // Assess
    expect(failure).toMatchObject({ errorClass: "tcp", message: "connection to 127.0.0.1:9 refused" });
  });

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

  it("retries failures but not slow or upstream answers, unless told otherwise", () => {
    expect(new ProbeFailure("http-5xx", "x").retryable).toBe(true);
    expect(new ProbeFailure("upstream", "x").retryable).toBe(false);
    expect(new ProbeFailure("auth", "x", { retryable: false }).retryable).toBe(false);
  });
});
