import { policySchema } from "@idp-failover/core";
import type { HttpClient } from "@idp-failover/http";
import { describe, expect, it } from "vitest";
import { executeProbe, probeEnvironment, resolveProbe } from "./run-probe.js";
import { envSecrets } from "./secrets.js";

describe("probe attempts", () => {
  it("end at the hard timeout even when the client ignores the abort signal", async () => {
    // Prepare: a client that never answers and never looks at the signal, as a misbehaving library would.
    let requests = 0;
    const deaf: HttpClient = {
      request: () => {
        requests++;
        return new Promise(() => {});
      },
      agentFor() {
        throw new Error("not used");
      },
    };
    const policy = policySchema.parse({
      probeTimeoutMs: 200,
      slowMs: 100,
      confirm: { retries: 1, delayMs: 0 },
    });
    const env = { ...probeEnvironment({ policy, secrets: envSecrets({}), now: Date.now }), http: deaf };
    const spec = resolveProbe({
      kind: "http",
      url: "https://idp.example/health",
      method: "GET",
      expectStatus: [200],
    });

    // Act
    const outcome = await executeProbe(spec, { kind: "oidc" }, env);

    // Assess
    expect(outcome).toMatchObject({ ok: false, attempts: 2, error: { class: "timeout" } });
    expect(outcome.error?.message).toBe("no complete answer within 200 ms");
    expect(requests).toBe(2);
  });

  it("keep a secret out of the message even when a library's error quotes it", async () => {
    // Prepare: a client whose error repeats the client secret it was sent.
    const secret = "probe-secret-0123456789";
    const leaky: HttpClient = {
      request: async (_url, request) => {
        throw new Error(`could not send ${request.body ?? ""}`);
      },
      agentFor() {
        throw new Error("not used");
      },
    };
    const policy = policySchema.parse({ confirm: { retries: 0, delayMs: 0 } });
    const env = {
      ...probeEnvironment({ policy, secrets: envSecrets({ SECRET: secret }), now: Date.now }),
      http: leaky,
    };
    const spec = resolveProbe({
      kind: "token",
      tokenUrl: "https://idp.example/oauth2/default/v1/token",
      clientId: "probe",
      clientSecretRef: "SECRET",
      scope: "probe",
      clientAuth: "client_secret_post",
    });

    // Act
    const outcome = await executeProbe(
      spec,
      { kind: "okta", issuer: "https://idp.example/oauth2/default", jwksUrl: "https://idp.example/keys" },
      env,
    );

    // Assess
    expect(outcome.error?.message).toContain("client_secret=[redacted]");
    expect(outcome.error?.message).not.toContain(secret);
  });
});
