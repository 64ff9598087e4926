import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAwsAdapters } from "@idp-failover/aws";
import {
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  type OktaStandIn,
  oktaStandInDefaults,
  type SlackStandIn,
  startEntraStandIn,
  startOktaStandIn,
  startSlackStandIn,
} from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedCredentials, startEmbeddedDynamo } from "../../packages/cli/src/loop/embedded-dynamo.js";

/*
 * `idpctl run` as an operator runs it against their own IdPs (here the Okta and Entra stand-ins over
 * HTTPS, trusted with --ca), Slack (the stand-in) and an embedded store on disk: it probes, fails over
 * (DNS as a dry run) and, on SIGTERM, stops cleanly; the data directory then reads back whole.
 */

const bin = new URL("../../packages/cli/bin/idpctl.js", import.meta.url).pathname;
const tenantId = entraStandInDefaults.tenantId;
let dir: string;
let okta: OktaStandIn;
let entra: EntraStandIn;
let slack: SlackStandIn;
let configFile: string;
let caFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-run-"));
  const ca = await createTestCa();
  [okta, entra, slack] = await Promise.all([
    startOktaStandIn({ ca }),
    startEntraStandIn({ ca }),
    startSlackStandIn({ signingSecret: "run-signing-secret" }),
  ]);
  caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.certPem);
  configFile = join(dir, "config.json");
  await writeFile(
    configFile,
    JSON.stringify({
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      policy: {
        cadenceSeconds: 5,
        probeTimeoutMs: 2000,
        slowMs: 1500,
        confirm: { retries: 0 },
        staleAfterSeconds: 20,
      },
      alerting: { slack: { channel: "#idp-failover", approvers: { users: ["U0APPROVER"] } } },
      sites: [
        {
          id: "example",
          hostname: "login.example.com",
          hostedZoneId: "Z0123456789ABCDEFGHIJ",
          providers: [
            {
              id: "okta",
              kind: "okta",
              issuer: okta.issuer("default"),
              dnsTarget: "example.customdomains.okta.com",
              probes: [
                { kind: "oidc-discovery" },
                { kind: "jwks" },
                {
                  kind: "token",
                  clientId: oktaStandInDefaults.client.clientId,
                  clientSecretRef: "OKTA_PROBE_CLIENT_SECRET",
                  scope: "idp_failover.probe",
                },
              ],
            },
            {
              id: "entra",
              kind: "entra",
              tenantId,
              issuer: entra.issuer(tenantId),
              dnsTarget: "example-login.azurefd.net",
            },
          ],
        },
      ],
    }),
  );
});
afterAll(async () => {
  await Promise.all([okta?.close(), entra?.close(), slack?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function idpctl(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      NO_COLOR: "1",
      OKTA_PROBE_CLIENT_SECRET: oktaStandInDefaults.client.clientSecret,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(what: string, running: Running, test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not seen in ${timeoutMs} ms\n${running.stdout()}\n${running.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("idpctl run", () => {
  it("probes, fails over with DNS as a dry run, and stops cleanly on SIGTERM with its store whole", async () => {
    // Prepare
    const data = join(dir, "data");
    const run = idpctl([
      "run",
      "--config",
      configFile,
      "--data",
      data,
      "--ca",
      caFile,
      "--slack-api-url",
      slack.apiUrl,
      "--operator",
      "ana",
    ]);
    await until(
      "every region reporting",
      run,
      () => (run.stdout().match(/sees \w+ stale -> \w+/g) ?? []).length >= 6,
    );

    // Act
    await okta.setFault({ mode: "http-5xx", status: 503 });
    await until("failover", run, () => run.stdout().includes("failing-over -> secondary-active"));
    await until("the Slack message", run, () => slack.messages.some((m) => m.text.includes("Failed over")));
    run.child.kill("SIGTERM");
    const code = await run.exited;
    await okta.clearFault();

    // Assess
    expect(code).toBe(0);
    expect(run.stderr()).toContain("stopped cleanly");
    expect(run.stdout()).toContain("dashboard: http://127.0.0.1:");
    expect(run.stdout()).toMatch(
      /dry run, not sent: would UPSERT login\.example\.com CNAME \(TTL 60\) in zone Z0123456789ABCDEFGHIJ: okta weight 0 -> example\.customdomains\.okta\.com; entra weight 100/,
    );
    const dynamo = await startEmbeddedDynamo({ dataDir: data });
    const store = createAwsAdapters({
      tableName: dynamo.tableName,
      eventBusName: "idp-failover",
      region: "us-east-1",
      endpoints: { dynamodb: dynamo.endpoint },
      credentials: embeddedCredentials,
    });
    try {
      const stored = await store.store.loadState("example");
      const trackers = await store.store.loadTrackers("example");
      expect(stored?.state.state).toBe("secondary-active");
      expect(stored?.outbox).toBeUndefined();
      expect(trackers).toHaveLength(6);
    } finally {
      store.destroy();
      await dynamo.close();
    }
  }, 120_000);

  it("refuses a probe region the config does not have, before starting anything", async () => {
    // Act
    const run = idpctl([
      "run",
      "--config",
      configFile,
      "--regions",
      "us-east-1,mars-north-1",
      "--no-dashboard",
    ]);
    const code = await run.exited;

    // Assess
    expect(code).toBe(2);
    expect(run.stderr()).toContain("not in the config: mars-north-1");
  }, 60_000);
});
