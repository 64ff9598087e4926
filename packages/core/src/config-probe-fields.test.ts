import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";

function configWith(probes: unknown[]): unknown {
  return {
    sites: [
      {
        id: "example",
        hostname: "login.example.com",
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        providers: [
          {
            id: "okta",
            kind: "okta",
            issuer: "https://example.okta.com/oauth2/default",
            dnsTarget: "a.example.net",
            probes,
          },
          { id: "entra", kind: "entra", tenantId: "t1", dnsTarget: "b.example.net" },
        ],
      },
    ],
  };
}

describe("probe spec fields for token client authentication and national clouds", () => {
  it("accepts client_secret_post on a token probe and Microsoft hosts on a graph-health probe", () => {
    // Prepare
    const input = configWith([
      {
        kind: "token",
        clientId: "c",
        clientSecretRef: "SECRET",
        scope: "s",
        clientAuth: "client_secret_post",
      },
      {
        kind: "graph-health",
        tenantId: "t1",
        clientId: "c",
        clientSecretRef: "SECRET",
        loginUrl: "https://login.microsoftonline.us",
        graphUrl: "https://graph.microsoft.us",
      },
    ]);

    // Act
    const parsed = parseConfig(input);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const probes = parsed.config.sites[0]?.providers[0]?.probes ?? [];
    expect(probes[0]).toMatchObject({ kind: "token", clientAuth: "client_secret_post" });
    expect(probes[1]).toMatchObject({
      loginUrl: "https://login.microsoftonline.us",
      graphUrl: "https://graph.microsoft.us",
    });
  });

  it("rejects an unknown client authentication method with its path", () => {
    // Prepare
    const input = configWith([
      { kind: "token", clientId: "c", clientSecretRef: "SECRET", scope: "s", clientAuth: "private_key_jwt" },
    ]);

    // Act
    const parsed = parseConfig(input);

    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toContain("sites.0.providers.0.probes.0.clientAuth");
  });
});
