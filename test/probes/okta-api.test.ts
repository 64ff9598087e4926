import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProbeSpec } from "@idp-failover/core";
import { createProbeMemory, envSecrets } from "@idp-failover/probes";
import { createTestCa, type OktaStandIn, startOktaStandIn, type TestCa } from "@idp-failover/stand-ins";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call } from "../support/http-call.js";
import { runTestProbe } from "./support.js";

let ca: TestCa;
let okta: OktaStandIn;
let privateKeyPem: string;
const serviceAppId = "0oa1serviceapp5Xy6z7";

beforeAll(async () => {
  ca = await createTestCa();
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  privateKeyPem = await exportPKCS8(privateKey);
  okta = await startOktaStandIn({
    ca,
    serviceApps: [{ clientId: serviceAppId, publicJwk: await exportJWK(publicKey) }],
  });
});
afterAll(async () => {
  await okta.close();
});
afterEach(async () => {
  await okta.clearFault();
  vi.unstubAllEnvs();
});

function tokenSpec() {
  return {
    kind: "okta-api" as const,
    orgUrl: okta.url,
    auth: { mode: "token" as const, tokenRef: "OKTA_API_TOKEN" },
    minRateLimitRemainingPct: 20,
  };
}

function run(spec: ProbeSpec, options: Parameters<typeof runTestProbe>[2] = {}) {
  return runTestProbe(ca.certPem, spec, options);
}

