import { describe, expect, it } from "vitest";
import { clientCredentialsRequest } from "./client-credentials.js";

describe("client credentials request", () => {
  it("form-encodes the id and secret before base64 for client_secret_basic (RFC 6749 2.3.1)", () => {
    // Act
    const request = clientCredentialsRequest({
      clientId: "app id",
      clientSecret: "a+b:c~",
      scope: "s",
      method: "client_secret_basic",
    });

    // Assess
    const decoded = Buffer.from(
      (request.headers.authorization ?? "").replace("Basic ", ""),
      "base64",
    ).toString();
    expect(decoded).toBe("app+id:a%2Bb%3Ac%7E");
    expect(request.body).toBe("grant_type=client_credentials&scope=s");
  });

  it("sends the secret in the body for client_secret_post", () => {
    // Act
    const request = clientCredentialsRequest({
      clientId: "c",
      clientSecret: "x y",
      scope: "api://a/.default",
      method: "client_secret_post",
    });

    // Assess
    expect(request.headers.authorization).toBeUndefined();
    expect(new URLSearchParams(request.body).get("client_secret")).toBe("x y");
  });
});
