import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { type ProbeSpec, parseConfig, policySchema, probeResultSchema } from "@idp-failover/core";
import { envSecrets, runProbe } from "@idp-failover/probes";
import { createTestCa, type TestCa } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The front-door probe against local HTTPS front doors: one with a certificate for the login hostname,
 * one with a certificate for another name, one close to expiry. The login hostname
 * (login.example.test) resolves nowhere: the probe reaches each path only by its own address, which is
 * the point (it must never follow the login hostname's DNS).
 */

const loginHostname = "login.example.test";
const issuer = `https://${loginHostname}/realms/acme`;
const day = 86_400_000;

interface FrontDoor {
  url: string;
  /** SNI and Host of each request, as the server saw them. */
  seen: Array<{ servername: string | false | null; host: string | undefined; path: string | undefined }>;
  status: number;
  body: string;
  server: Server;
}

let ca: TestCa;
let good: FrontDoor;
let wrongName: FrontDoor;
let expiring: FrontDoor;
let dir: string;
let caFile: string;

async function startFrontDoor(
  hosts: string[],
  notAfter = new Date(Date.now() + 60 * day),
): Promise<FrontDoor> {
  const identity = await ca.issue({ hosts, notAfter });
  const door: FrontDoor = {
    url: "",
    seen: [],
    status: 200,
    body: JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }),
    server: createServer(identity, (req, res) => {
      door.seen.push({
        servername: (req.socket as TLSSocket).servername,
        host: req.headers.host,
        path: req.url,
      });
      res.writeHead(door.status, { "content-type": "application/json" });
      res.end(door.body);
    }),
  };
  await new Promise<void>((resolve) => door.server.listen(0, "127.0.0.1", resolve));
  door.url = `https://127.0.0.1:${(door.server.address() as AddressInfo).port}`;
  return door;
}

beforeAll(async () => {
  ca = await createTestCa();
  [good, wrongName, expiring] = await Promise.all([
    startFrontDoor([loginHostname]),
    startFrontDoor(["other.example.test"]),
    startFrontDoor([loginHostname], new Date(Date.now() + 5 * day)),
  ]);
  dir = await mkdtemp(join(tmpdir(), "front-door-"));
  caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.certPem);
});

afterAll(async () => {
  await Promise.all([good, wrongName, expiring].map((d) => new Promise((r) => d.server.close(r))));
  await rm(dir, { recursive: true, force: true });
});

function frontDoorSpec(door: FrontDoor, extra: Partial<Extract<ProbeSpec, { kind: "front-door" }>> = {}) {
  return {
    kind: "front-door" as const,
    url: door.url,
    hostname: loginHostname,
    path: "/realms/acme/.well-known/openid-configuration",
    expectIssuer: issuer,
    ...extra,
  };
}

function probe(spec: ProbeSpec) {
  return runProbe(spec, {
    secrets: envSecrets({}),
    policy: policySchema.parse({ probeTimeoutMs: 4000, slowMs: 3000, confirm: { retries: 1, delayMs: 10 } }),
    ca: ca.certPem,
    now: Date.now,
  });
}

describe("front-door probe", () => {
  it("passes a path whose certificate covers the login hostname and whose document names the apps' issuer", async () => {
    // Prepare
    good.seen.length = 0;
    // Act
    const result = await probe(frontDoorSpec(good));
    // Assess
    expect(result).toMatchObject({ ok: true, status: 200, kind: "front-door", criticality: "critical" });
    expect(good.seen).toEqual([
      {
        servername: loginHostname,
        host: `${loginHostname}:${new URL(good.url).port}`,
        path: "/realms/acme/.well-known/openid-configuration",
      },
    ]);
  });

  it("fails as tls when the path's certificate is for another name", async () => {
    const result = await probe(frontDoorSpec(wrongName));
    expect(result.ok).toBe(false);
    expect(result.error?.class).toBe("tls");
    expect(wrongName.seen).toEqual([]);
  });

  it("fails as content when the path serves another issuer than the apps trust", async () => {
    good.body = JSON.stringify({ issuer: "https://acme.okta.example/oauth2/default" });
    try {
      const result = await probe(frontDoorSpec(good));
      expect(result).toMatchObject({ ok: false, error: { class: "content" } });
      expect(result.error?.message).toContain("names issuer https://acme.okta.example/oauth2/default");
    } finally {
      good.body = JSON.stringify({ issuer });
    }
  });

  it("fails as http-5xx when the front door cannot reach its upstream", async () => {
    good.status = 502;
    try {
      const result = await probe(frontDoorSpec(good));
      expect(result).toMatchObject({ ok: false, status: 502, error: { class: "http-5xx" } });
      expect(result.error?.message).toContain(`${loginHostname} via 127.0.0.1`);
    } finally {
      good.status = 200;
    }
  });

  it("warns (upstream: degraded, not down) when the certificate expires within the warning days", async () => {
    const result = await probe(frontDoorSpec(expiring, { expiryWarningDays: 14 }));
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { class: "upstream" } });
    expect(result.error?.message).toMatch(/expires on \d{4}-\d\d-\d\d \(in [45] days, warning at 14\)/);
    const quiet = await probe(frontDoorSpec(expiring, { expiryWarningDays: 3 }));
    expect(quiet.ok).toBe(true);
  });
});

describe("front-door probes from the config", () => {
  it("probes each provider's dnsTarget with the site's front-door issuer, on by default", () => {
    const parsed = parseConfig({
      sites: [
        {
          id: "acme",
          hostname: loginHostname,
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          frontDoor: { issuer },
          providers: [
            { id: "okta", kind: "okta", issuer: "https://acme.okta.com", dnsTarget: "okta.idp.example.test" },
            { id: "entra", kind: "entra", tenantId: "t-1", dnsTarget: "entra.idp.example.test" },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const frontDoors = parsed.config.sites[0]?.providers.map((p) =>
      p.probes.find((x) => x.kind === "front-door"),
    );
    expect(frontDoors).toEqual([
      {
        kind: "front-door",
        name: "front-door",
        criticality: "critical",
        url: "https://okta.idp.example.test",
        hostname: loginHostname,
        path: "/realms/acme/.well-known/openid-configuration",
        expectIssuer: issuer,
        expiryWarningDays: 14,
      },
      expect.objectContaining({ url: "https://entra.idp.example.test", expectIssuer: issuer }),
    ]);
  });
});

describe("idpctl probe --kind front-door", () => {
  const bin = fileURLToPath(new URL("../../packages/cli/bin/idpctl.js", import.meta.url));
  function idpctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === "number" ? error.code : error ? 1 : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it("checks one path of the login hostname, trusting extra CAs through NODE_EXTRA_CA_CERTS", async () => {
    const ok = await idpctl([
      "probe",
      "--kind",
      "front-door",
      "--url",
      good.url,
      "--hostname",
      loginHostname,
      "--expect-issuer",
      issuer,
      "--json",
    ]);
    expect(ok.stderr).toBe("");
    expect(probeResultSchema.parse(JSON.parse(ok.stdout))).toMatchObject({ ok: true, kind: "front-door" });
    const wrong = await idpctl([
      "probe",
      "--kind",
      "front-door",
      "--url",
      wrongName.url,
      "--hostname",
      loginHostname,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("tls");
  });

  it("says which flag is missing", async () => {
    const missing = await idpctl(["probe", "--kind", "front-door", "--url", good.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--hostname");
  });
});
