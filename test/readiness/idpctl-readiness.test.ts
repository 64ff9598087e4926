import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readinessResultSchema } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReadinessWorld, startReadinessWorld } from "./world.js";

/* `idpctl readiness` as an operator runs it: a child process, the secrets and the CA from outside. */

const bin = fileURLToPath(new URL("../../packages/cli/bin/idpctl.js", import.meta.url));
let world: ReadinessWorld;
let dir: string;
let caFile: string;
let configFile: string;

beforeAll(async () => {
  world = await startReadinessWorld({
    users: 300,
    groups: 12,
    apps: [
      { name: "Salesforce", groups: [0, 1] },
      { name: "Workday", groups: [2, 3] },
    ],
    drift: { missingUsers: [5, 6, 7], unassignedGroups: [[1, 3]] },
  });
  dir = await mkdtemp(join(tmpdir(), "idpctl-readiness-"));
  caFile = join(dir, "ca.pem");
  configFile = join(dir, "config.json");
  await writeFile(caFile, world.ca.certPem);
  await writeFile(configFile, JSON.stringify(world.configInput));
});
afterAll(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

function idpctl(args: string[], env: Record<string, string> = world.secrets) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("idpctl readiness", () => {
  it("prints {sites: [...]} with --json and exits 1 when a site is below its minimum", async () => {
    const { code, stdout } = await idpctl(["readiness", "--config", configFile, "--ca", caFile, "--json"]);

    expect(code).toBe(1);
    const output = z.object({ sites: z.array(z.unknown()) }).parse(JSON.parse(stdout));
    const site = readinessResultSchema.parse(output.sites[0]);
    expect(site).toMatchObject({
      site: "acme",
      status: "complete",
      users: {
        primaryActive: 300,
        matched: 297,
        missingCount: 3,
        missing: ["user5@example.com", "user6@example.com", "user7@example.com"],
      },
    });
    // Salesforce (groups 0, 1) leaves out its two missing members; Workday also group 3's 50 members.
    expect(site.apps.items.map((a) => [a.name, a.notCoveredCount])).toEqual([
      ["Salesforce", 2],
      ["Workday", 51],
    ]);
    expect(site.readinessPct).toBeLessThan(98);
  });

  it("lists the worst drift first in the table", async () => {
    const { code, stdout } = await idpctl(["readiness", "--config", configFile, "--ca", caFile]);

    expect(code).toBe(1);
    expect(stdout).toContain("BELOW the minimum");
    const drift = stdout.slice(stdout.indexOf("drift, worst first")).split("\n").slice(1, 4);
    expect(drift[0]).toContain("app Workday: 51 of 100 assigned user(s) cannot sign in");
    expect(drift[0]).toContain("groups not assigned in entra: Team 00003");
    expect(drift[1]).toContain(
      "no entra account: 3 (user5@example.com, user6@example.com, user7@example.com)",
    );
  });

  it("exits 0 when every site is at or above its minimum", async () => {
    const lenient = {
      ...world.configInput,
      sites: (world.configInput.sites as Array<Record<string, unknown>>).map((s) => ({
        ...s,
        continuity: { ...(s.continuity as object), minReadinessPct: 80 },
      })),
    };
    const file = join(dir, "lenient.json");
    await writeFile(file, JSON.stringify(lenient));

    const { code, stdout } = await idpctl(["readiness", "--config", file, "--ca", caFile]);

    expect(code).toBe(0);
    expect(stdout).toContain("acme  82.3% ready: entra for okta's 300 active user(s) (minimum 80%)\n");
  });

  it("names an unset secret and exits 2, printing no secret", async () => {
    const { code, stderr, stdout } = await idpctl(["readiness", "--config", configFile, "--ca", caFile], {
      OKTA_READINESS_TOKEN: world.secrets.OKTA_READINESS_TOKEN ?? "",
    });

    expect(code).toBe(2);
    expect(stderr).toContain("set ENTRA_READINESS_SECRET in the environment");
    expect(`${stdout}${stderr}`).not.toContain(world.secrets.OKTA_READINESS_TOKEN);
  });

  it("refuses an unknown site with exit 2", async () => {
    const { code, stderr } = await idpctl(["readiness", "--config", configFile, "--site", "nope"]);

    expect(code).toBe(2);
    expect(stderr).toContain('no site "nope"');
  });

  it("reports a read Okta refuses as partial, with the fix, and exits 1", async () => {
    const { code, stdout } = await idpctl(["readiness", "--config", configFile, "--ca", caFile], {
      ...world.secrets,
      OKTA_READINESS_TOKEN: "00WrongToken",
    });

    expect(code).toBe(1);
    expect(stdout).toContain("unknown (partial read");
    expect(stdout).toContain("HTTP 401 E0000011");
    expect(stdout).toContain("fix: check continuity.okta.auth");
    expect(stdout).not.toContain("00WrongToken");
  });
});
