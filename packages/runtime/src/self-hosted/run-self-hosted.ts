import { type AwsAdapterSettings, type AwsAdapters, createAwsAdapters } from "@idp-failover/aws";
import {
  type Config,
  configRedactor,
  type DomainEvent,
  type EventPublisher,
  findSite,
  notificationTargets,
  type Operator,
} from "@idp-failover/core";
import { deliveryChannels, slackSigningSecrets } from "@idp-failover/orchestration";
import { envSecrets } from "@idp-failover/probes";
import { type ApprovalPath, controlActions } from "../dashboard/dashboard-actions.js";
import { DashboardServer } from "../dashboard/dashboard-server.js";
import { buildSnapshot } from "../dashboard/dashboard-snapshot.js";
import { SlaFiguresCache } from "../dashboard/sla-figures.js";
import { InputError } from "../input-error.js";
import { CompressedClock } from "../loop/compressed-clock.js";
import { ControlLoop, type SlackClient } from "../loop/control-loop.js";
import { DryRunDnsWeights } from "../loop/dry-run-dns-weights.js";
import { type EmbeddedDynamo, embeddedCredentials, startEmbeddedDynamo } from "../loop/embedded-dynamo.js";
import { LoopFeed } from "../loop/loop-feed.js";
import { formatEntry } from "../loop/timeline-format.js";

/*
 * `idpctl run --config FILE`: the control loop self-hosted against the real endpoints in the config
 * (the IdPs, Slack, webhooks), on the wall clock. The store is dynalite on this machine or a DynamoDB
 * table; DNS changes go to Route 53 or are only described (dry run). Stops cleanly on SIGINT/SIGTERM:
 * the rounds and evaluation in flight finish, a last evaluation runs, due messages go out, then the
 * dashboard, the clients and the store close.
 */

/** What `idpctl run` resolved from its flags, the environment and the config file. */
export interface SelfHostedSettings {
  config: Config;
  /** Probe regions this process runs (a subset of the config's). */
  regions: string[];
  store: "embedded" | "dynamodb";
  /** Keeps the embedded store on disk here. */
  data?: string;
  dns: "dry-run" | "route53";
  events: "off" | "eventbridge";
  /** Extra CA certificates (PEM) the probes trust. */
  ca?: string;
  /** The Slack user the dashboard's Approve button clicks as. */
  approver?: string;
  /** Who the dashboard's freeze / unfreeze are recorded under in the audit trail. */
  operator: Operator;
  /** Where the AWS services are (needed with `store: dynamodb`, `dns: route53` or `events: eventbridge`). */
  aws?: AwsAdapterSettings;
  dashboard: boolean;
  dashboardPort?: number;
  /** A Slack-compatible API (a stand-in) instead of https://slack.com/api/. */
  slackApiUrl?: string;
}

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  color: boolean;
}

export interface RunHooks {
  /** The loop is running (tests read the dashboard's address here). */
  onStarted?: (info: { dashboardUrl?: string; loop: ControlLoop; config: Config }) => void;
}

/** Events go nowhere but the timeline (`--events off`): the loop still shows every one. */
export class TimelineOnlyEvents implements EventPublisher {
  async publish(_events: readonly DomainEvent[]): Promise<void> {}
}

