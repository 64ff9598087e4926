import { policySchema } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import type { HttpClient } from "./node-https-client.js";
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
});