describe("okta-api probe", () => {
  it("reads /api/v1/org through the Okta SDK with an API token", async () => {
    // Prepare
    const before = okta.count("okta-api");

    // Act
    const result = await run(tokenSpec());

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "okta-api", criticality: "signal" });
    expect(okta.count("okta-api")).toBe(before + 1);
  });

  it("sends the API token once after SSWS, whether or not it was stored with the SSWS prefix", async () => {
    // Prepare
    const token = "00ProbeApiToken0123456789abcdefghijklmnop";
    const stored = [token, `SSWS ${token}`, ` ssws  ${token}\n`];

    // Act
    const results = await Promise.all(
      stored.map((value) => run(tokenSpec(), { secrets: envSecrets({ OKTA_API_TOKEN: value }) })),
    );

    // Assess
    for (const result of results) expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it("is refused by Okta when the header carries SSWS twice (the stand-in checks the header as Okta does)", async () => {
    // Prepare
    const token = "00ProbeApiToken0123456789abcdefghijklmnop";

    // Act
    const once = await call(`${okta.url}/api/v1/org`, {
      headers: { authorization: `SSWS ${token}` },
      ca: ca.certPem,
    });
    const twice = await call(`${okta.url}/api/v1/org`, {
      headers: { authorization: `SSWS SSWS ${token}` },
      ca: ca.certPem,
    });

    // Assess
    expect(once.status).toBe(200);
    expect(twice.status).toBe(401);
  });

  it("authenticates with an OAuth 2.0 private key (client assertion) instead of a token", async () => {
    // Prepare
    const spec = {
      kind: "okta-api" as const,
      orgUrl: okta.url,
      auth: {
        mode: "private-key" as const,
        clientId: serviceAppId,
        privateKeyRef: "OKTA_PRIVATE_KEY",
        scopes: ["okta.orgs.read"],
      },
      minRateLimitRemainingPct: 20,
    };

    const tokensBefore = okta.count("token");

    // Act
    const result = await run(spec, { secrets: envSecrets({ OKTA_PRIVATE_KEY: privateKeyPem }) });

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(okta.count("token")).toBe(tokensBefore + 1);
  });

  it("fails as auth when the API token is rejected, without showing it", async () => {
    // Act
    const result = await run(tokenSpec(), {
      secrets: envSecrets({ OKTA_API_TOKEN: "00WrongToken0123456789abcdef" }),
    });

    // Assess
    expect(result).toMatchObject({ ok: false, status: 401, error: { class: "auth" } });
    expect(result.error?.message).toContain("E0000011");
    expect(JSON.stringify(result)).not.toContain("00WrongToken0123456789abcdef");
  });

  it("fails as http-5xx when the management API fails", async () => {
    // Prepare
    await okta.setFault({ mode: "http-5xx", probes: ["okta-api"] });

    // Act
    const result = await run(tokenSpec());

    // Assess
    expect(result).toMatchObject({ status: 503, attempts: 2, error: { class: "http-5xx" } });
  });

  it("fails as content when the org's answer is not JSON", async () => {
    // Prepare
    await okta.setFault({ mode: "bad-json", probes: ["okta-api"] });

    // Act
    const result = await run(tokenSpec());

    // Assess
    expect(result).toMatchObject({ ok: false, error: { class: "content" } });
  });

  it("fails as tcp when the org refuses connections", async () => {
    // Prepare
    await okta.setFault({ mode: "refused" });

    // Act
    const result = await run(tokenSpec());

    // Assess
    expect(result.error?.class).toBe("tcp");
  });

  it("times out when the API hangs", async () => {
    // Prepare
    await okta.setFault({ mode: "hang", probes: ["okta-api"] });

    // Act
    const result = await run({ ...tokenSpec(), timeoutMs: 300 });

    // Assess
    expect(result.error?.class).toBe("timeout");
  });

  it("reports a 429 as upstream, then stops calling until the rate limit resets", async () => {
    // Prepare
    const memory = createProbeMemory();
    await okta.setFault({ mode: "rate-limited", probes: ["okta-api"] });
    const limited = await run(tokenSpec(), { memory });
    await okta.clearFault();
    const calls = okta.count("okta-api");

    // Act
    const skipped = await run(tokenSpec(), { memory });
    const afterReset = await run(tokenSpec(), { memory, now: () => Date.now() + 120_000 });

    // Assess
    expect(limited).toMatchObject({ ok: false, status: 429, attempts: 1, error: { class: "upstream" } });
    expect(skipped).toMatchObject({ ok: true, latencyMs: 0 });
    expect(okta.count("okta-api")).toBe(calls + 1);
    expect(afterReset).toMatchObject({ ok: true, status: 200 });
  });

  it("skips the call while the org's remaining budget is under the threshold", async () => {
    // Prepare
    const memory = createProbeMemory();
    await okta.setFault({ mode: "low-rate-limit" });
    const first = await run(tokenSpec(), { memory });
    const calls = okta.count("okta-api");

    // Act
    const second = await run(tokenSpec(), { memory });
    const lowThreshold = await run({ ...tokenSpec(), minRateLimitRemainingPct: 1 }, { memory });

    // Assess
    expect(first).toMatchObject({ ok: true, status: 200 });
    expect(second).toMatchObject({ ok: true, latencyMs: 0 });
    expect(second.status).toBeUndefined();
    expect(lowThreshold.status).toBe(200);
    expect(okta.count("okta-api")).toBe(calls + 1);
  });

  it("ignores OKTA_CLIENT_* variables and okta.yaml files: the probe's own settings win", async () => {
    // Prepare
    const home = await mkdtemp(join(tmpdir(), "okta-home-"));
    await mkdir(join(home, ".okta"));
    await writeFile(
      join(home, ".okta", "okta.yaml"),
      "okta:\n  client:\n    orgUrl: https://127.0.0.1:9\n    token: yaml-token\n    authorizationMode: PrivateKey\n",
    );
    vi.stubEnv("HOME", home);
    vi.stubEnv("OKTA_CLIENT_ORGURL", "https://127.0.0.1:9");
    vi.stubEnv("OKTA_CLIENT_TOKEN", "env-token");
    vi.stubEnv("OKTA_CLIENT_AUTHORIZATIONMODE", "PrivateKey");
    try {
      // Act
      const result = await run(tokenSpec());

      // Assess
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(okta.requests.at(-1)?.path).toBe("/api/v1/org");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("fails as auth without a call when the token secret is missing", async () => {
    // Prepare
    const calls = okta.count("okta-api");

    // Act
    const result = await run(tokenSpec(), { secrets: envSecrets({}) });

    // Assess
    expect(result).toMatchObject({ attempts: 1, error: { class: "auth" } });
    expect(okta.count("okta-api")).toBe(calls);
  });
});

describe("Okta's read-only mode", () => {
  it("names read-only when Okta answers with E0000010, as degraded (upstream), never down", async () => {
    // Prepare
    await okta.setFault({ mode: "http-5xx", status: 503, errorCode: "E0000010", probes: ["okta-api"] });
    // Act
    const result = await run(tokenSpec());
    // Assess
    expect(result).toMatchObject({ ok: false, status: 503, mode: "read-only", error: { class: "upstream" } });
    expect(result.attempts).toBe(1);
  });

  it("stays green in read-only mode, where Okta refuses only changes: reads and sign-ins work", async () => {
    await okta.setFault({ mode: "read-only" });
    expect(await run(tokenSpec())).toMatchObject({ ok: true });
  });
});