export async function runSelfHosted(
  options: SelfHostedSettings,
  io: RunIo,
  stop: AbortSignal,
  hooks: RunHooks = {},
): Promise<void> {
  const { config, regions, ca, operator } = options;
  if (options.data && options.store !== "embedded") throw new InputError("--data is for --store embedded");
  const usesAws =
    options.store === "dynamodb" || options.dns === "route53" || options.events === "eventbridge";
  const awsSettings = usesAws ? options.aws : undefined;
  if (usesAws && !awsSettings) throw new Error("runSelfHosted: AWS settings are needed for these options");

  const closers: Array<() => Promise<void>> = [];
  let running: ControlLoop | undefined;
  const closeAll = async () => {
    await running?.stop(2000).catch(() => undefined);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    let aws: AwsAdapters | undefined;
    if (awsSettings) {
      aws = createAwsAdapters(awsSettings);
      const created = aws;
      closers.push(async () => created.destroy());
      await checkAwsReachable(config, options, aws, awsSettings);
    }
    let dynamo: EmbeddedDynamo | undefined;
    let local: AwsAdapters | undefined;
    if (options.store === "embedded") {
      dynamo = await startEmbeddedDynamo(options.data ? { dataDir: options.data } : {});
      const started = dynamo;
      closers.push(() => started.close());
      local = createAwsAdapters({
        tableName: dynamo.tableName,
        eventBusName: config.alerting.eventBus,
        region: config.homeRegion,
        endpoints: { dynamodb: dynamo.endpoint },
        credentials: embeddedCredentials,
      });
      const created = local;
      closers.push(async () => created.destroy());
    }
    const storeSide = local ?? aws;
    if (!storeSide) throw new Error("no store");

    const clock = new CompressedClock(1);
    const startedAt = clock.now();
    const feed = new LoopFeed(clock);
    feed.onEntry((entry) =>
      io.out(`${formatEntry(entry, { color: io.color, startedAt, showSite: config.sites.length > 1 })}\n`),
    );
    const dns =
      options.dns === "route53" && aws
        ? aws.dns
        : new DryRunDnsWeights((site, change) =>
            feed.emit({ kind: "dns", tone: "info", site: site.id, text: `dry run, not sent: ${change}` }),
          );
    const events = options.events === "eventbridge" && aws ? aws.events : new TimelineOnlyEvents();

    const secrets = envSecrets(io.env);
    // The Slack bots also answer approvals (message updates, private replies) outside the deliverer.
    const channels = deliveryChannels(config, secrets, {
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      redactor: configRedactor(config, secrets),
    });
    const slack = channels.slackBots;
    for (const { ref, waits, problem } of channels.missing) {
      io.err(
        `note: ${ref} ${problem ?? "is not set in the environment"}: ${waits} wait in the outbox until it is fixed (never unsigned)\n`,
      );
    }

    const loop = new ControlLoop({
      config,
      ports: {
        store: storeSide.store,
        dns,
        events,
        outbox: storeSide.outbox,
        messageRefs: storeSide.messageRefs,
        readiness: storeSide.readiness,
      },
      clock,
      feed,
      secrets,
      regions,
      ...(ca ? { ca } : {}),
      slack,
      webhooks: channels.webhooks,
      pagerduty: channels.pagerduty,
      teams: channels.teams,
    });

    let dashboard: DashboardServer | undefined;
    if (options.dashboard) {
      const approval = approvalPath(config, {
        slack,
        signingSecrets: slackSigningSecrets(config, secrets).secrets,
        approver: options.approver,
      });
      const sla = new SlaFiguresCache(storeSide.store, config, clock, clock.real, startedAt, 10_000);
      dashboard = new DashboardServer({
        snapshot: (view) =>
          buildSnapshot(
            {
              kind: "run",
              title: "idp-failover",
              config,
              store: storeSide.store,
              refs: storeSide.messageRefs,
              clock,
              recent: () => feed.recent(150),
              lastRound: (region, site, provider) =>
                loop.workers.find((w) => w.region === region)?.lastRounds.get(`${site} ${provider}`),
              approval: approval.kind === "slack" ? { as: approval.as } : { unavailable: approval.reason },
              sla: (site) => sla.of(site),
              readiness: (site) => storeSide.readiness.latest(site),
            },
            view,
          ),
        actions: controlActions({
          config,
          deps: loop.deps,
          refs: storeSide.messageRefs,
          feed,
          approval,
          operator,
          poke: () => loop.poke(),
        }),
        onChange: (listener) => feed.onChange(listener),
        ...(options.dashboardPort !== undefined ? { port: options.dashboardPort } : {}),
      });
      await dashboard.start();
      const server = dashboard;
      closers.push(() => server.close());
    }

    io.out(
      [
        `idp-failover: ${config.sites.map((s) => s.hostname).join(", ")}`,
        `  probing from this machine as ${regions.join(", ")}${regions.length > 1 ? " (one network: a local fault looks like a quorum)" : ""}`,
        `  store: ${dynamo ? `dynalite ${dynamo.dataDir ? `in ${dynamo.dataDir}` : "in memory (lost on exit; --data DIR keeps it)"}` : `DynamoDB table ${awsSettings?.tableName}`}`,
        `  dns: ${options.dns === "route53" ? "Route 53 (weights change for real)" : "dry run (changes are described, Route 53 is not called)"}`,
        `  events: ${awsSettings && options.events === "eventbridge" ? `EventBridge bus ${awsSettings.eventBusName}` : "timeline only"}   slack: ${slackChannelsText(config, slack)}   webhooks: ${channels.webhooks.map((w) => w.name).join(", ") || "none"}   pagerduty: ${channels.pagerduty.map((p) => p.channel).join(", ") || "none"}   teams: ${channels.teams.map((t) => t.channel).join(", ") || "none"}`,
        ...(dashboard ? [`  dashboard: ${dashboard.url}`] : []),
        "  stop with Ctrl-C (the round in flight finishes, due messages go out, then it exits)",
        "",
      ].join("\n"),
    );

    loop.start();
    running = loop;
    hooks.onStarted?.({ ...(dashboard ? { dashboardUrl: dashboard.url } : {}), loop, config });
    await new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      else stop.addEventListener("abort", () => resolve(), { once: true });
    });
    io.err("stopping: letting the probe rounds and the evaluation in flight finish...\n");
    await loop.stop();
    await closeAll();
    closers.length = 0;
    io.err("stopped cleanly\n");
  } finally {
    await closeAll();
  }
}

