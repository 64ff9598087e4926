import type { ProbeSpec } from "@idp-failover/core";
import { policySchema } from "@idp-failover/core";
import { entraStandInDefaults, type FaultMode, oktaStandInDefaults } from "@idp-failover/stand-ins";
import { describe, expect, it } from "vitest";
import { probe, tenantId, useIdps } from "./support.js";

/*
 * Every probe kind against every transport-level failure it claims to classify: the same outage must
 * read the same whichever probe meets it. Content and credential failures are tested per kind.
 */

const idps = useIdps();

const policy = policySchema.parse({
  probeTimeoutMs: 2000,
  slowMs: 1500,
  confirm: { retries: 0, delayMs: 0 },
});

interface Case {
  name: string;
  vendor: "okta" | "entra";
  spec(host: string): ProbeSpec;
  issuer?(host: string): string;
}

const kinds: Case[] = [
  {
    name: "http",
    vendor: "okta",
    spec: (host) => ({
      kind: "http",
      url: `${host}/.well-known/okta-organization`,
      method: "GET",
      expectStatus: [200],
    }),
  },
  {
    name: "oidc-discovery",
    vendor: "okta",
    spec: () => ({ kind: "oidc-discovery" }),
    issuer: (host) => `${host}/oauth2/default`,
  },
  {
    name: "jwks",
    vendor: "entra",
    spec: () => ({ kind: "jwks" }),
    issuer: (host) => `${host}/${tenantId}/v2.0`,
  },
  {
    name: "token",
    vendor: "okta",
    spec: () => ({
      kind: "token",
      clientId: oktaStandInDefaults.client.clientId,
      clientSecretRef: "OKTA_PROBE_CLIENT_SECRET",
      scope: "idp_failover.probe",
    }),
    issuer: (host) => `${host}/oauth2/default`,
  },
  {
    name: "saml-metadata",
    vendor: "entra",
    spec: (host) => ({
      kind: "saml-metadata",
      url: `${host}/${tenantId}/federationmetadata/2007-06/federationmetadata.xml`,
      expiryWarningDays: 30,
    }),
  },
  {
    name: "okta-api",
    vendor: "okta",
    spec: (host) => ({
      kind: "okta-api",
      orgUrl: host,
      auth: { mode: "token", tokenRef: "OKTA_API_TOKEN" },
      minRateLimitRemainingPct: 20,
    }),
  },
  {
    name: "graph-health",
    vendor: "entra",
    spec: (host) => ({
      kind: "graph-health",
      tenantId,
      clientId: entraStandInDefaults.client.clientId,
      clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
      service: "Microsoft Entra",
      loginUrl: host,
      graphUrl: host,
    }),
  },
];

const faults: { mode: FaultMode; expected: string; spec?: Record<string, number> }[] = [
  { mode: "http-5xx", expected: "http-5xx" },
  { mode: "http-4xx", expected: "http-4xx" },
  { mode: "refused", expected: "tcp" },
  { mode: "reset", expected: "tcp" },
  { mode: "hang", expected: "timeout", spec: { timeoutMs: 300 } },
  { mode: "slow", expected: "slow", spec: { slowMs: 100 } },
  { mode: "tls-expired", expected: "tls" },
  { mode: "tls-wrong-host", expected: "tls" },
  { mode: "rate-limited", expected: "upstream" },
];

function run(kind: Case, host: string, over: Record<string, number> = {}) {
  const provider = kind.issuer
    ? { provider: { id: kind.vendor, kind: kind.vendor, issuer: kind.issuer(host) } }
    : {};
  return probe(idps, { ...kind.spec(host), ...over } as ProbeSpec, { policy, ...provider });
}

describe.each(kinds)("$name probe", (kind) => {
  const standIn = () => (kind.vendor === "okta" ? idps.okta : idps.entra);

  it("passes against a healthy IdP", async () => {
    // Act
    const result = await run(kind, standIn().url);

    // Assess
    expect(result).toMatchObject({ ok: true, attempts: 1 });
  });

  it.each(faults)("classifies $mode as $expected", async ({ mode, expected, spec }) => {
    // Prepare
    await standIn().setFault({ mode, ...(mode === "slow" ? { latencyMs: 250 } : {}) });

    // Act
    const result = await run(kind, standIn().url, spec);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.error?.class).toBe(expected);
  });

  it("classifies a name that does not resolve as dns", async () => {
    // Act
    const result = await run(kind, "https://idp-failover-probe-test.invalid");

    // Assess
    expect(result.error?.class).toBe("dns");
  });
});
