import { policySchema } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import type { HttpClient } from "@idp-failover/http";
import { describe, expect, it } from "vitest";
import { planRound } from "./region-round.js";
import { executeProbe, probeEnvironment, resolveProbe } from "./run-probe.js";
import { envSecrets } from "./secrets.js";

/*
 * A round probes each site under its own policy: only the sites whose cadence has a round at that
 * tick, each probe with its site's timeouts, confirm retries and latency budget.
 */

const t0 = Date.parse("2026-12-04T10:00:00Z");

describe("a round's plan", () => {
  it("takes a site with a longer cadence on every k-th tick only, and carries each site's policy", () => {
    // Prepare: the deployment ticks every 10 s; umbrella every 30 s with its own timeout.
    const config = testConfig({
      sites: ["acme", "umbrella"],
      siteSettings: {
        umbrella: { policy: { cadenceSeconds: 30, staleAfterSeconds: 120, probeTimeoutMs: 8000 } },
      },
    });

    // Act
    const sitesAt = (offsetMs: number) => [
      ...new Set(planRound(config, { dueAt: t0 + offsetMs }).map((p) => p.site)),
    ];
    const plan = planRound(config);

    // Assess
    expect([0, 10_000, 20_000, 30_000, 31_500].map(sitesAt)).toEqual([
      ["acme", "umbrella"],
      ["acme"],
      ["acme"],
      ["acme", "umbrella"],
      ["acme", "umbrella"],
    ]);
    expect(plan.find((p) => p.site === "acme")?.policy.probeTimeoutMs).toBe(5000);
    expect(plan.find((p) => p.site === "umbrella")?.policy.probeTimeoutMs).toBe(8000);
  });
});

describe("a probe under its site's policy", () => {
  it("makes the site's confirm retries, not the round's", async () => {
    // Prepare: a client that refuses every connection; the round retries twice, the site not at all.
    let requests = 0;
    const refusing: HttpClient = {
      request: async () => {
        requests++;
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
      },
      agentFor() {
        throw new Error("not used");
      },
    };
    const roundPolicy = policySchema.parse({ confirm: { retries: 2, delayMs: 0 } });
    const sitePolicy = policySchema.parse({ confirm: { retries: 0, delayMs: 0 } });
    const env = {
      ...probeEnvironment({ policy: roundPolicy, secrets: envSecrets({}), now: Date.now }),
      http: refusing,
    };
    const spec = resolveProbe({
      kind: "http",
      url: "https://idp.example/health",
      method: "GET",
      expectStatus: [200],
    });

    // Act
    const outcome = await executeProbe(spec, { kind: "oidc" }, env, sitePolicy);

    // Assess
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(requests).toBe(1);
  });
});
