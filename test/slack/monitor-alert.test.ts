import {
  type Config,
  evaluateSite,
  FakeClock,
  InMemoryMessageRefs,
  InMemoryOutbox,
  InMemoryStore,
  inMemoryEvaluatorDeps,
  notificationChannels,
  OutboxNotifier,
  type ProbeResult,
  parseConfig,
  recordRound,
} from "@idp-failover/core";
import { createSlackClient, deliverDueNotifications } from "@idp-failover/slack";
import {
  type SlackStandIn,
  startSlackStandIn,
  startWebhookReceiver,
  type WebhookReceiver,
} from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/*
 * The monitor's own trouble is the deployment's, not a site's: with three sites, two probe regions
 * losing their network is one Slack thread and one webhook, opened once and closed once.
 */

const regions = ["us-east-1", "us-west-2", "eu-west-1"];
const sites = ["acme", "globex", "initech"];
const secret = "whsec-monitor";
const start = Date.parse("2026-03-02T08:00:00.000Z");

function config(webhookUrl: string): Config {
  const parsed = parseConfig({
    regions,
    alerting: {
      slack: { channel: "#idp-failover", approvers: { users: ["U0APPROVER"] } },
      webhooks: [{ name: "ops", url: webhookUrl, secretRef: "WEBHOOK_SECRET" }],
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

let slack: SlackStandIn;
let receiver: WebhookReceiver;
const clock = new FakeClock(start);

beforeEach(async () => {
  clock.set(start);
  slack = await startSlackStandIn();
  receiver = await startWebhookReceiver({ secret, nowSeconds: () => Math.floor(clock.now() / 1000) });
});
afterEach(async () => {
  await Promise.all([slack.close(), receiver.close()]);
});

describe("the monitor alert across sites", () => {
  it("is one thread and one webhook however many sites raise it, and is closed once", async () => {
    // Prepare
    const cfg = config(receiver.url);
    const store = new InMemoryStore();
    const outbox = new InMemoryOutbox();
    const refs = new InMemoryMessageRefs();
    const deps = inMemoryEvaluatorDeps(store, clock, {
      notifier: new OutboxNotifier(outbox, notificationChannels(cfg), clock),
    });
    const deliver = () =>
      deliverDueNotifications({
        outbox,
        refs,
        clock,
        config: cfg,
        slack: createSlackClient(slack.token, { slackApiUrl: slack.apiUrl, timeoutMs: 5000 }),
        webhooks: [{ name: "ops", url: receiver.url, secret }],
      });
    const round = async (cut: readonly string[]) => {
      const at = clock.now();
      for (const region of regions) {
        const results = sites.flatMap((site) =>
          ["okta", "entra"].map((provider) => healthy(site, provider, region, at)),
        );
        const down = cut.includes(region);
        const canaries = ["aws-region", "public-anchor"].map((name) => ({
          name,
          ok: !down,
          latencyMs: down ? 5000 : 30,
          ...(down ? { error: "no answer within 5000 ms" } : {}),
        }));
        await recordRound(store, cfg, { region, at, results, health: { canaries, clockSkewMs: 0 } }, at);
      }
      for (const site of sites) await evaluateSite(deps, cfg, site);
      await deliver();
      clock.advance(10_000);
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
    for (const site of sites) {
      expect((await store.loadState(site))?.state.weights).toEqual({ okta: 100, entra: 0 });
    }
  }, 60_000);
});

function healthy(site: string, provider: string, region: string, at: number): ProbeResult {
  return {
    site,
    provider,
    region,
    probe: "oidc-discovery",
    kind: "oidc-discovery",
    criticality: "critical",
    at: new Date(at).toISOString(),
    ok: true,
    latencyMs: 100,
    status: 200,
  };
}
