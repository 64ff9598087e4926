import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "./config.js";

const example = parse(
  readFileSync(fileURLToPath(new URL("../../../examples/okta-entra.yaml", import.meta.url)), "utf8"),
);

function minimal(overrides: Record<string, unknown> = {}) {
  return {
    sites: [
      {
        id: "acme",
        hostname: "login.acme.com",
        hostedZoneId: "Z0123456789ABC",
        providers: [
          { id: "okta", kind: "okta", issuer: "https://acme.okta.com", dnsTarget: "acme.okta.com" },
          { id: "entra", kind: "entra", tenantId: "t1", dnsTarget: "acme.azurefd.net" },
        ],
      },
    ],
    ...overrides,
  };
}

describe("config", () => {
  it("accepts the shipped Okta/Entra example", () => {
    const parsed = parseConfig(example);
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
  });

  it("applies defaults to everything but identities and DNS", () => {
    const parsed = parseConfig(minimal());
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const { config } = parsed;
    expect(config.regions).toEqual(["us-east-1", "us-west-2", "eu-west-1"]);
    expect(config.policy.quorum).toBe(2);
    expect(config.policy.failback.steps).toEqual([10, 50, 100]);
    expect(config.sites[0]?.ttl).toBe(60);
    expect(config.sites[0]?.providers[1]?.issuer).toBe("https://login.microsoftonline.com/t1/v2.0");
    expect(config.sites[0]?.providers[0]?.probes.map((p) => p.name)).toEqual(["oidc-discovery", "jwks"]);
    expect(config.sites[0]?.providers.map((p) => p.role)).toEqual(["primary", "secondary"]);
  });

  it("accepts its own effective config back, and refuses a role that disagrees with the order", () => {
    const parsed = parseConfig(example);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const again = parseConfig(JSON.parse(JSON.stringify(parsed.config)));
    expect(again.ok ? again.config : again.issues).toEqual(parsed.config);

    const swapped = minimal();
    const providers = (swapped.sites[0] as { providers: Array<Record<string, unknown>> }).providers;
    (providers[1] as Record<string, unknown>).role = "primary";
    const refused = parseConfig(swapped);
    expect(refused.ok ? [] : refused.issues.map((i) => i.path)).toEqual(["sites.0.providers.1.role"]);
  });

  it("reports every offending path with a hint, not just the first", () => {
    const parsed = parseConfig(
      minimal({
        regions: ["us-east-1", "moon-1"],
        policy: { cadense: 10 },
        sites: [{ id: "Acme", hostname: "login.acme.com", hostedZoneId: "nope", providers: [] }],
      }),
    );
    if (parsed.ok) throw new Error("expected problems");
    const paths = parsed.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "regions.1",
        "policy.cadense",
        "sites.0.id",
        "sites.0.hostedZoneId",
        "sites.0.providers",
      ]),
    );
    expect(parsed.issues.find((i) => i.path === "policy.cadense")?.hint).toBe("did you mean cadenceSeconds?");
    expect(parsed.issues.find((i) => i.path === "sites.0.hostedZoneId")?.hint).toContain("list-hosted-zones");
  });

  it("words zod's own checks in English, as classic zod did (zod/mini ships no messages)", () => {
    const parsed = parseConfig(minimal({ regions: [], policy: { quorum: "two", cadenceSeconds: 1 } }));
    if (parsed.ok) throw new Error("expected problems");
    expect(parsed.issues).toEqual(
      expect.arrayContaining([
        {
          path: "regions",
          message: "Too small: expected array to have >=1 items",
          hint: "AWS region names where probes run, like [us-east-1, us-west-2, eu-west-1]",
        },
        { path: "policy.cadenceSeconds", message: "Too small: expected number to be >=5" },
        { path: "policy.quorum", message: "Invalid input: expected number, received string" },
      ]),
    );
  });

  it("suggests the key meant inside defaulted sections and probe kinds", () => {
    const config = minimal({ policy: { failure: { consecutivRounds: 2 } } });
    const providers = (config.sites[0] as { providers: Array<Record<string, unknown>> }).providers;
    (providers[0] as Record<string, unknown>).probes = [
      { kind: "token", clientid: "0oa1", clientSecretRef: "OKTA_SECRET", scope: "probe" },
    ];
    const parsed = parseConfig(config);
    if (parsed.ok) throw new Error("expected problems");
    const hintAt = (path: string) => parsed.issues.find((i) => i.path === path)?.hint;
    expect(hintAt("policy.failure.consecutivRounds")).toBe("did you mean consecutiveRounds?");
    expect(hintAt("sites.0.providers.0.probes.0.clientid")).toBe("did you mean clientId?");
  });

  it("rejects a secret pasted where a secret reference belongs", () => {
    const config = minimal();
    const providers = (config.sites[0] as { providers: Array<Record<string, unknown>> }).providers;
    (providers[0] as Record<string, unknown>).probes = [
      { kind: "token", clientId: "0oa1", clientSecretRef: "s3cr3t-value with spaces", scope: "probe" },
    ];
    const parsed = parseConfig(config);
    expect(parsed.ok ? "" : parsed.issues[0]?.message).toContain("NAME of a secret");
  });

  it.each([
    [{ policy: { quorum: 4 } }, "policy.quorum", "more than the 3 probe region(s)"],
    [{ policy: { failback: { steps: [50, 10] } } }, "policy.failback.steps", "rise and end at 100"],
    [{ policy: { slowMs: 9000 } }, "policy.slowMs", "below probeTimeoutMs"],
    [{ policy: { staleAfterSeconds: 10 } }, "policy.staleAfterSeconds", "longer than staleAfterSeconds"],
  ])("checks policy coherence: %j", (overrides, path, message) => {
    const parsed = parseConfig(minimal(overrides));
    if (parsed.ok) throw new Error("expected a problem");
    const issue = parsed.issues.find((i) => i.path === path);
    expect(issue?.message).toContain(message);
  });

  it("reports the policy's coherence problems together with the rest of the file's", () => {
    const parsed = parseConfig(minimal({ policy: { quorum: 4 }, sla: { targetPct: 120 } }));
    if (parsed.ok) throw new Error("expected problems");
    expect(parsed.issues.map((i) => i.path)).toEqual(["sla.targetPct", "policy.quorum"]);
  });

  it("rejects duplicate provider ids and a CNAME target that is not a host name", () => {
    const config = minimal();
    const providers = (config.sites[0] as { providers: Array<Record<string, unknown>> }).providers;
    providers[1] = { ...providers[1], id: "okta", dnsTarget: "not a host" };
    const parsed = parseConfig(config);
    if (parsed.ok) throw new Error("expected problems");
    expect(parsed.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["sites.0.providers.1.id", "sites.0.providers.1.dnsTarget"]),
    );
  });

  it("warns about a long TTL and a provider without a token probe", () => {
    const parsed = parseConfig(minimal({ sites: [{ ...minimal().sites[0], ttl: 3600 }] }));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(["sites.0.ttl", "sites.0.providers.0.probes"]),
    );
  });
});
