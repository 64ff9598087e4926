import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIdpctl } from "@idp-failover/cli";
import { capturedIo } from "@idp-failover/cli/testing";
import { testConfig, testConfigInput } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AwsWorld, idpctlEnv, startAwsWorld, stubOperatorCredentials } from "../aws/fixtures.js";
import { expectNoSecretIn, leakedSecret, leakyErrorText } from "./leaks.js";

/*
 * idpctl's output, through `runIdpctl` as the binary calls it: a secret the config references, read
 * from the environment, is in no form in what a command prints, even when what it prints came from
 * somewhere else (here an audit record written before redaction existed, read back from dynalite).
 */

let world: AwsWorld;
let dir: string;
let configFile: string;

beforeAll(async () => {
  world = await startAwsWorld(testConfig());
  dir = await mkdtemp(join(tmpdir(), "idpctl-redact-"));
  configFile = join(dir, "config.json");
  await writeFile(configFile, JSON.stringify(testConfigInput()));
  stubOperatorCredentials();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("what idpctl prints", () => {
  it("holds no form of a secret the config references, whatever the command read", async () => {
    // Prepare: an unredacted record in the table, as an older version or another tool left it.
    const unredacted = world.adapters();
    const at = new Date().toISOString();
    await unredacted.store.appendAudit([
      { site: "acme", at, seq: 1, actor: "evaluator", action: "note", reason: leakyErrorText() },
    ]);
    const io = capturedIo({
      env: { ...idpctlEnv(world), SLACK_BOT_TOKEN: leakedSecret },
    });

    // Act
    const text = await runIdpctl(["history", "--config", configFile, "--site", "acme", "--since", "1h"], io);
    const json = await runIdpctl(["history", "--config", configFile, "--site", "acme", "--json"], io);

    // Assess
    expect([text, json]).toEqual([0, 0]);
    expect(io.stdout()).toContain("[redacted]");
    expectNoSecretIn(io.stdout() + io.stderr());
  });
});
