import { describe, expect, it } from "vitest";
import { clientCredentialsRequest } from "./client-credentials.js";

describe("client credentials request", () => {
  it.each([
    {
      name: "form-encodes the id and secret before base64 for client_secret_basic (RFC 6749 2.3.1)",
      request: { clientId: "app id", clientSecret: "a+b:c~", scope: "s", method: "client_secret_basic" },
      basicCredentials: "app+id:a%2Bb%3Ac%7E",
      body: "grant_type=client_credentials&scope=s",
    },
    {
      name: "sends the secret in the body for client_secret_post",
      request: {
        clientId: "c",
        clientSecret: "x y",
        scope: "api://a/.default",
        method: "client_secret_post",
      },
      basicCredentials: undefined,
      body: "grant_type=client_credentials&scope=api%3A%2F%2Fa%2F.default&client_id=c&client_secret=x+y",
    },
  ] as const)("$name", ({ request: input, basicCredentials, body }) => {
    // Act
    const request = clientCredentialsRequest(input);

    // Assess
    const authorization = request.headers.authorization;
    const decoded =
      authorization === undefined
        ? undefined
        : Buffer.from(authorization.replace("Basic ", ""), "base64").toString();
    expect(decoded).toBe(basicCredentials);
    expect(request.body).toBe(body);
  });
});
