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
  recordRound,
} from "@idp-failover/core";
import { testApprover, testConfig } from "@idp-failover/core/testing";
import {
  createSlackClient,
  type DeliverDueNotificationsInput,
  type DeliveryReport,
  deliverDueNotifications,
} from "@idp-failover/slack";
import {
  localReceiverAllowance,
  type SlackStandIn,
  startSlackStandIn,
  startWebhookReceiver,
  type WebhookReceiver,
} from "@idp-failover/stand-ins";

/*
 * One site (or a few, `sites`) on the real core (evaluator, state machine, in-memory ports, outbox
 * notifier) driven on a fake clock: each `step` is a probe round of every site in every region, then
 * an evaluation of each. Tests pick which provider fails; the Slack and webhook sides are real
 * servers on 127.0.0.1.
 */

export const siteId = "acme";
export const regions = ["us-east-1", "us-west-2", "eu-west-1"];
export const approver = testApprover;
export const groupMember = "U0ONCALL";
export const onCallGroup = "S0ONCALL";
export const start = Date.parse("2026-03-02T09:00:00.000Z");
export const cadenceMs = 10_000;

/**
 * The webhook URL the harness's configs name. A config only names the channel (`webhook:ops`) and
 * must pass validate, which never admits a loopback address; deliveries go to the local receiver the
 * world hands the deliverer in code, with the test-only allowance.
 */
export const harnessWebhookUrl = "https://hooks.example.com/idp-failover";

/** The shared test config with this harness's policy and alerting: approvers, a group, webhooks. */
export function harnessConfig(webhooks: Array<{ name: string; url: string }> = []): Config {
  return testConfig({
    sites: [siteId],
    policy: {
      recovery: { sustainSeconds: 120 },
      failback: { steps: [10, 50, 100], holdSeconds: 60 },
    },
    alerting: {
      slack: { channel: "#idp-failover", approvers: { users: [approver], userGroups: [onCallGroup] } },
      webhooks: webhooks.map((w) => ({ ...w, secretRef: "WEBHOOK_SECRET" })),
    },
  });
}

export type Health = "ok" | "down";

export class SiteHarness {
  readonly clock = new FakeClock(start);
  readonly store = new InMemoryStore();
  readonly outbox = new InMemoryOutbox();
  readonly refs = new InMemoryMessageRefs();
  readonly evaluator: ReturnType<typeof inMemoryEvaluatorDeps<InMemoryStore>>;

  constructor(
    readonly config: Config,
    readonly sites: readonly string[] = [siteId],
  ) {
    this.evaluator = inMemoryEvaluatorDeps(this.store, this.clock, {
      notifier: new OutboxNotifier(this.outbox, notificationChannels(config), this.clock),
    });
  }

  /**
   * One probe round in every region (okta and entra as given; the regions in `monitorDown` lose their
   * network: their own canaries fail), then one evaluation.
   */
  async step(health: { okta: Health; entra?: Health; monitorDown?: readonly string[] }): Promise<void> {
    const at = this.clock.now();
    for (const region of regions) {
      const results = this.sites.flatMap((site) => [
        ...roundResults(site, "okta", region, at, health.okta),
        ...roundResults(site, "entra", region, at, health.entra ?? "ok"),
      ]);
      const round = health.monitorDown
        ? { region, at, results, health: monitorHealth(health.monitorDown.includes(region)) }
        : { region, at, results };
      await recordRound(this.store, this.config, round, at);
    }
    for (const site of this.sites) await evaluateSite(this.evaluator, this.config, site);
    this.clock.advance(cadenceMs);
  }

  /** One delivery run of the outbox to `channels` (the Slack bot, webhooks) and options, as the notify function runs it. */
  deliver(
    channels: Omit<DeliverDueNotificationsInput, "outbox" | "refs" | "clock" | "config"> = {},
  ): Promise<DeliveryReport> {
    return deliverDueNotifications({
      outbox: this.outbox,
      refs: this.refs,
      clock: this.clock,
      config: this.config,
      ...channels,
    });
  }

