import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIdpctl } from "@idp-failover/cli";
import { capturedIo } from "@idp-failover/cli/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fastDrillPolicy, fastDrillSpeed } from "./fast-drill.js";

/*
 * The drill as a user runs it: `idpctl drill`, a whole game day against the stand-ins, the exit code,
 * the timeline and the report. Command lines run through `runIdpctl` (what the binary calls) in this
 * process; Ctrl-C needs the binary, so that test runs it. A faster clock and a shorter policy
 * (`--policy`, see fast-drill.ts) keep a game day around ten seconds; the rest is the default drill.
 */

const bin = new URL("../../packages/cli/bin/idpctl.js", import.meta.url).pathname;
let dir: string;
let policyFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-drill-"));
  policyFile = join(dir, "policy.json");
  await writeFile(policyFile, JSON.stringify(fastDrillPolicy));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function idpctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo();
  const code = await runIdpctl(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/**
 * Runs the binary to its end; `onOutput` sees stdout as it grows and may signal the process (as a
 * user's Ctrl-C would).
 */
function idpctlProcess(
  args: string[],
  onOutput: (stdout: string, child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput(stdout, child);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("idpctl drill", () => {
  it("plays a full outage to a passing end, exits 0 and prints the SLA report's path last", async () => {
    // Prepare
    const reportDir = join(dir, "reports");

    // Act
    const run = await idpctl([
      "drill",
      "--speed",
      String(fastDrillSpeed),
      "--auto-approve",
      "--no-dashboard",
      "--policy",
      policyFile,
      "--report-dir",
      reportDir,
    ]);

    // Assess
    expect(run.stderr).not.toContain("drill failed");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const reportPath = join(reportDir, "drill-sla-report.html");
    expect(lines.at(-1)).toBe(reportPath);
    expect(run.stdout).toMatch(/STATE +primary-active -> failing-over: okta down in /);
    expect(run.stdout).toMatch(/DNS +change \S+ INSYNC: login\.example\.com now weighted okta 0, entra 100/);
    expect(run.stdout).toMatch(/APPROVAL +U0DRILLOPS pressed Approve failback: approved/);
    expect(run.stdout).toMatch(/STATE +failing-back -> primary-active: failback complete after 3 step\(s\)/);
    expect(run.stdout).toContain("PASS failed over within the policy's bound");
    expect(run.stdout).toContain("PASS no false flip");
    expect(run.stdout).toContain("PASS failback completed");
    // The pager was paged for the incident (its first trigger is the incident's first alert: failing
    // over, or both down on a loaded machine) and the page resolved with the failback; Teams saw it all.
    expect(run.stdout).toMatch(
      /PagerDuty \(stand-in\): 1 alert\(s\)\n {2}idp-failover\/example\/incident:\S+: resolved \[trigger( -> trigger)* -> acknowledge -> resolve\] critical: login\.example\.com: /,
    );
    expect(run.stdout).toMatch(
      /Teams \(stand-in\): \d+ card\(s\) posted: failing-over, failed-over, .*failback-done/,
    );
    const html = await readFile(reportPath, "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("login.example.com");
  }, 60_000);

  it("stops on Ctrl-C: exits 1 saying so, the checks failed, and still prints its report's path last", async () => {
    // Prepare
    const reportDir = join(dir, "interrupted");
    let interrupted = false;

    // Act
    const run = await idpctlProcess(
      ["drill", "--speed", "30", "--no-dashboard", "--policy", policyFile, "--report-dir", reportDir],
      (stdout, child) => {
        if (!interrupted && stdout.includes("PHASE     normal operation")) {
          interrupted = true;
          child.kill("SIGINT");
        }
      },
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("idpctl: drill interrupted");
    expect(run.stdout).toContain("FAIL game day ran to its end: interrupted");
    const reportPath = join(reportDir, "drill-sla-report.html");
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe(reportPath);
    expect(await readFile(reportPath, "utf8")).toMatch(/^<!doctype html>/i);
  }, 60_000);

  it("refuses a --data directory that already holds something, before starting anything", async () => {
    // Prepare
    const data = join(dir, "earlier-drill");
    await mkdir(data);
    await writeFile(join(data, "CURRENT"), "MANIFEST-000004\n");

    // Act
    const run = await idpctl(["drill", "--data", data, "--no-dashboard"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--data ${data} is not empty`);
    expect(run.stdout).toBe("");
  });

  it("refuses a clock too fast for the policy's timeouts, before starting anything", async () => {
    // Act
    const run = await idpctl(["drill", "--speed", "50", "--no-dashboard"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--speed 50 is too fast for the drill's policy");
    expect(run.stdout).not.toContain("PHASE");
  });
});
