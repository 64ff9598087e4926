import { describe, expect, it } from "vitest";
import { classOfCode, networkFailure, requestFailure, statusFailure } from "./http-failure.js";

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
    expect(failure).toMatchObject({
      errorClass: "tcp",
      message: "connection to 127.0.0.1:9 refused",
      code: "ECONNREFUSED",
    });
  });

  it("turns an abort into a timeout and leaves anything unknown to the caller", () => {
    // Prepare
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });

    // Act
    const timeout = requestFailure(abort, "x.example");
    const unknown = requestFailure(new TypeError("boom"), "x.example");

    // Assess
    expect(timeout).toMatchObject({ errorClass: "timeout", message: "no answer from x.example in time" });
    expect(unknown).toBeUndefined();
  });

  it("classifies statuses: 429 upstream, 5xx, 401/403 as auth only where credentials were sent", () => {
    const answer = (status: number) => ({ status, url: "https://idp.example/a?token=secret", headers: {} });
    expect(statusFailure(answer(429), false).errorClass).toBe("upstream");
    expect(statusFailure(answer(503), false)).toMatchObject({
      errorClass: "http-5xx",
      message: "HTTP 503 from idp.example/a",
    });
    expect(statusFailure(answer(401), true).errorClass).toBe("auth");
    expect(statusFailure(answer(401), false).errorClass).toBe("http-4xx");
    expect(statusFailure(answer(302), false).errorClass).toBe("content");
  });
});
