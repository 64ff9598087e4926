import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runIdpctl } from "@idp-failover/cli";
import { capturedIo } from "@idp-failover/cli/testing";
import { probeResultSchema } from "@idp-failover/core";
import { createTestCa, oktaStandInDefaults } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretValues, standInConfigInput, useIdps } from "./support.js";

/*
 * `idpctl probe` as a user runs it: secrets and the CA from the environment. Command lines run through
 * `runIdpctl` (what the binary calls) in this process, trusting the stand-ins' CA with --ca; the
 * binary runs where only a process can show it: Node reads NODE_EXTRA_CA_CERTS when it starts.
 */

const bin = fileURLToPath(new URL("../../packages/cli/bin/idpctl.js", import.meta.url));
const idps = useIdps();
let dir: string;
let caFile: string;
let otherCaFile: string;
let configFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-probe-"));
  caFile = join(dir, "ca.pem");
  otherCaFile = join(dir, "other-ca.pem");
  configFile = join(dir, "config.json");
  await writeFile(caFile, idps.ca.certPem);
  await writeFile(otherCaFile, (await createTestCa({ commonName: "another private CA" })).certPem);
  await writeFile(configFile, JSON.stringify(standInConfigInput(idps, ["alpha", "beta"])));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function idpctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo({ env: { ...secretValues } });
  const code = await runIdpctl(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function idpctlProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir, ...secretValues, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function jsonLines(stdout: string) {
  return stdout
    .trim()
    .split("\n")
    .map((line) => probeResultSchema.parse(JSON.parse(line)));
}

describe("idpctl probe", () => {
  it("runs a site's plan, prints one JSON object per result, and exits 0 when all pass", async () => {
    // Act
    const run = await idpctl(["probe", "--config", configFile, "--site", "alpha", "--json", "--ca", caFile]);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const results = jsonLines(run.stdout);
    expect(results).toHaveLength(9);
    expect(results.every((r) => r.ok && r.site === "alpha" && r.region === "local")).toBe(true);
  });

  it("prints a table and exits 1 when a probe fails", async () => {
    // Prepare
    await idps.entra.setFault({ mode: "service-degraded" });

    // Act
    const run = await idpctl([
      "probe",
      "--config",
      configFile,
      "--site",
      "beta",
      "--provider",
      "entra",
      "--ca",
      caFile,
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^SITE\s+PROVIDER\s+PROBE\s+RESULT/);
    expect(run.stdout).toMatch(/graph-health\s+FAIL.*upstream: Microsoft service health/);
    expect(run.stderr).toContain("1 of 4 probe(s) failed");
  });

  it("runs one ad-hoc probe, trusting the private CA named by NODE_EXTRA_CA_CERTS", async () => {
    // Prepare
    const issuer = idps.okta.issuer("default");

    // Act
    const [trusted, untrusted] = await Promise.all([
      idpctlProcess(["probe", "--kind", "oidc-discovery", "--url", issuer, "--json"], {
        NODE_EXTRA_CA_CERTS: caFile,
      }),
      idpctlProcess(["probe", "--kind", "oidc-discovery", "--url", issuer, "--json", "--timeout-ms", "2000"]),
    ]);

    // Assess
    expect(trusted.code).toBe(0);
    expect(jsonLines(trusted.stdout)).toMatchObject([{ ok: true, kind: "oidc-discovery", status: 200 }]);
    expect(untrusted.code).toBe(1);
    expect(jsonLines(untrusted.stdout)[0]?.error?.class).toBe("tls");
  });

  it("checks a sign-in page by hand: the authorize endpoint from --issuer, for a registered client", async () => {
    const client = oktaStandInDefaults.client;
    const result = await idpctl([
      "probe",
      "--kind",
      "interactive-sign-in",
      "--issuer",
      idps.okta.issuer("default"),
      "--client-id",
      client.clientId,
      "--redirect-uri",
      client.redirectUris[0] ?? "",
      "--expect",
      "okta-login-container",
      "--json",
      "--ca",
      caFile,
    ]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toMatchObject([{ ok: true, kind: "interactive-sign-in", status: 200 }]);
  });

  it("trusts a --ca file as well as NODE_EXTRA_CA_CERTS, not instead of it", async () => {
    // Act: the IdP's CA is only in NODE_EXTRA_CA_CERTS; --ca names another one.
    const run = await idpctlProcess(
      [
        "probe",
        "--kind",
        "jwks",
        "--url",
        `${idps.okta.issuer("default")}/v1/keys`,
        "--json",
        "--ca",
        otherCaFile,
      ],
      { NODE_EXTRA_CA_CERTS: caFile },
    );

    // Assess
    expect(jsonLines(run.stdout)).toMatchObject([{ ok: true, status: 200 }]);
    expect(run.code).toBe(0);
  });

  it("honours --timeout-ms on an IdP that hangs", async () => {
    // Prepare
    await idps.okta.setFault({ mode: "hang" });

    // Act
    const run = await idpctl([
      "probe",
      "--kind",
      "jwks",
      "--url",
      `${idps.okta.issuer("default")}/v1/keys`,
      "--timeout-ms",
      "300",
      "--json",
      "--ca",
      caFile,
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout)[0]?.error?.class).toBe("timeout");
  });

  it("exits 2 on bad input: an unknown site, a probe without what it needs, or two modes at once", async () => {
    // Act
    const [unknownSite, noIssuer, both] = await Promise.all([
      idpctl(["probe", "--config", configFile, "--site", "gamma"]),
      idpctl(["probe", "--kind", "token", "--url", "https://example.okta.com/oauth2/default/v1/token"]),
      idpctl(["probe", "--config", configFile, "--kind", "jwks", "--url", "https://example.com/keys"]),
    ]);

    // Assess
    expect(unknownSite).toMatchObject({ code: 2, stdout: "" });
    expect(unknownSite.stderr).toContain('no site "gamma"');
    expect(noIssuer.code).toBe(2);
    expect(noIssuer.stderr).toContain("--issuer");
    expect(both.code).toBe(2);
  });

  it("names the missing flags of an ad-hoc probe, and refuses flags that would be ignored", async () => {
    // Prepare
    const issuer = idps.okta.issuer("default");

    // Act
    const [missing, siteWithKind, issuerWithConfig, notPem] = await Promise.all([
      idpctl(["probe", "--kind", "token", "--url", `${issuer}/v1/token`, "--issuer", issuer]),
      idpctl(["probe", "--kind", "jwks", "--url", `${issuer}/v1/keys`, "--site", "alpha"]),
      idpctl(["probe", "--config", configFile, "--issuer", issuer]),
      idpctl(["probe", "--kind", "jwks", "--url", `${issuer}/v1/keys`, "--ca", configFile]),
    ]);

    // Assess: nothing was probed.
    expect([missing, siteWithKind, issuerWithConfig, notPem].map((r) => [r.code, r.stdout])).toEqual([
      [2, ""],
      [2, ""],
      [2, ""],
      [2, ""],
    ]);
    expect(missing.stderr).toContain(
      "--client-id is required\n  --secret-ref is required\n  --scope is required",
    );
    expect(siteWithKind.stderr).toContain("--site: only with --config");
    expect(issuerWithConfig.stderr).toContain("--issuer: only with --kind");
    expect(notPem.stderr).toContain("holds no PEM certificate");
  });
});
