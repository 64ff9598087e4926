import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import { runIdpctl } from "@idp-failover/cli";
import { capturedIo } from "@idp-failover/cli/testing";
import {
  createTestCa,
  entraStandInDefaults,
  type OktaStandIn,
  oktaStandInProvider,
  type SlackStandIn,
  standInProbeSecrets,
  startCanaryStandIn,
  startEntraStandIn,
  startEventBridgeStandIn,
  startOktaStandIn,
  startRoute53StandIn,
  startSlackStandIn,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "idpctl-run-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * What one `idpctl run` watches, its own so tests can run side by side: the Okta and Entra stand-ins
 * (HTTPS, trusted with the CA file), the Slack stand-in, and a config file naming them. The policy
 * is the shortest the schema allows (5 s cadence, one failed round is down), so a failover takes a
 * few rounds of real time.
 */
interface RunWorld {
  okta: OktaStandIn;
  slack: SlackStandIn;
  configFile: string;
  caFile: string;
  close(): Promise<void>;
}

async function startRunWorld(name: string): Promise<RunWorld> {
  const ca = await createTestCa();
  const [okta, entra, slack, canary] = await Promise.all([
    startOktaStandIn({ ca }),
    startEntraStandIn({ ca }),
    startSlackStandIn({ signingSecret: "run-signing-secret" }),
    // The regions' own canaries answer from this machine (the defaults are AWS endpoints, unreachable here).
    startCanaryStandIn(),
  ]);
  const caFile = join(dir, `${name}-ca.pem`);
  await writeFile(caFile, ca.certPem);
  const configFile = join(dir, `${name}-config.json`);
  await writeFile(
    configFile,
    JSON.stringify({
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      policy: {
        cadenceSeconds: 5,
        probeTimeoutMs: 2000,
        slowMs: 1500,
        confirm: { retries: 0 },
        failure: { consecutiveRounds: 1 },
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
            oktaStandInProvider(okta.url, { probes: ["oidc-discovery", "jwks", "token"] }),
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
  return {
    okta,
    slack,
    configFile,
    caFile,
    close: async () => {
      await Promise.all([okta.close(), entra.close(), slack.close(), canary.close()]);
    },
  };
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The binary, for what only a process has: it runs until a signal stops it. */
function idpctlProcess(world: RunWorld, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      ...env,
      NO_COLOR: "1",
      ...standInProbeSecrets,
      SLACK_BOT_TOKEN: world.slack.token,
      SLACK_SIGNING_SECRET: world.slack.signingSecret,
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

/** Waits for the process to print what `test` looks for (polled; the process runs on its own). */
async function until(what: string, running: Running, test: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!test()) throw new Error(`${what}: not seen yet\n${running.stdout()}\n${running.stderr()}`);
    },
    { timeout: 40_000, interval: 100 },
  );
}

/** The adapters on a table the run used, to read back what it stored. */
function tableAdapters(tableName: string, endpoint: string): AwsAdapters {
  return createAwsAdapters({
    tableName,
    eventBusName: "idp-failover",
    region: "us-east-1",
    endpoints: { dynamodb: endpoint },
    credentials: embeddedCredentials,
  });
}

/** Every region has finished its first round: each said what it sees of both providers. */
function everyRegionReporting(run: Running): Promise<void> {
  return until(
    "every region reporting",
    run,
    () => (run.stdout().match(/sees \w+ stale -> \w+/g) ?? []).length >= 6,
  );
}

// The two runs are mostly waiting for rounds, each on its own stand-ins: side by side they take as
// long as one.
describe.concurrent("idpctl run", () => {
  it("probes, fails over with DNS as a dry run, and stops cleanly on SIGTERM with its store whole", async () => {
    // Prepare
    const world = await startRunWorld("dry-run");
    const data = join(dir, "data");
    try {
      const run = idpctlProcess(world, [
        "run",
        "--config",
        world.configFile,
        "--data",
        data,
        "--ca",
        world.caFile,
        "--slack-api-url",
        world.slack.apiUrl,
        "--operator",
        "ana",
      ]);
      await everyRegionReporting(run);

      // Act
      await world.okta.setFault({ mode: "http-5xx", status: 503 });
      await until("failover", run, () => run.stdout().includes("failing-over -> secondary-active"));
      await until("the Slack message", run, () =>
        world.slack.messages.some((m) => m.text.includes("Failed over")),
      );
      run.child.kill("SIGTERM");
      const code = await run.exited;

      // Assess
      expect(code).toBe(0);
      expect(run.stderr()).toContain("stopped cleanly");
      expect(run.stdout()).toContain("dashboard: http://127.0.0.1:");
      expect(run.stdout()).toMatch(
        /dry run, not sent: would UPSERT login\.example\.com CNAME \(TTL 60\) in zone Z0123456789ABCDEFGHIJ: okta weight 0 -> example\.customdomains\.okta\.com; entra weight 100/,
      );
      const dynamo = await startEmbeddedDynamo({ dataDir: data });
      const store = tableAdapters(dynamo.tableName, dynamo.endpoint);
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
    } finally {
      await world.close();
    }
  }, 60_000);

  it("keeps state in a DynamoDB table, moves Route 53's weights and publishes events with the AWS options", async () => {
    // Prepare
    const world = await startRunWorld("aws");
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
      const run = idpctlProcess(
        world,
        [
          "run",
          "--config",
          world.configFile,
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
          world.caFile,
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
      await everyRegionReporting(run);

      // Act
      await world.okta.setFault({ mode: "http-5xx", status: 503 });
      await until("failover in sync", run, () => run.stdout().includes("failing-over -> secondary-active"));
      run.child.kill("SIGTERM");
      const code = await run.exited;

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
      const store = tableAdapters(table.tableName, table.endpoint);
      try {
        expect((await store.store.loadState("example"))?.state.state).toBe("secondary-active");
      } finally {
        store.destroy();
      }
    } finally {
      await Promise.all([table.close(), route53.close(), eventBridge.close(), world.close()]);
    }
  }, 60_000);
});

/* Refusals happen before anything starts: the command line runs in this process (runIdpctl). */
describe("idpctl run refuses", () => {
  let configFile: string;
  beforeAll(async () => {
    configFile = join(dir, "refusals-config.json");
    await writeFile(
      configFile,
      JSON.stringify({
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
        sites: [
          {
            id: "example",
            hostname: "login.example.com",
            hostedZoneId: zoneId,
            providers: [
              { id: "okta", kind: "okta", issuer: "https://example.okta.com", dnsTarget: "example.okta.com" },
              { id: "entra", kind: "entra", tenantId, dnsTarget: "example-login.azurefd.net" },
            ],
          },
        ],
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function idpctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = capturedIo();
    const code = await runIdpctl(args, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  it("a table it cannot read, before starting anything", async () => {
    // Prepare: the AWS SDK reads its credentials and retry budget from the process's environment.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDLOCAL");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local-secret");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "1");

    // Act
    const run = await idpctl([
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
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "--store dynamodb: cannot read table idp-failover in us-east-1 at http://127.0.0.1:9",
    );
    expect(run.stdout).toBe("");
  });

  it("a probe region the config does not have, before starting anything", async () => {
    // Act
    const run = await idpctl(["run", "--config", configFile, "--regions", "us-east-1,mars-north-1"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not in the config: mars-north-1");
  });
});
