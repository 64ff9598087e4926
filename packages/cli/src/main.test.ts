import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseConfig } from "@idp-failover/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "./program.js";
import { runIdpctl } from "./run-idpctl.js";
import { capturedIo } from "./testing.js";

/*
 * `idpctl validate` and `idpctl replay` as people run them: the exit codes (0 done, 2 bad input) and
 * what lands on stdout and stderr. The command lines run in this process through `runIdpctl`, the
 * function the binary calls; the last test runs the binary itself, for what only a process shows.
 */

const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "packages", "cli", "bin", "idpctl.js");
const example = join(root, "examples", "okta-entra.yaml");
const mspExample = join(root, "examples", "msp.yaml");
const scenario = join(root, "examples", "scenarios", "okta-outage.json");

async function idpctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo();
  const code = await runIdpctl(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The real binary in its own process (tsx, main.ts, process.exitCode). */
async function idpctlProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: root,
      maxBuffer: 16 * 2 ** 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-main-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("idpctl validate", () => {
  it("prints the shipped example's effective config, defaults applied, and exits 0", async () => {
    const run = await idpctl("validate", "--config", example, "--json");

    expect(run.code).toBe(0);
    const printed: unknown = JSON.parse(run.stdout);
    const reparsed = parseConfig(printed);
    expect(reparsed.ok ? reparsed.config.policy.failure.firstAttemptMinSamples : reparsed.issues).toBe(12);
    expect(JSON.stringify(printed)).toContain('"dataPlane"');
    expect(run.stderr).toContain(
      "Route 53 health checks: 4 (3 HTTPS, 1 calculated) of the account's quota of 200",
    );
  });

  it("says how a region's probe round runs: in the probe function for one site, in shard workers for 1,000", async () => {
    // Prepare: 1,000 copies of the example's site, each its own customer, through the control plane alone.
    const document = parse(await readFile(example, "utf8")) as { sites: Array<Record<string, unknown>> };
    const [site] = document.sites;
    const { continuity: _continuity, ...rest } = site ?? {};
    const sites = Array.from({ length: 1000 }, (_, i) => ({
      ...rest,
      id: `customer-${i}`,
      hostname: `login.customer-${i}.example`,
      frontDoor: { issuer: `https://login.customer-${i}.example/realms/workforce` },
      dataPlane: false,
    }));
    const file = join(dir, "thousand.json");
    await writeFile(file, JSON.stringify({ ...document, sites }));

    // Act
    const [one, thousand] = [
      await idpctl("validate", "--config", example),
      await idpctl("validate", "--config", file),
    ];

    // Assess
    expect([one.code, thousand.code]).toEqual([0, 0]);
    expect(one.stderr).toMatch(
      /Probe rounds: 12 probes a region every 10 s, in the probe function \(\d+ MB; about [\d.]+ s of the 5\.0 s budget\)/,
    );
    const sharded =
      /Probe rounds: 12,000 probes a region every 10 s, in (\d+) shard workers of up to (\d+) probes \(\d+ MB; about ([\d.]+) s of the 5\.0 s budget\)/.exec(
        thousand.stderr,
      );
    expect(sharded).not.toBeNull();
    const [, shards = "0", largest = "0", seconds = "0"] = sharded ?? [];
    expect(Number(shards)).toBeGreaterThan(1);
    expect(Number(largest)).toBeLessThan(12_000);
    expect(Number(seconds)).toBeLessThanOrEqual(5);
  });

  it("refuses a deployment that would reserve more Lambda concurrency than the account may, saying how to raise it", async () => {
    // Prepare: the example reserves 7 in us-east-1; a quota of 105 leaves 5 to reserve beside Lambda's 100.
    const file = join(dir, "tight.json");
    const document = parse(await readFile(example, "utf8")) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...document, lambdaConcurrencyQuota: 105 }));

    // Act
    const tight = await idpctl("validate", "--config", file);
    await writeFile(file, JSON.stringify({ ...document, lambdaConcurrencyQuota: 108 }));
    const near = await idpctl("validate", "--config", file);

    // Assess
    expect([tight.code, tight.stdout]).toEqual([2, ""]);
    expect(tight.stderr).toContain("lambdaConcurrencyQuota: reserves 7 concurrent executions in us-east-1");
    expect(tight.stderr).toContain("Service Quotas console");
    expect(near.code).toBe(0);
    expect(near.stderr).toMatch(
      /warnings:\n {2}lambdaConcurrencyQuota: reserves 7 .* of the account's Lambda quota of 108/,
    );
  });

  it("prints one site's effective config with --site: its own policy and alerting merged over the deployment's", async () => {
    // Act
    const run = await idpctl("validate", "--config", mspExample, "--site", "globex", "--json");
    const unknown = await idpctl("validate", "--config", mspExample, "--site", "nope");

    // Assess
    expect(run.code).toBe(0);
    const site = JSON.parse(run.stdout) as {
      policy: { cadenceSeconds: number; quorum: number; failback: { steps: number[]; holdSeconds: number } };
      alerting: { slack: { channel: string; botTokenRef: string }; webhooks: Array<{ name: string }> };
      tags: string[];
    };
    expect(site.policy).toMatchObject({
      cadenceSeconds: 30,
      quorum: 2,
      failback: { steps: [50, 100], holdSeconds: 300 },
    });
    expect(site.alerting.slack).toMatchObject({
      channel: "#identity-alerts",
      botTokenRef: "GLOBEX_SLACK_BOT_TOKEN",
    });
    expect(site.alerting.webhooks.map((w) => w.name)).toEqual(["globex-pager"]);
    expect(site.tags).toEqual(["globex", "silver", "us"]);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringContaining('no site "nope" in the config (sites: acme, globex, initech)'),
    ]);
  });

  it("prints the MSP example's effective config, each site's own settings only where they differ, and parses it again", async () => {
    // Act
    const run = await idpctl("validate", "--config", mspExample, "--json");

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("warnings:");
    expect(run.stderr).toContain(
      "sites: 3 (3 with a policy of their own, 2 with their own alerting); tags: acme 1, eu 2,",
    );
    expect(run.stderr).toContain(
      "Route 53 health checks: 8 (6 HTTPS, 2 calculated) of the account's quota of 200 (sites: 2 with a data plane, 1 control plane only)",
    );
    expect(run.stderr).toContain(
      "Notification channels: slack #msp-noc (bot SLACK_BOT_TOKEN), webhook:msp-pager (secret MSP_PAGER_WEBHOOK_SECRET), pagerduty (routing key MSP_PAGERDUTY_ROUTING_KEY);" +
        " the sites' own (5): slack@acme #cust-acme-idp (bot SLACK_BOT_TOKEN), pagerduty@acme (routing key ACME_PAGERDUTY_ROUTING_KEY), teams@acme (workflow URL ACME_TEAMS_WORKFLOW_URL), slack@globex #identity-alerts (bot GLOBEX_SLACK_BOT_TOKEN), webhook:globex-pager@globex (secret GLOBEX_WEBHOOK_SECRET)",
    );
    const printed = JSON.parse(run.stdout) as { sites: Array<{ id: string; alerting?: unknown }> };
    expect(printed.sites.map((s) => [s.id, s.alerting !== undefined])).toEqual([
      ["acme", true],
      ["globex", true],
      ["initech", false],
    ]);
    const reparsed = parseConfig(printed);
    expect(reparsed.ok && reparsed.config.sites.map((s) => s.policy.cadenceSeconds)).toEqual([10, 30, 10]);
  });

  it("lists every offending path with its hint and exits 2", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      "regions: [us-east-1, us-west-2]\npolicy: { quorum: 3 }\nsites:\n  - id: Acme\n    hostname: login.acme.com\n    providers: []\n",
    );

    const run = await idpctl("validate", "--config", file);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const path of ["sites.0.id", "sites.0.hostedZoneId", "sites.0.providers", "policy.quorum"]) {
      expect(run.stderr).toContain(`  ${path}: `);
    }
    expect(run.stderr).toContain("hint: find it with `aws route53 list-hosted-zones`");
  });

  it("exits 2 when the file is missing or not YAML, or --config is not given", async () => {
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "sites: [\n");

    const [missing, notYaml, noOption] = await Promise.all([
      idpctl("validate", "--config", join(dir, "nope.yaml")),
      idpctl("validate", "--config", broken),
      idpctl("validate"),
    ]);

    expect([missing.code, notYaml.code, noOption.code]).toEqual([2, 2, 2]);
    expect(missing.stderr).toContain("cannot read");
    expect(notYaml.stderr).toContain("is not valid YAML");
    expect(noOption.stderr).toContain("required option '-c, --config <file>'");
  });
});