  /** Steps until `done` holds (checked after each step), at most `maxSteps`. */
  async stepUntil(
    health: { okta: Health; entra?: Health },
    done: () => Promise<boolean> | boolean,
    maxSteps = 200,
    afterEach?: () => Promise<void>,
  ): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await this.step(health);
      await afterEach?.();
      if (await done()) return;
    }
    throw new Error(`condition not reached after ${maxSteps} steps (state ${await this.stateName()})`);
  }

  async state(site = this.sites[0] ?? siteId) {
    const stored = await this.store.loadState(site);
    if (!stored) throw new Error("no state stored yet");
    return stored.state;
  }

  async stateName(site = this.sites[0] ?? siteId): Promise<string> {
    return (await this.store.loadState(site))?.state.state ?? "(none)";
  }

  /** Outage, failover, recovery (of every site): returns once each has a failback approval pending. */
  async reachFailbackPending(afterEach?: () => Promise<void>): Promise<string> {
    const all = async (state: string) =>
      (await Promise.all(this.sites.map((site) => this.stateName(site)))).every((s) => s === state);
    await this.step({ okta: "ok" });
    await this.stepUntil({ okta: "down" }, () => all("secondary-active"), 50, afterEach);
    await this.stepUntil({ okta: "ok" }, () => all("failback-pending"), 100, afterEach);
    const approval = (await this.state()).approval;
    if (!approval) throw new Error("failback-pending without an approval");
    return approval.id;
  }
}

/** A region's own canaries: all answer, or none does (its network is down). */
function monitorHealth(down: boolean) {
  const canaries = ["aws-region", "public-anchor"].map((name) => ({
    name,
    ok: !down,
    latencyMs: down ? 5000 : 30,
    ...(down ? { error: "no answer within 5000 ms" } : {}),
  }));
  return { canaries, clockSkewMs: 0 };
}

/** Sites with the Slack stand-in and a webhook receiver (`ops`), as the delivery tests run them. */
export interface SlackWorld {
  site: SiteHarness;
  slack: SlackStandIn;
  receiver: WebhookReceiver;
  /** The real Web API client, pointed at the stand-in. */
  slackClient(): ReturnType<typeof createSlackClient>;
  /** One delivery run to Slack and the `ops` webhook. */
  deliver(): Promise<DeliveryReport>;
  close(): Promise<void>;
}

/**
 * Starts the Slack stand-in and a webhook receiver that verifies with `webhookSecret` against the
 * sites' fake clock (signatures are dated by it), then the sites of `config` (given the receiver's
 * URL; by default harnessConfig with it as `ops`).
 */
export async function startSlackWorld(
  webhookSecret: string,
  config: () => Config = () => harnessConfig([{ name: "ops", url: harnessWebhookUrl }]),
  sites?: readonly string[],
): Promise<SlackWorld> {
  const slack = await startSlackStandIn();
  let site: SiteHarness | undefined;
  const receiver = await startWebhookReceiver({
    secret: webhookSecret,
    nowSeconds: () => Math.floor((site?.clock.now() ?? start) / 1000),
  });
  const harness = new SiteHarness(config(), sites);
  site = harness;
  const slackClient = () => createSlackClient(slack.token, { slackApiUrl: slack.apiUrl, timeoutMs: 5000 });
  return {
    site: harness,
    slack,
    receiver,
    slackClient,
    deliver: () =>
      harness.deliver({
        slack: slackClient(),
        webhooks: [{ name: "ops", url: receiver.url, secret: webhookSecret, ...localReceiverAllowance }],
      }),
    close: async () => {
      await Promise.all([slack.close(), receiver.close()]);
    },
  };
}

function roundResults(
  site: string,
  provider: string,
  region: string,
  at: number,
  health: Health,
): ProbeResult[] {
  const iso = new Date(at).toISOString();
  const base = { site, provider, region, at: iso, criticality: "critical" as const };
  if (health === "ok") {
    return [
      { ...base, probe: "oidc-discovery", kind: "oidc-discovery", ok: true, latencyMs: 120, status: 200 },
      { ...base, probe: "jwks", kind: "jwks", ok: true, latencyMs: 95, status: 200 },
    ];
  }
  return [
    {
      ...base,
      probe: "oidc-discovery",
      kind: "oidc-discovery",
      ok: false,
      latencyMs: 212,
      status: 503,
      attempts: 3,
      error: { class: "http-5xx", message: `HTTP 503 from ${provider} discovery (${region})` },
    },
    {
      ...base,
      probe: "jwks",
      kind: "jwks",
      ok: false,
      latencyMs: 5000,
      attempts: 3,
      error: { class: "timeout", message: "no answer within 5000 ms" },
    },
  ];
}
