import { type Config, parseConfig } from "@idp-failover/core";
import { webhookTestSecret } from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harnessWebhookUrl, regions, type SlackWorld, startSlackWorld } from "./harness.js";

/*
 * The monitor's own trouble is the deployment's, not a site's: with three sites, two probe regions
 * losing their network is one Slack thread and one webhook, opened once and closed once.
 */

const sites = ["acme", "globex", "initech"];
const secret = webhookTestSecret("monitor");

function config(): Config {
  const parsed = parseConfig({
    regions,
    alerting: {
      slack: { channel: "#idp-failover", approvers: { users: ["U0APPROVER"] } },
      webhooks: [{ name: "ops", url: harnessWebhookUrl, secretRef: "WEBHOOK_SECRET" }],
    },
    sites: sites.map((id, i) => ({
      id,
      hostname: `login.${id}.com`,
      hostedZoneId: `Z0123456789ABC${i}`,
      providers: [
        { id: "okta", kind: "okta", issuer: `https://${id}.okta.com`, dnsTarget: `${id}.okta.com` },
        { id: "entra", kind: "entra", tenantId: `tenant-${i}`, dnsTarget: `${id}.azurefd.net` },
      ],
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

let world: SlackWorld;

beforeEach(async () => {
  world = await startSlackWorld(secret, config, sites);
});
afterEach(async () => {
  await world.close();
});

describe("the monitor alert across sites", () => {
  it("is one thread and one webhook however many sites raise it, and is closed once", async () => {
    // Prepare
    const { site, slack, receiver } = world;
    const round = async (monitorDown: readonly string[]) => {
      await site.step({ okta: "ok", monitorDown });
      await world.deliver();
    };

    // Act: 40 minutes with two regions' network down, then 10 healthy minutes.
    for (let i = 0; i < 6; i++) await round([]);
    for (let i = 0; i < 240; i++) await round(["us-east-1", "us-west-2"]);
    for (let i = 0; i < 60; i++) await round([]);

    // Assess
    const roots = slack.rootMessages();
    expect(roots.map((m) => m.text)).toEqual([
      "Monitor impaired in us-east-1, us-west-2: no automatic action",
    ]);
    const root = roots[0];
    expect(JSON.stringify(root?.blocks)).toContain("*Restored*");
    expect(slack.replies(root?.ts ?? "").map((m) => m.text)).toEqual([
      "Monitor restored: every probe region judges again.",
    ]);
    const webhooks = receiver.accepted();
    expect(webhooks.map((w) => [w.kind, w.site])).toEqual([
      ["monitor-impaired", "*"],
      ["monitor-restored", "*"],
    ]);
    for (const id of sites) {
      expect((await site.state(id)).weights).toEqual({ okta: 100, entra: 0 });
    }
  }, 60_000);
});
