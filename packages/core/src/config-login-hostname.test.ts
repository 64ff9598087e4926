import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";

/*
 * The login hostname moves on failover, so `validate` refuses configs where what the probes measure,
 * or what a provider's record points at, is the login hostname itself (docs/login-hostname.md).
 */

function site(providers: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return {
    sites: [{ id: "acme", hostname: "login.acme.com", hostedZoneId: "Z0123456789ABC", providers, ...extra }],
  };
}

const okta = { id: "okta", kind: "okta", issuer: "https://acme.okta.com", dnsTarget: "okta.idp.acme.com" };
const entra = { id: "entra", kind: "entra", tenantId: "t1", dnsTarget: "entra.idp.acme.com" };

function issuesOf(input: unknown) {
  const parsed = parseConfig(input);
  return parsed.ok ? [] : parsed.issues;
}

describe("validate: nothing measured on the login hostname", () => {
  it("refuses a provider whose issuer is the login hostname (an Okta custom domain equal to it)", () => {
    const issues = issuesOf(site([{ ...okta, issuer: "https://login.acme.com/oauth2/default" }, entra]));
    expect(issues).toEqual([
      expect.objectContaining({
        path: "sites.0.providers.0.issuer",
        message: expect.stringContaining("would follow the failover"),
        hint: expect.stringContaining("provider's own issuer"),
      }),
    ]);
  });

  it("refuses an issuer on a name under the login hostname, whatever its case", () => {
    const issues = issuesOf(site([{ ...okta, issuer: "https://SSO.Login.Acme.com/oauth2/default" }, entra]));
    expect(issues.map((i) => i.path)).toEqual(["sites.0.providers.0.issuer"]);
  });

  it("refuses a probe URL on the login hostname, naming the probe's field", () => {
    const issues = issuesOf(
      site([
        {
          ...okta,
          probes: [
            { kind: "oidc-discovery" },
            { kind: "jwks", url: "https://login.acme.com/oauth2/v1/keys" },
          ],
        },
        entra,
      ]),
    );
    expect(issues).toEqual([expect.objectContaining({ path: "sites.0.providers.0.probes.1.url" })]);
  });

  it("refuses two providers with the same dnsTarget (trailing dot and case ignored)", () => {
    const issues = issuesOf(site([okta, { ...entra, dnsTarget: "OKTA.idp.acme.com." }]));
    expect(issues).toEqual([
      expect.objectContaining({
        path: "sites.0.providers.1.dnsTarget",
        hint: expect.stringContaining("its own path"),
      }),
    ]);
  });

  it("refuses a dnsTarget equal to the login hostname", () => {
    const issues = issuesOf(site([{ ...okta, dnsTarget: "login.acme.com" }, entra]));
    expect(issues).toEqual([
      expect.objectContaining({
        path: "sites.0.providers.0.dnsTarget",
        hint: expect.stringContaining("front door"),
      }),
    ]);
  });

  it("accepts issuers on other names of the same domain, and a front door on the login hostname", () => {
    const parsed = parseConfig(
      site([{ ...okta, issuer: "https://idp.acme.com/oauth2/default" }, entra], {
        frontDoor: { issuer: "https://login.acme.com/realms/acme" },
      }),
    );
    expect(parsed.ok ? parsed.warnings.map((w) => w.path) : parsed.issues).not.toContain("sites.0.frontDoor");
  });

  it("warns when nothing probes what users reach", () => {
    const parsed = parseConfig(site([okta, entra]));
    expect(parsed.ok && parsed.warnings.map((w) => w.path)).toContain("sites.0.frontDoor");
  });
});
