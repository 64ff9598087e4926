import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { functionSizing, lambdaRuntime, parseConfig, probeFanout } from "@idp-failover/core";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  exampleRegions,
  exampleSecrets,
  repoRoot,
  type Synthesis,
  statementsOf,
  synthesize,
  unwrapSecret,
} from "./synthesize.js";

/*
 * The stacks of a deployment whose sites are split into shards (core's probeFanout): the example
 * config with 30 copies of its site and a 5 s cadence, declared offline (see synthesize.ts). Each
 * probe region gets a shard worker sized from the model, and its probe function may invoke that
 * worker and nothing else.
 */

/** The example's document with `count` copies of its site (each its own hostname) and a 5 s cadence. */
function fannedOutDocument(count: number) {
  const document = parse(readFileSync(join(repoRoot, "examples/okta-entra.yaml"), "utf8"));
  const [site] = document.sites;
  document.sites = Array.from({ length: count }, (_, i) => ({
    ...site,
    id: `${site.id}-${i + 1}`,
    hostname: `s${i + 1}.${site.hostname}`,
  }));
  document.policy = { ...document.policy, cadenceSeconds: 5, staleAfterSeconds: 30 };
  return document;
}

const document = fannedOutDocument(30);
const parsed = parseConfig(document);
if (!parsed.ok) throw new Error(`fanned-out config invalid: ${JSON.stringify(parsed.issues)}`);
const fanout = probeFanout(parsed.config);
const sizing = functionSizing(parsed.config);
let synth: Synthesis;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), "idp-fanout-")), "config.json");
  writeFileSync(file, JSON.stringify(document));
  synth = await synthesize({ configFile: file, secrets: exampleSecrets });
}, 300_000);

const regions = exampleRegions;
const statements = (role: string) => statementsOf(synth, role);

describe("probe regions with their sites in shards", () => {
  it("splits this config's sites (the premise of the tests below)", () => {
    expect(fanout.shards).toBeGreaterThan(1);
    expect(sizing.probeShard).toBeDefined();
  });

  it.each(regions)(
    "%s has a shard worker on the runtime the others run, sized from the model",
    (region, name) => {
      const worker = synth.named(`ProbeShard${name}Function`);
      expect(worker.region).toBe(region);
      expect(worker.inputs).toMatchObject({
        architectures: [lambdaRuntime.architecture],
        runtime: lambdaRuntime.runtime,
        memorySize: sizing.probeShard?.memoryMb,
        timeout: sizing.probeShard?.timeoutSeconds,
        reservedConcurrentExecutions: fanout.shards * 2,
      });
    },
  );

  it.each(regions)(
    "%s: the probe function invokes its own region's shard worker and no other function",
    (region, name) => {
      const env = unwrapSecret(synth.named(`Probe${name}Function`).inputs.environment) as {
        variables: Record<string, unknown>;
      };
      expect(env.variables.IDP_FAILOVER_PROBE_SHARD_FUNCTION).toMatch(
        new RegExp(`-ProbeShard${name}Function-`),
      );
      const invoke = statements(`Probe${name}Role`).filter((s) =>
        s.actions?.some((a) => a.startsWith("lambda:")),
      );
      expect(invoke).toEqual([
        expect.objectContaining({
          actions: ["lambda:InvokeFunction"],
          resources: [expect.stringMatching(new RegExp(`:${region}:.*ProbeShard${name}Function$`))],
        }),
      ]);
    },
  );

  it("gives the shard worker no write access: its probe function records what it finds", () => {
    const actions = statements("ProbeShardUsEast1Role").flatMap((s) => s.actions ?? []);
    expect(actions.filter((a) => /^(dynamodb|sqs|events|lambda):/.test(a))).toEqual([]);
  });
});
