import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDocumentFile } from "@idp-failover/orchestration/config-file";
import { beforeAll, describe, expect, it } from "vitest";
import { exampleSecrets, repoRoot, type Synthesis, synthesize } from "./synthesize.js";

/*
 * The real stacks with a mixed-tier config: the example's site with its data plane, and a second
 * customer (`globex`) that fails over through the control plane alone (`dataPlane: false`).
 */

function mixedTierConfig(): string {
  const document = readDocumentFile(join(repoRoot, "examples/okta-entra.yaml")) as {
    sites: Array<Record<string, unknown> & { providers: Array<Record<string, unknown>> }>;
  };
  const [example] = document.sites;
  if (!example) throw new Error("the example has no site");
  const { continuity: _continuity, frontDoor: _frontDoor, ...rest } = example;
  const globex = {
    ...rest,
    id: "globex",
    hostname: "login.globex.example",
    providers: example.providers.map((p) => ({ ...p, dnsTarget: `globex.${String(p.dnsTarget)}` })),
    dataPlane: false,
  };
  const file = join(mkdtempSync(join(tmpdir(), "idp-tiers-")), "mixed.json");
  writeFileSync(file, JSON.stringify({ ...document, sites: [example, globex] }));
  return file;
}

let synth: Synthesis;

beforeAll(async () => {
  synth = await synthesize({ configFile: mixedTierConfig(), secrets: exampleSecrets });
}, 300_000);

describe("a mixed-tier deployment", () => {
  it("creates health checks for the site with a data plane only", () => {
    const checks = synth.ofType("aws:route53/healthCheck:HealthCheck").map((c) => c.name);
    expect(checks.sort()).toEqual(
      ["QuorumExample", "VerdictExampleEuWest1", "VerdictExampleUsEast1", "VerdictExampleUsWest2"].sort(),
    );
  });

  it("keeps the weighted records of the control-plane-only site, with no health check on its primary", () => {
    const okta = synth.named("LoginGlobexOkta");
    expect(okta.inputs).toMatchObject({
      name: "login.globex.example",
      setIdentifier: "okta",
      weightedRoutingPolicies: [{ weight: 100 }],
    });
    expect(okta.inputs.healthCheckId).toBeUndefined();
    expect(synth.named("LoginGlobexEntra").inputs.weightedRoutingPolicies).toEqual([{ weight: 0 }]);
    expect(synth.named("LoginExampleOkta").inputs.healthCheckId).toBe("QuorumExample-id");
  });

  it("leaves the control-plane-only site out of the verdict endpoints' manifest", () => {
    const build = synth.builds.find((b) => b.functionID === "VerdictUsEast1");
    const links = (build?.links ?? {}) as Record<string, { sites: Array<{ id: string }> }>;
    const manifest = links.IdpFailoverVerdicts;
    expect(manifest?.sites.map((s) => s.id)).toEqual(["example"]);
  });

  it("lets the evaluator move the weights of both sites: failover through the control plane", () => {
    const names = synth.named("EvaluateRole").inputs.inlinePolicies as Array<{ policy: string }>;
    const statements = names.flatMap(
      (p) =>
        (JSON.parse(p.policy) as { Statement: Array<{ actions?: string[]; conditions?: unknown[] }> })
          .Statement,
    );
    const change = statements.find((s) => s.actions?.includes("route53:ChangeResourceRecordSets"));
    expect(JSON.stringify(change?.conditions)).toContain("login.globex.example");
  });
});