describe("idpctl replay", () => {
  it("prints the design's result object with --json, the same bytes on every run", async () => {
    const [first, second] = await Promise.all([
      idpctl("replay", "--scenario", scenario, "--json"),
      idpctl("replay", "--scenario", scenario, "--json"),
    ]);

    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const result = JSON.parse(first.stdout) as {
      transitions: Array<{ at: string; from: string; to: string; reason: string }>;
      dnsChanges: Array<{ at: string; weights: Record<string, number> }>;
      incidents: unknown[];
      summary: { failovers: number };
    };
    expect(result.dnsChanges[0]?.weights).toEqual({ okta: 0, entra: 100 });
    expect(result.dnsChanges[0]?.at).toMatch(/^2026-01-01T10:00:\d{2}\.\d{3}Z$/);
    expect(result.transitions[0]).toMatchObject({ from: "primary-active", to: "failing-over" });
    expect(result.incidents).toHaveLength(1);
    expect(result.summary.failovers).toBe(1);
  });

  it("prints a readable timeline without --json", async () => {
    const run = await idpctl("replay", "--scenario", scenario);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("FAULT     fault begins: okta down in all regions");
    expect(run.stdout).toMatch(/STATE {5}primary-active -> failing-over: okta down in /);
    expect(run.stdout).toMatch(/DNS {7}change C000001 submitted: okta 0, entra 100/);
  });

  it("exits 2 on a bad scenario, naming each problem's path", async () => {
    const file = join(dir, "bad-scenario.json");
    await writeFile(
      file,
      JSON.stringify({
        start: "2026-01-02T00:00:00Z",
        end: "2026-01-01T00:00:00Z",
        providers: [{ id: "okta" }, { id: "entra" }],
        faults: [
          { provider: "okta", from: "2026-01-01T01:00:00Z", to: "2026-01-01T02:00:00Z", mode: "melt" },
        ],
      }),
    );

    const run = await idpctl("replay", "--scenario", file, "--json");

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("  faults.0.mode: Invalid option");
  });
});

