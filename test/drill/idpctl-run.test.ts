import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAwsAdapters } from "@idp-failover/aws";
import {
  type CanaryStandIn,
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  type OktaStandIn,
  oktaStandInDefaults,
  type SlackStandIn,
  startCanaryStandIn,
  startEntraStandIn,
  startEventBridgeStandIn,
  startOktaStandIn,
  startRoute53StandIn,
  startSlackStandIn,
} from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedCredentials, startEmbeddedDynamo } from "../../packages/runtime/src/loop/embedded-dynamo.js";

/*
 * `idpctl run` as an operator runs it against their own IdPs (here the Okta and Entra stand-ins over
 * HTTPS, trusted with --ca), Slack (the stand-in) and an embedded store on disk: it probes, fails over
 * (DNS as a dry run) and, on SIGTERM, stops cleanly; the data directory then reads back whole. With
 * the AWS options it keeps its state in a DynamoDB table (dynalite), moves Route 53's weights and
 * publishes to the EventBridge bus (the stand-ins), through the endpoints the AWS SDK is pointed at.
 */

const bin = new URL("../../packages/cli/bin/idpctl.js", import.meta.url).pathname;
const tenantId = entraStandInDefaults.tenantId;
const zoneId = "Z0123456789ABCDEFGHIJ";
let dir: string;
let okta: OktaStandIn;
let entra: EntraStandIn;
let slack: SlackStandIn;
let canary: CanaryStandIn;
let configFile: string;
let caFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-run-"));
  const ca = await createTestCa();
  [okta, entra, slack, canary] = await Promise.all([
    startOktaStandIn({ ca }),
    startEntraStandIn({ ca }),
    startSlackStandIn({ signingSecret: "run-signing-secret" }),
    startCanaryStandIn(),
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
      monitor: { canaries: canary.canaries() },
      sites: [
        {
          id: "example",
          hostname: "login.example.com",
          hostedZoneId: zoneId,
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
  await Promise.all([okta?.close(), entra?.close(), slack?.close(), canary?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function idpctl(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      ...env,
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

  it("keeps state in a DynamoDB table, moves Route 53's weights and publishes events with the AWS options", async () => {
    // Prepare
    const table = await startEmbeddedDynamo();
    const route53 = await startRoute53StandIn({ insyncAfterMs: 200 });
    route53.createZone("example.com", zoneId);
    route53.seed(
      zoneId,
      [
        ["okta", "example.customdomains.okta.com", 100],
        ["entra", "example-login.azurefd.net", 0],
      ].map(([id, target, weight]) => ({
        name: "login.example.com",
        type: "CNAME",
        setIdentifier: String(id),
        weight: Number(weight),
        ttl: 60,
        values: [String(target)],
      })),
    );
    const eventBridge = await startEventBridgeStandIn({ buses: ["idp-failover"] });
    try {
      const run = idpctl(
        [
          "run",
          "--config",
          configFile,
          "--store",
          "dynamodb",
          "--dns",
          "route53",
          "--events",
          "eventbridge",
          "--table",
          table.tableName,
          "--region",
          "us-east-1",
          "--ca",
          caFile,
          "--no-dashboard",
        ],
        {
          AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
          AWS_ENDPOINT_URL_ROUTE_53: route53.url,
          AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
          AWS_ACCESS_KEY_ID: embeddedCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: embeddedCredentials.secretAccessKey,
        },
      );
      await until(
        "every region reporting",
        run,
        () => (run.stdout().match(/sees \w+ stale -> \w+/g) ?? []).length >= 6,
      );

      // Act
      await okta.setFault({ mode: "http-5xx", status: 503 });
      await until("failover in sync", run, () => run.stdout().includes("failing-over -> secondary-active"));
      run.child.kill("SIGTERM");
      const code = await run.exited;
      await okta.clearFault();

      // Assess
      expect(code).toBe(0);
      expect(run.stdout()).toContain(`store: DynamoDB table ${table.tableName}`);
      const weights = Object.fromEntries(
        route53.records(zoneId, "login.example.com").map((r) => [r.setIdentifier, r.weight]),
      );
      expect(weights).toEqual({ okta: 0, entra: 100 });
      const changes = eventBridge
        .events("idp-failover")
        .filter((e) => e.detailType === "Failover State Changed")
        .map((e) => `${String(e.detail.from)} -> ${String(e.detail.to)}`);
      expect(changes).toContain("failing-over -> secondary-active");
      const store = createAwsAdapters({
        tableName: table.tableName,
        eventBusName: "idp-failover",
        region: "us-east-1",
        endpoints: { dynamodb: table.endpoint },
        credentials: embeddedCredentials,
      });
      try {
        expect((await store.store.loadState("example"))?.state.state).toBe("secondary-active");
      } finally {
        store.destroy();
      }
    } finally {
      await Promise.all([table.close(), route53.close(), eventBridge.close()]);
    }
  }, 120_000);

  it("refuses a table it cannot read, before starting anything", async () => {
    // Act
    const run = idpctl(
      [
        "run",
        "--config",
        configFile,
        "--store",
        "dynamodb",
        "--endpoint",
        "http://127.0.0.1:9",
        "--region",
        "us-east-1",
        "--no-dashboard",
      ],
      { AWS_ACCESS_KEY_ID: "AKIDLOCAL", AWS_SECRET_ACCESS_KEY: "local-secret", AWS_MAX_ATTEMPTS: "1" },
    );
    const code = await run.exited;

    // Assess
    expect(code).toBe(1);
    expect(run.stderr()).toContain(
      "--store dynamodb: cannot read table idp-failover in us-east-1 at http://127.0.0.1:9",
    );
    expect(run.stdout()).toBe("");
  }, 60_000);

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
