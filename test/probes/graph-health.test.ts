import { createProbeMemory, envSecrets } from "@idp-failover/probes";
import { entraStandInDefaults, startEntraStandIn } from "@idp-failover/stand-ins";
import { afterEach, describe, expect, it } from "vitest";
import { probe, tenantId, useIdps } from "./support.js";

const idps = useIdps();

afterEach(() => {
  idps.entra.setServiceStatus("Microsoft Entra", "serviceOperational");
  idps.entra.setServiceStatus("Exchange Online", "serviceOperational");
});

function spec(over: Record<string, unknown> = {}) {
  return {
    kind: "graph-health" as const,
    tenantId,
    clientId: entraStandInDefaults.client.clientId,
    clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
    service: "Microsoft Entra",
    loginUrl: idps.entra.url,
    graphUrl: idps.entra.graphUrl,
    ...over,
  };
}

describe("graph-health probe", () => {
  it("passes while Microsoft reports the service operational", async () => {
    // Act
    const result = await probe(idps, spec());

    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "graph-health", criticality: "signal" });
  });

  it("finds Entra under its former name, Azure Active Directory", async () => {
    // Prepare
    idps.entra.setServiceStatus("Microsoft Entra", "serviceDegradation");

    // Act
    const result = await probe(idps, spec({ service: "Azure Active Directory" }));

    // Assess
    expect(result.error).toMatchObject({ class: "upstream" });
    expect(result.error?.message).toContain("Microsoft Entra is serviceDegradation");
  });

  it("reports a degraded service as upstream, without retrying", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "service-degraded" });

    // Act
    const result = await probe(idps, spec());

    // Assess
    expect(result).toMatchObject({ ok: false, status: 200, attempts: 1, error: { class: "upstream" } });
    expect(result.error?.message).toContain("serviceDegradation");
  });

  it("reports any non-operational status of the configured service as upstream", async () => {
    // Prepare
    idps.entra.setServiceStatus("Microsoft Entra", "extendedRecovery");

    // Act
    const result = await probe(idps, spec());

    // Assess
    expect(result.error).toMatchObject({ class: "upstream" });
  });

  it("finds the service by its id too, and ignores other services' trouble", async () => {
    // Prepare
    idps.entra.setServiceStatus("Exchange Online", "serviceInterruption");

    // Act
    const result = await probe(idps, spec({ service: "OrgLiveID" }));

    // Assess
    expect(result.ok).toBe(true);
  });

  it("follows @odata.nextLink to find the service on a later page", async () => {
    // Prepare
    const paged = await startEntraStandIn({ ca: idps.ca, pageSize: 1 });
    try {
      // Act
      const result = await probe(idps, spec({ loginUrl: paged.url, graphUrl: paged.graphUrl }));

      // Assess
      expect(result.ok).toBe(true);
      expect(paged.count("graph-health")).toBe(2);
    } finally {
      await paged.close();
    }
  });

  it("fails as content when the service is not listed", async () => {
    // Act
    const result = await probe(idps, spec({ service: "Contoso Sign-in" }));

    // Assess
    expect(result).toMatchObject({ attempts: 1, error: { class: "content" } });
  });

  it("fails as auth when Graph rejects the token", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "auth", probes: ["graph-health"] });

    // Act
    const result = await probe(idps, spec());

    // Assess
    expect(result).toMatchObject({ status: 401, error: { class: "auth" } });
  });

  it("fails as auth when the token endpoint rejects the secret", async () => {
    // Act
    const result = await probe(idps, spec(), {
      secrets: envSecrets({ ENTRA_PROBE_CLIENT_SECRET: "wrong-secret-value" }),
    });

    // Assess
    expect(result).toMatchObject({ status: 401, error: { class: "auth" } });
    expect(JSON.stringify(result)).not.toContain("wrong-secret-value");
  });

  it("reports Graph throttling as upstream and a Graph outage as http-5xx", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "rate-limited", probes: ["graph-health"] });
    const throttled = await probe(idps, spec());
    await idps.entra.setFault({ mode: "http-5xx", probes: ["graph-health"] });

    // Act
    const outage = await probe(idps, spec());

    // Assess
    expect(throttled).toMatchObject({ status: 429, attempts: 1, error: { class: "upstream" } });
    expect(outage).toMatchObject({ status: 503, attempts: 2, error: { class: "http-5xx" } });
  });

  it("fails as content when Graph's answer is not JSON", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "bad-json", probes: ["graph-health"] });

    // Act
    const result = await probe(idps, spec());

    // Assess
    expect(result.error?.class).toBe("content");
  });

  it("reuses its Graph token across rounds instead of minting one each time", async () => {
    // Prepare
    const memory = createProbeMemory();
    const tokensBefore = idps.entra.count("token");

    // Act
    const first = await probe(idps, spec(), { memory });
    const second = await probe(idps, spec(), { memory });

    // Assess
    expect(first.ok && second.ok).toBe(true);
    expect(idps.entra.count("token")).toBe(tokensBefore + 1);
  });

  it("fails as tls when the Graph host's certificate is not trusted", async () => {
    // Act
    const result = await probe(idps, spec(), { ca: "" });

    // Assess
    expect(result.error?.class).toBe("tls");
  });
});

describe("Entra's backup authentication", () => {
  it("names backup-auth when Microsoft Entra is degraded with an open issue saying backup authentication is in use", async () => {
    await idps.entra.setFault({ mode: "backup-auth" });
    const result = await probe(idps, spec());
    expect(result).toMatchObject({ ok: false, mode: "backup-auth", error: { class: "upstream" } });
    expect(result.error?.message).toMatch(/backup authentication/);
  });

  it("degrades without naming a mode when the open issues do not say so", async () => {
    idps.entra.setServiceStatus("Microsoft Entra", "serviceDegradation");
    const result = await probe(idps, spec());
    expect(result).toMatchObject({ ok: false, error: { class: "upstream" } });
    expect(result.mode).toBeUndefined();
  });
});
