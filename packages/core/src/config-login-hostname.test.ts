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
  it.each([
    {
      name: "a provider whose issuer is the login hostname (an Okta custom domain equal to it)",
      providers: [{ ...okta, issuer: "https://login.acme.com/oauth2/default" }, entra],
      issue: {
        path: "sites.0.providers.0.issuer",
        message: expect.stringContaining("would follow the failover"),
        hint: expect.stringContaining("provider's own issuer"),
      },
    },
    {
      name: "an issuer on a name under the login hostname, whatever its case",
      providers: [{ ...okta, issuer: "https://SSO.Login.Acme.com/oauth2/default" }, entra],
      issue: { path: "sites.0.providers.0.issuer" },
    },
    {
      name: "a probe URL on the login hostname, naming the probe's field",
      providers: [
        {
          ...okta,
          probes: [
            { kind: "oidc-discovery" },
            { kind: "jwks", url: "https://login.acme.com/oauth2/v1/keys" },
          ],
        },
        entra,
      ],
      issue: { path: "sites.0.providers.0.probes.1.url" },
    },
    {
      name: "two providers with the same dnsTarget (trailing dot and case ignored)",
      providers: [okta, { ...entra, dnsTarget: "OKTA.idp.acme.com." }],
      issue: { path: "sites.0.providers.1.dnsTarget", hint: expect.stringContaining("its own path") },
    },
    {
      name: "a dnsTarget equal to the login hostname",
      providers: [{ ...okta, dnsTarget: "login.acme.com" }, entra],
      issue: { path: "sites.0.providers.0.dnsTarget", hint: expect.stringContaining("front door") },
    },
  ])("refuses $name", ({ providers, issue }) => {
    expect(issuesOf(site(providers))).toEqual([expect.objectContaining(issue)]);
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