/**
 * The AWS services `run` was told to use answer before anything starts: the table can be read, and
 * with `--dns route53` each site's weighted records. A wrong table, zone, region, endpoint or missing
 * credentials is then one clear error (exit 1), not a loop that reports the same failure every round.
 */
async function checkAwsReachable(
  config: Config,
  options: SelfHostedSettings,
  aws: AwsAdapters,
  settings: AwsAdapterSettings,
): Promise<void> {
  const where = `in ${settings.region}${settings.endpoints?.dynamodb ? ` at ${settings.endpoints.dynamodb}` : ""}`;
  const reason = (error: unknown) =>
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (options.store === "dynamodb") {
    try {
      for (const site of config.sites) await aws.store.loadState(site.id);
    } catch (error) {
      throw new InputError(
        `--store dynamodb: cannot read table ${settings.tableName} ${where}: ${reason(error)}`,
        1,
        {
          cause: error,
        },
      );
    }
  }
  if (options.dns === "route53") {
    for (const site of config.sites) {
      try {
        await aws.dns.read(site);
      } catch (error) {
        throw new InputError(
          `--dns route53: cannot read ${site.hostname}'s records in hosted zone ${site.hostedZoneId}: ${reason(error)}`,
          1,
          { cause: error },
        );
      }
    }
  }
}

/** The Slack channels messages go to (those whose bot token is set), for the start-up lines. */
function slackChannelsText(config: Config, bots: ReadonlyMap<string, SlackClient>): string {
  const channels = [
    ...new Set(
      notificationTargets(config).flatMap((t) =>
        t.kind === "slack" && bots.has(t.slack.botTokenRef) ? [t.slack.channel] : [],
      ),
    ),
  ];
  if (channels.length === 0) return "off";
  return channels.length <= 3 ? channels.join(", ") : `${channels.length} channels`;
}

/**
 * Whether the dashboard can press Approve failback, as whom, or why not. A click is made as
 * `--approver`, else as the clicked site's first approver user, through the site's own Slack app.
 */
export function approvalPath(
  config: Config,
  input: {
    slack: ReadonlyMap<string, SlackClient>;
    signingSecrets: ReadonlyMap<string, string>;
    approver: string | undefined;
  },
): ApprovalPath {
  const apps = notificationTargets(config).flatMap((t) => (t.kind === "slack" ? [t.slack] : []));
  if (apps.length === 0)
    return { kind: "unavailable", reason: "alerting.slack is not configured: use idpctl failback" };
  const unsigned = apps.find((app) => !input.signingSecrets.has(app.signingSecretRef));
  if (unsigned)
    return {
      kind: "unavailable",
      reason: `${unsigned.signingSecretRef} is not set: the click cannot be signed`,
    };
  const botless = apps.find((app) => !input.slack.has(app.botTokenRef));
  if (botless) return { kind: "unavailable", reason: `${botless.botTokenRef} is not set` };
  const approverFor = (siteId: string) =>
    input.approver ?? findSite(config, siteId)?.alerting.slack?.approvers.users[0];
  const as =
    input.approver ??
    (config.sites.length === 1 ? approverFor(config.sites[0]?.id ?? "") : "each site's first approver");
  if (!as)
    return { kind: "unavailable", reason: "no approver user configured: pass --approver <Slack user id>" };
  return { kind: "slack", signingSecret: input.signingSecrets, approverFor, as, slack: input.slack };
}
