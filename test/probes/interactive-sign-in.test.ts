import { entraStandInDefaults, oktaStandInDefaults } from "@idp-failover/stand-ins";
import { describe, expect, it } from "vitest";
import { entraProvider, oktaProvider, probe, useIdps } from "./support.js";

/*
 * The interactive sign-in probe over real HTTPS against the Okta and Entra stand-ins: the authorize
 * endpoint (from discovery) must render the provider's sign-in form for a registered client.
 */

const idps = useIdps();

const okta = () => ({
  kind: "interactive-sign-in" as const,
  scope: "openid",
  clientId: oktaStandInDefaults.client.clientId,
  redirectUri: oktaStandInDefaults.client.redirectUris[0] ?? "",
});
const entra = () => ({
  kind: "interactive-sign-in" as const,
  scope: "openid",
  clientId: entraStandInDefaults.client.clientId,
  redirectUri: entraStandInDefaults.client.redirectUris[0] ?? "",
});

describe("interactive-sign-in probe", () => {
  it("finds Okta's hosted sign-in page at the authorize endpoint discovery publishes", async () => {
    const result = await probe(idps, okta(), { provider: oktaProvider(idps) });
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      kind: "interactive-sign-in",
      criticality: "signal",
    });
    expect(idps.okta.count("interactive-sign-in")).toBeGreaterThan(0);
  });

  it("finds Entra's sign-in page", async () => {
    const result = await probe(idps, entra(), { provider: entraProvider(idps) });
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it("fails when Entra takes no new interactive sign-ins (backup authentication), tokens aside", async () => {
    await idps.entra.setFault({ mode: "backup-auth" });
    const result = await probe(idps, entra(), { provider: entraProvider(idps) });
    expect(result).toMatchObject({ ok: false, error: { class: "http-5xx" } });
  });

  it("fails as content when the page has no sign-in form", async () => {
    const result = await probe(
      idps,
      { ...okta(), expect: "a-form-this-page-never-has" },
      { provider: oktaProvider(idps) },
    );
    expect(result).toMatchObject({ ok: false, error: { class: "content" } });
    expect(result.error?.message).toMatch(/rendered no sign-in form/);
  });

  it("tells a client the provider does not know from an outage (HTTP 400)", async () => {
    const result = await probe(
      idps,
      { ...okta(), clientId: "0oaUnknownClient" },
      { provider: oktaProvider(idps) },
    );
    expect(result).toMatchObject({ ok: false, status: 400, error: { class: "http-4xx" } });
  });

  it("keeps working in Okta's read-only mode (sign-ins work then)", async () => {
    await idps.okta.setFault({ mode: "read-only" });
    const result = await probe(idps, okta(), { provider: oktaProvider(idps) });
    expect(result.ok).toBe(true);
  });
});
