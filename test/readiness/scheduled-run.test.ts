import { type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import { notificationChannels, OutboxNotifier, parseConfig } from "@idp-failover/core";
import { type ReadinessRunPorts, runSiteReadiness } from "@idp-failover/orchestration/readiness-run";
import { siteReaders } from "@idp-failover/readiness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDynamo, startDynalite, testCredentials } from "../aws/dynalite.js";
import { type ReadinessWorld, startReadinessWorld } from "./world.js";

/*
 * The daily run as the readiness function runs it: the stand-ins, dynalite for the home table, the
 * real DynamoDB adapters. Results and the Entra state are stored; the next run is incremental; the
 * readiness-low alert reaches the notification outbox once, when readiness drops.
 */

let world: ReadinessWorld;
let dynamo: LocalDynamo;
let aws: AwsAdapters;

beforeAll(async () => {
  world = await startReadinessWorld({
    users: 400,
    groups: 8,
    apps: [{ name: "Salesforce", groups: [0, 1] }],
  });
  dynamo = await startDynalite();
  aws = createAwsAdapters({
    tableName: dynamo.tableName,
    eventBusName: "idp-failover",
    region: "us-east-1",
    credentials: testCredentials,
    endpoints: { dynamodb: dynamo.endpoint },
  });
});
afterAll(async () => {
  aws.destroy();
  await dynamo.close();
  await world.close();
});

/** The deployment's config: the world's, with Slack alerting so intents reach the outbox. */
function config(secrets: Record<string, string> = world.secrets) {
  const parsed = parseConfig({ ...world.configInput, alerting: { slack: { channel: "#idp" } } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const ports: ReadinessRunPorts = {
    store: aws.readiness,
    notifier: new OutboxNotifier(aws.outbox, notificationChannels(parsed.config), world.clock),
    clock: world.clock,
    readers: (site) =>
      site.continuity
        ? siteReaders(site.continuity, {
            secrets: (ref) => secrets[ref],
            clock: world.clock,
            ca: world.ca.certPem,
            wait: async (ms) => {
              world.clock.t += ms;
            },
          })
        : { ok: false, missingSecrets: [] },
  };
  return { config: parsed.config, ports };
}

async function readinessAlerts(): Promise<string[]> {
  const due = await aws.outbox.due(world.clock.now() + 86_400_000, 100);
  return due.filter((d) => d.intent.kind === "readiness-low").map((d) => d.intent.id);
}

describe("the scheduled readiness run", () => {
  it("stores a full result and the Entra state, and raises no alert when the secondary is ready", async () => {
    const { config: cfg, ports } = config();

    const outcome = await runSiteReadiness(cfg, "acme", ports);

    expect(outcome).toMatchObject({
      site: "acme",
      result: { mode: "full", status: "complete", readinessPct: 100 },
    });
    expect((await aws.readiness.latest("acme"))?.readinessPct).toBe(100);
    expect(await aws.readiness.loadSnapshot("acme")).toBeDefined();
    expect(await readinessAlerts()).toEqual([]);
  });

  it("continues incrementally the next day and alerts once when readiness drops below the minimum", async () => {
    // Prepare: ten Salesforce users lose their Entra accounts overnight.
    const { config: cfg, ports } = config();
    for (const user of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      world.entra.directory.change.setUserEnabled(user * 4, false);
    world.clock.t += 86_400_000;

    // Act: the next day's run, and the day after.
    const second = await runSiteReadiness(cfg, "acme", ports);
    world.clock.t += 86_400_000;
    const third = await runSiteReadiness(cfg, "acme", ports);

    // Assess
    expect(second).toMatchObject({
      alert: "below-minimum",
      result: { mode: "incremental", readinessPct: 97.5 },
    });
    expect(third).not.toHaveProperty("alert");
    const alerts = await readinessAlerts();
    expect(alerts).toHaveLength(1);
    const history = await aws.readiness.history("acme", 0, world.clock.now() + 1);
    expect(history.map((r) => r.readinessPct)).toEqual([100, 97.5, 97.5]);
    expect(await aws.readiness.latestReadiness("acme")).toMatchObject({
      secondary: "entra",
      readinessPct: 97.5,
    });
  });

  it("stores a partial result naming the unset secret, and alerts that readiness is unknown", async () => {
    const { config: cfg, ports } = config({ OKTA_READINESS_TOKEN: world.secrets.OKTA_READINESS_TOKEN ?? "" });
    world.clock.t += 86_400_000;

    const outcome = await runSiteReadiness(cfg, "acme", ports);

    expect(outcome).toMatchObject({ alert: "partial", result: { status: "partial", readinessPct: null } });
    expect((await aws.readiness.latest("acme"))?.partial[0]?.message).toBe(
      "secret ENTRA_READINESS_SECRET is not set",
    );
    // The evaluator keeps the last complete score.
    expect((await aws.readiness.latestReadiness("acme"))?.readinessPct).toBe(97.5);
  });
});
