import { createProbeMemory, envSecrets, runProbe } from "@idp-failover/probes";
import {
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  startEntraStandIn,
  type TestCa,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { secrets, tenantId, testPolicy } from "./support.js";

let ca: TestCa;
let entra: EntraStandIn;

beforeAll(async () => {
  ca = await createTestCa();
  entra = await startEntraStandIn({ ca });
});
afterAll(async () => {
  await entra.close();
});
afterEach(async () => {
  await entra.clearFault();
  entra.setServiceStatus("Microsoft Entra", "serviceOperational");
  entra.setServiceStatus("Exchange Online", "serviceOperational");
});

function spec(over: Record<string, unknown> = {}) {
  return {
    kind: "graph-health" as const,
    tenantId,
    clientId: entraStandInDefaults.client.clientId,
    clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
    service: "Microsoft Entra",
    loginUrl: entra.url,
    graphUrl: entra.graphUrl,
    ...over,
  };
}

function run(probeSpec: ReturnType<typeof spec>, options: Partial<Parameters<typeof runProbe>[1]> = {}) {
  return runProbe(probeSpec, {
    secrets,
    policy: testPolicy,
    ca: ca.certPem,
    memory: createProbeMemory(),
    now: Date.now,
    ...options,
  });
}

describe("graph-health probe", () => {
  it("passes while Microsoft reports the service operational", async () => {
    // Act
    const result = await run(spec());

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "graph-health", criticality: "signal" });
  });

  it("finds Entra under its former name, Azure Active Directory", async () => {
    // Prepare
    entra.setServiceStatus("Microsoft Entra", "serviceDegradation");

    // Act
    const result = await run(spec({ service: "Azure Active Directory" }));

    // Assess
    expect(result.error).toMatchObject({ class: "upstream" });
    expect(result.error?.message).toContain("Microsoft Entra is serviceDegradation");
  });

  it("reports a degraded service as upstream, without retrying", async () => {
    // Prepare
    await entra.setFault({ mode: "service-degraded" });

    // Act
    const result = await run(spec());

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, attempts: 1, error: { class: "upstream" } });
    expect(result.error?.message).toContain("serviceDegradation");
  });

  it("reports any non-operational status of the configured service as upstream", async () => {
    // Prepare
    entra.setServiceStatus("Microsoft Entra", "extendedRecovery");

    // Act
    const result = await run(spec());

    // Assess
    expect(result.error).toMatchObject({ class: "upstream" });
  });

  it("finds the service by its id too, and ignores other services' trouble", async () => {
    // Prepare
    entra.setServiceStatus("Exchange Online", "serviceInterruption");

    // Act
    const result = await run(spec({ service: "OrgLiveID" }));

    // Assess
    expect(result.ok).toBe(true);
  });

  it("follows @odata.nextLink to find the service on a later page", async () => {
    // Prepare
    const paged = await startEntraStandIn({ ca, pageSize: 1 });
    try {
      // Act
      const result = await run(spec({ loginUrl: paged.url, graphUrl: paged.graphUrl }));

      // Assess
      expect(result.ok).toBe(true);
      expect(paged.count("graph-health")).toBe(2);
    } finally {
      await paged.close();
    }
  });

  it("fails as content when the service is not listed", async () => {
    // Act
    const result = await run(spec({ service: "Contoso Sign-in" }));

    // Assess
    expect(result).toMatchObject({ attempts: 1, error: { class: "content" } });
  });

  it("fails as auth when Graph rejects the token", async () => {
    // Prepare
    await entra.setFault({ mode: "auth", probes: ["graph-health"] });

    // Act
    const result = await run(spec());

    // Assess
    expect(result).toMatchObject({ status: 401, error: { class: "auth" } });
  });

  it("fails as auth when the token endpoint rejects the secret", async () => {
    // Act
    const result = await run(spec(), {
      secrets: envSecrets({ ENTRA_PROBE_CLIENT_SECRET: "wrong-secret-value" }),
    });

    // Assess
    expect(result).toMatchObject({ status: 401, error: { class: "auth" } });
    expect(JSON.stringify(result)).not.toContain("wrong-secret-value");
  });

  it("reports Graph throttling as upstream and a Graph outage as http-5xx", async () => {
    // Prepare
    await entra.setFault({ mode: "rate-limited", probes: ["graph-health"] });
    const throttled = await run(spec());
    await entra.setFault({ mode: "http-5xx", probes: ["graph-health"] });

    // Act
    const outage = await run(spec());

    // Assess
    expect(throttled).toMatchObject({ status: 429, attempts: 1, error: { class: "upstream" } });
    expect(outage).toMatchObject({ status: 503, attempts: 2, error: { class: "http-5xx" } });
  });

  it("fails as content when Graph's answer is not JSON", async () => {
    // Prepare
    await entra.setFault({ mode: "bad-json", probes: ["graph-health"] });

    // Act
    const result = await run(spec());

    // Assess
    expect(result.error?.class).toBe("content");
  });

  it("reuses its Graph token across rounds instead of minting one each time", async () => {
    // Prepare
    const memory = createProbeMemory();
    const tokensBefore = entra.count("token");

    // Act
    const first = await run(spec(), { memory });
    const second = await run(spec(), { memory });

    // Assess
    expect(first.ok && second.ok).toBe(true);
    expect(entra.count("token")).toBe(tokensBefore + 1);
  });

  it("fails as tls when the Graph host's certificate is not trusted", async () => {
    // Act
    const result = await run(spec(), { ca: "" });

    // Assess
    expect(result.error?.class).toBe("tls");
  });
});

describe("Entra's backup authentication", () => {
  it("names backup-auth when Microsoft Entra is degraded with an open issue saying backup authentication is in use", async () => {
    await entra.setFault({ mode: "backup-auth" });
    const result = await run(spec());
    expect(result).toMatchObject({ ok: false, mode: "backup-auth", error: { class: "upstream" } });
    expect(result.error?.message).toMatch(/backup authentication/);
  });

  it("degrades without naming a mode when the open issues do not say so", async () => {
    entra.setServiceStatus("Microsoft Entra", "serviceDegradation");
    const result = await run(spec());
    expect(result).toMatchObject({ ok: false, error: { class: "upstream" } });
    expect(result.mode).toBeUndefined();
  });
});
