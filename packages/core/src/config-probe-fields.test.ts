import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { testConfigInput } from "./testing.js";

const url = "https://example.okta.com/health";
/** Microsoft's US Government cloud hosts. */
const usGovHosts = { loginUrl: "https://login.microsoftonline.us", graphUrl: "https://graph.microsoft.us" };

describe("probe spec fields the config accepts", () => {
  it.each([
    {
      name: "client_secret_post on a token probe and Microsoft hosts on a graph-health probe",
      probes: [
        {
          kind: "token",
          clientId: "c",
          clientSecretRef: "SECRET",
          scope: "s",
          clientAuth: "client_secret_post",
        },
        { kind: "graph-health", tenantId: "t1", clientId: "c", clientSecretRef: "SECRET", ...usGovHosts },
      ],
      parsed: [{ kind: "token", clientAuth: "client_secret_post" }, usGovHosts],
    },
    {
      name: "a compiling regex and a JSON path with the value it must equal",
      probes: [
        { kind: "http", url, bodyRegex: '"status":\\s*"up"' },
        { kind: "http", name: "json", url, jsonPath: "$.items[0]['state']", jsonEquals: "up" },
      ],
      parsed: [
        { kind: "http", bodyRegex: '"status":\\s*"up"' },
        { kind: "http", jsonPath: "$.items[0]['state']", jsonEquals: "up" },
      ],
    },
  ])("accepts $name", ({ probes, parsed: expected }) => {
    // Act
    const parsed = parseConfig(testConfigInput({ oktaProbes: probes }));

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // An array matches element by element, and only with as many elements.
    expect(parsed.config.sites[0]?.providers[0]?.probes).toMatchObject(expected);
  });
});

describe("probe spec fields the config refuses, each with its path", () => {
  it.each([
    {
      name: "an unknown client authentication method",
      probes: [
        {
          kind: "token",
          clientId: "c",
          clientSecretRef: "SECRET",
          scope: "s",
          clientAuth: "private_key_jwt",
        },
      ],
      paths: ["sites.0.providers.0.probes.0.clientAuth"],
    },
    {
      // Each would fail the probe in every region at once, which looks like an outage.
      name: "http assertions the probe could not run",
      probes: [
        { kind: "http", name: "regex", url, bodyRegex: "([a-z" },
        { kind: "http", name: "path", url, jsonPath: "$.items[?(@.up)]" },
        { kind: "http", name: "equals", url, jsonEquals: "up" },
        { kind: "http", name: "head", url, method: "HEAD", bodyRegex: "up" },
      ],
      paths: [
        "sites.0.providers.0.probes.0.bodyRegex",
        "sites.0.providers.0.probes.1.jsonPath",
        "sites.0.providers.0.probes.2.jsonEquals",
        "sites.0.providers.0.probes.3.method",
      ],
    },
  ])("refuses $name", ({ probes, paths }) => {
    // Act
    const parsed = parseConfig(testConfigInput({ oktaProbes: probes }));

    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual(paths);
  });
});
