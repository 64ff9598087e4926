import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDocumentFile } from "@idp-failover/orchestration/config-file";
import { beforeAll, describe, expect, it } from "vitest";
import {
  exampleRegions,
  exampleSecrets,
  repoRoot,
  type Synthesis,
  statementsOf,
  synthesize,
} from "./synthesize.js";

/*
 * The real stacks for a deployment whose every site fails over through the control plane alone
 * (`dataPlane: false`): no verdict endpoint, data-plane table or health check anywhere, and no
 * VerdictPathSecret to set. The login records are still the weighted pair the evaluator moves.
 */

function controlPlaneOnlyConfig(): string {
  const document = readDocumentFile(join(repoRoot, "examples/okta-entra.yaml")) as {
    sites: Array<Record<string, unknown>>;
  };
  const sites = document.sites.map((site) => ({ ...site, dataPlane: false }));
  const file = join(mkdtempSync(join(tmpdir(), "idp-cp-only-")), "control-plane-only.json");
  writeFileSync(file, JSON.stringify({ ...document, sites }));
  return file;
}

let synth: Synthesis;

beforeAll(async () => {
  // The verdict path secret is deliberately not set: this deployment must not need it.
  const secrets = exampleSecrets.filter((name) => name !== "VerdictPathSecret");
  synth = await synthesize({ configFile: controlPlaneOnlyConfig(), secrets });
}, 300_000);

describe("a deployment with no data plane", () => {
  it("deploys no verdict endpoint, data-plane table, health check or verdict path secret", () => {
    const names = synth.resources.map((r) => r.name);
    expect(names.filter((n) => /^(Verdict|DataPlane|Quorum)/.test(n))).toEqual([]);
    expect(synth.ofType("aws:route53/healthCheck:HealthCheck")).toEqual([]);
    expect(synth.outputs.verdictUrls).toEqual({});
  });

  it.each(exampleRegions)("still probes %s, with no data-plane table to write to", (_region, name) => {
    const env = (
      synth.named(`Probe${name}Function`).inputs.environment as { variables: Record<string, string> }
    ).variables;
    expect(env.IDP_FAILOVER_PROBE_QUEUE_URL).toBeDefined();
    expect(env.IDP_FAILOVER_DATA_PLANE_TABLE).toBeUndefined();
    const tables = statementsOf(synth, `Probe${name}Role`)
      .flatMap((s) => s.resources ?? [])
      .filter((arn) => arn.includes(":dynamodb"));
    expect(tables).toEqual([expect.stringMatching(/:dynamodb\/table\/Table$/)]);
  });

  it("keeps the weighted login records, with no health check on the primary", () => {
    const okta = synth.named("LoginExampleOkta");
    expect(okta.inputs).toMatchObject({ setIdentifier: "okta", weightedRoutingPolicies: [{ weight: 100 }] });
    expect(okta.inputs.healthCheckId).toBeUndefined();
    expect(synth.named("LoginExampleEntra").inputs.weightedRoutingPolicies).toEqual([{ weight: 0 }]);
  });
});
