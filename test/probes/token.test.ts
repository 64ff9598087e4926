import { entraStandInDefaults, oktaStandInDefaults, startEntraStandIn } from "@idp-failover/stand-ins";
import { describe, expect, it } from "vitest";
import { failure, oktaProvider, probe, probeCases, secretValues, tenantId, useIdps } from "./support.js";

const idps = useIdps();

const oktaToken = {
  kind: "token" as const,
  clientId: oktaStandInDefaults.client.clientId,
  clientSecretRef: "OKTA_PROBE_CLIENT_SECRET",
  scope: "idp_failover.probe",
  audience: "api://default",
};

const entraToken = {
  kind: "token" as const,
  clientId: entraStandInDefaults.client.clientId,
  clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
  scope: "api://idp-failover-probe/.default",
  clientAuth: "client_secret_post" as const,
};

const oktaOptions = () => ({ provider: oktaProvider(idps) });

describe("token probe", () => {
  it("accepts Entra's v1.0 issuer (sts.windows.net) for APIs that get v1.0 tokens", async () => {
    // Prepare
    const v1 = await startEntraStandIn({ ca: idps.ca, accessTokenVersion: 1 });
    try {
      // Act
      const result = await probe(idps, entraToken, {
        provider: { id: "entra", kind: "entra", issuer: v1.issuer(tenantId) },
      });

      // Assess
      expect(result.ok).toBe(true);
    } finally {
      await v1.close();
    }
  });

  it("fails as auth when the IdP rejects the client credentials, and never shows the secret", async () => {
    // Act
    const result = await probe(idps, { ...oktaToken, clientSecretRef: "WRONG_SECRET" }, oktaOptions());

    // Assess
    expect(result).toMatchObject({ ok: false, status: 401, error: { class: "auth" } });
    expect(result.error?.message).toContain("invalid_client");
    expect(JSON.stringify(result)).not.toContain(secretValues.WRONG_SECRET);
  });

  it("fails as auth without calling the IdP when the secret is not set", async () => {
    // Prepare
    const before = idps.okta.count("token");

    // Act
    const result = await probe(idps, { ...oktaToken, clientSecretRef: "NOT_SET_ANYWHERE" }, oktaOptions());

    // Assess
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { class: "auth" } });
    expect(result.error?.message).toContain("NOT_SET_ANYWHERE");
    expect(idps.okta.count("token")).toBe(before);
  });

  probeCases(idps, { idp: "okta", spec: oktaToken }, [
    [
      "mints an Okta token with client_secret_basic and verifies it against the key set",
      {},
      { ok: true, status: 200, attempts: 1, kind: "token" },
    ],
    [
      "authenticates with client_secret_post when the app is registered that way",
      {
        spec: {
          ...oktaToken,
          clientId: "0oa1postclient",
          clientSecretRef: "OKTA_POST_CLIENT_SECRET",
          clientAuth: "client_secret_post",
        },
      },
      { ok: true },
    ],
    [
      "mints an Entra v2.0 token for a .default scope and verifies it",
      { idp: "entra", spec: entraToken },
      { ok: true, status: 200 },
    ],
    [
      "fails as content when the token is signed by a key the key set does not publish",
      { fault: { mode: "unknown-kid" } },
      failure("content", { message: "does not publish", status: 200 }),
    ],
    [
      "fails as content when the signature does not verify",
      { idp: "entra", spec: entraToken, fault: { mode: "bad-signature" } },
      failure("content", { message: "signature" }),
    ],
    [
      "fails as content when the token names another issuer",
      { fault: { mode: "wrong-issuer", probes: ["token"] } },
      failure("content", { message: "issuer" }),
    ],
    [
      "fails as content when the audience is not the configured one",
      { spec: { ...oktaToken, audience: "api://someone-else" } },
      failure("content", { message: "audience" }),
    ],
    [
      "names Entra's AADSTS code when Entra rejects the secret",
      { idp: "entra", spec: { ...entraToken, clientSecretRef: "WRONG_SECRET" } },
      failure("auth", { message: "AADSTS7000215" }),
    ],
    [
      "fails as http-4xx for a request the IdP refuses (a scope Entra does not accept)",
      { idp: "entra", spec: { ...entraToken, scope: "api://idp-failover-probe/read" } },
      failure("http-4xx", { message: "invalid_scope", status: 400 }),
    ],
    [
      "fails as http-5xx when the token endpoint fails while discovery works",
      { fault: { mode: "http-5xx", probes: ["token"] } },
      failure("http-5xx", { status: 503, attempts: 2 }),
    ],
    [
      "reports a throttled token endpoint as upstream",
      { idp: "entra", spec: entraToken, fault: { mode: "rate-limited", probes: ["token"] } },
      failure("upstream", { status: 429, attempts: 1 }),
    ],
    [
      "fails as content when the token answer is not JSON",
      { fault: { mode: "bad-json", probes: ["token"] } },
      failure("content"),
    ],
    [
      "explains that a Microsoft Graph token cannot be verified",
      { idp: "entra", spec: { ...entraToken, scope: "https://graph.microsoft.com/.default" } },
      failure("content", { message: "Graph" }),
    ],
    [
      // The key set is found through discovery, which is down.
      "uses an explicit token URL while discovery is down, and still reports discovery's failure class",
      {
        fault: { mode: "http-5xx", probes: ["oidc-discovery"] },
        spec: ({ okta }) => ({ ...oktaToken, tokenUrl: `${okta.issuer("default")}/v1/token` }),
      },
      failure("http-5xx", { message: /^discovery: / }),
    ],
    [
      "times out when the token endpoint hangs",
      { idp: "entra", fault: { mode: "hang", probes: ["token"] }, spec: { ...entraToken, timeoutMs: 300 } },
      failure("timeout"),
    ],
  ]);
});