describe("idpctl --help", () => {
  it("describes every command, and answers --help with exit 0", async () => {
    const commands = buildProgram().commands;
    const run = await idpctl("replay", "--help");

    expect(commands.filter((c) => c.description() === "").map((c) => c.name())).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: idpctl replay [options]");
  });
});

describe("the idpctl binary", () => {
  it("exits with the command's code, its output on stdout and its problems on stderr", async () => {
    // Act
    const [done, badInput] = await Promise.all([
      idpctlProcess("validate", "--config", example, "--json"),
      idpctlProcess("validate", "--config", join(dir, "nope.yaml")),
    ]);

    // Assess
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(
      /^Route 53 health checks: 4 \(3 HTTPS, 1 calculated\) of the account's quota of 200 \(sites: 1 with a data plane, 0 control plane only\)\nLambda concurrency reserved: 7 in us-east-1 \(probe 1, verdict 5, notify 1\) of the account's quota of 1000; Lambda keeps 100 unreserved\nProbe rounds: 12 probes a region every 10 s, in the probe function \(\d+ MB; about [\d.]+ s of the 5\.0 s budget\)\nNotification channels: slack #idp-failover \(bot SLACK_BOT_TOKEN\), webhook:pagerduty-bridge \(secret WEBHOOK_PAGERDUTY_SECRET\)\n$/,
    );
    expect(JSON.parse(done.stdout)).toMatchObject({ version: 1 });
    expect([badInput.code, badInput.stdout]).toEqual([2, ""]);
    expect(badInput.stderr).toMatch(/^idpctl: cannot read /);
  });
});
