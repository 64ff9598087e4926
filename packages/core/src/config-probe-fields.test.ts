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

describe("http probe assertions", () => {
  it("refuses assertions the probe could not run, naming each one's path", () => {
    // Prepare: each would fail the probe in every region at once, which looks like an outage.
    const url = "https://example.okta.com/health";
    const input = configWith([
      { kind: "http", name: "regex", url, bodyRegex: "([a-z" },
      { kind: "http", name: "path", url, jsonPath: "$.items[?(@.up)]" },
      { kind: "http", name: "equals", url, jsonEquals: "up" },
      { kind: "http", name: "head", url, method: "HEAD", bodyRegex: "up" },
    ]);

    // Act
    const parsed = parseConfig(input);

    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual([
      "sites.0.providers.0.probes.0.bodyRegex",
      "sites.0.providers.0.probes.1.jsonPath",
      "sites.0.providers.0.probes.2.jsonEquals",
      "sites.0.providers.0.probes.3.method",
    ]);
  });

  it("accepts a compiling regex and a JSON path with the value it must equal", () => {
    // Prepare
    const input = configWith([
      { kind: "http", url: "https://example.okta.com/health", bodyRegex: '"status":\\s*"up"' },
      {
        kind: "http",
        name: "json",
        url: "https://example.okta.com/health",
        jsonPath: "$.items[0]['state']",
        jsonEquals: "up",
      },
    ]);

    // Act
    const parsed = parseConfig(input);

    // Assess
    expect(parsed.ok).toBe(true);
  });
});
