import {
  type Config,
  configRedactor,
  type DnsWeights,
  type EvaluatorDeps,
  type EventPublisher,
  type MessageRefs,
  type NotificationOutbox,
  notificationChannels,
  OutboxNotifier,
  type ReadinessReader,
  type Redactor,
  redactingPort,
  type Store,
} from "@idp-failover/core";
import type { SecretSource } from "@idp-failover/probes";
import {
  type createSlackClient,
  type DeliveryReport,
  deliverDueNotifications,
  notificationHttpClient,
  type PagerDutyEndpoint,
  renderNotification,
  type SlackBots,
  siteView,
  type TeamsEndpoint,
  type WebhookEndpoint,
} from "@idp-failover/slack";
import { type CompressedClock, sleepReal } from "./compressed-clock.js";
import { EvaluationLoop } from "./evaluation-loop.js";
import { deliveredEntry } from "./feed-text.js";
import type { LoopFeed } from "./loop-feed.js";
import { ObservedDnsWeights, ObservedEventPublisher, ObservedNotifier } from "./observed-ports.js";
import { RegionWorker } from "./region-worker.js";

/*
 * The whole control plane in one process: a probe worker per region, the evaluator and the
 * notification deliverer, on the ports it is given (dynalite or DynamoDB, Route 53 or a dry run, the
 * Slack API or a stand-in). `idpctl run` and `idpctl drill` both run it; only the ports and the
 * clock differ. `stop()` lets in-flight rounds and the evaluation finish, runs a last evaluation and
 * a last delivery pass, and only then returns: nothing is left half-written.
 */

export type SlackClient = ReturnType<typeof createSlackClient>;

export interface ControlLoopPorts {
  store: Store;
  dns: DnsWeights;
  events: EventPublisher;
  outbox: NotificationOutbox;
  messageRefs: MessageRefs;
  /** The last readiness score, for the gate and the failover alert (docs/readiness.md). */
  readiness?: ReadinessReader;
}

export interface ControlLoopOptions {
  config: Config;
  ports: ControlLoopPorts;
  clock: CompressedClock;
  feed: LoopFeed;
  secrets: SecretSource;
  /** Probe regions this process runs (labels); default every region of the config. */
  regions?: readonly string[];
  /** The config a region probes with (the drill gives each region its own network path). */
  probeConfigFor?: (region: string) => Config;
  ca?: string;
  /** The Slack bot, or the bots by token reference (sites with Slack apps of their own). */
  slack?: SlackBots;
  webhooks?: readonly WebhookEndpoint[];
  pagerduty?: readonly PagerDutyEndpoint[];
  teams?: readonly TeamsEndpoint[];
}

export class ControlLoop {
  readonly deps: EvaluatorDeps;
  readonly workers: RegionWorker[];
  readonly evaluation: EvaluationLoop;
  private readonly notifier: ObservedNotifier;
  private readonly abort = new AbortController();
  private running: Promise<unknown> | undefined;
  private readonly reported = new Set<string>();
  /** The delivery failure shown last: once while it lasts, like the workers' and evaluator's. */
  private deliveryProblem = "";
  private delivering: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  /** The config's secrets (through the loop's secret source), removed from all the loop writes. */
  readonly redactor: Redactor;
  /** The ports given, each sink behind the redactor: the one place the local runtime redacts. */
  private readonly ports: ControlLoopPorts;
  /** The HTTP client notifications go out with: one trusting `ca` when given, else the default. */
  private readonly deliveryHttp: ReturnType<typeof notificationHttpClient> | undefined;

  constructor(private readonly options: ControlLoopOptions) {
    const { config, clock, feed } = options;
    this.redactor = configRedactor(config, options.secrets);
    const ports = redactedPorts(options.ports, this.redactor);
    this.ports = ports;
    feed.redactWith(this.redactor);
    this.deliveryHttp = options.ca ? notificationHttpClient({ ca: options.ca }) : undefined;
    this.notifier = new ObservedNotifier(
      new OutboxNotifier(ports.outbox, notificationChannels(config), clock),
    );
    this.deps = {
      store: ports.store,
      dns: new ObservedDnsWeights(ports.dns, feed),
      events: new ObservedEventPublisher(ports.events, feed),
      notifier: this.notifier,
      clock,
      ...(ports.readiness ? { readiness: ports.readiness } : {}),
    };
    this.evaluation = new EvaluationLoop({
      config,
      deps: this.deps,
      clock,
      feed,
      // Delivery starts after each pass but is not waited for: as in a deployment (the notify
      // function), a slow or hung channel (a 10 s PagerDuty timeout) must never delay the next
      // evaluation. Passes of delivery still never overlap, and stop() waits for the last one.
      afterPass: async () => {
        void this.deliver();
      },
    });
    const regions = options.regions ?? config.regions;
    const cadenceMs = config.policy.cadenceSeconds * 1000;
    this.workers = regions.map(
      (region, i) =>
        new RegionWorker({
          region,
          config,
          ...(options.probeConfigFor ? { probeConfig: options.probeConfigFor(region) } : {}),
          store: ports.store,
          clock,
          feed,
          secrets: options.secrets,
          ...(options.ca ? { ca: options.ca } : {}),
          // Regions run at their own phase, like independent schedulers, spread over the cadence.
          phaseMs: Math.round((cadenceMs * i) / regions.length),
          evaluator: { wake: async () => this.evaluation.poke() },
        }),
    );
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    if (this.running) return;
    const signal = this.abort.signal;
    this.running = Promise.all([...this.workers.map((w) => w.run(signal)), this.evaluation.run(signal)]);
  }

  /** Asks for an evaluation (and delivery) now: after an operator's or approver's action. */
  poke(): void {
    this.evaluation.poke();
  }

  /**
   * Stops scheduling, waits for the round and evaluation in flight, then evaluates once more and
   * delivers what is due (bounded by `flushMs` real time), so no decision is left unannounced.
   */
  async stop(flushMs = 10_000): Promise<void> {
    if (this.abort.signal.aborted) {
      await this.stopped;
      return;
    }
    this.abort.abort();
    this.stopped = this.finish(flushMs);
    await this.stopped;
  }

  private async finish(flushMs: number): Promise<void> {
    await this.running;
    const flush = (async () => {
      await this.evaluation.pass();
      await this.delivering;
    })();
    // The bound's timer ends with the flush: left running, it would keep the process alive.
    const flushed = new AbortController();
    await Promise.race([flush, sleepReal(flushMs, flushed.signal)]);
    flushed.abort();
  }

  /** One delivery pass; passes never overlap. */
  deliver(): Promise<void> {
    if (this.delivering) return this.delivering;
    this.delivering = this.deliverOnce().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private async deliverOnce(): Promise<void> {
    const { config, clock, feed } = this.options;
    const { ports } = this;
    let report: DeliveryReport;
    try {
      report = await deliverDueNotifications({
        config,
        outbox: ports.outbox,
        refs: ports.messageRefs,
        clock,
        ...(this.options.slack ? { slack: this.options.slack } : {}),
        ...(this.options.webhooks ? { webhooks: this.options.webhooks } : {}),
        redactor: this.redactor,
        ...(this.options.pagerduty ? { pagerduty: this.options.pagerduty } : {}),
        ...(this.options.teams ? { teams: this.options.teams } : {}),
        // Vendor channels trust the extra CA too (a private CA in front of them; the drill's stand-ins).
        ...(this.deliveryHttp ? { http: this.deliveryHttp } : {}),
      });
    } catch (error) {
      const text = `notification delivery failed: ${error instanceof Error ? error.message : String(error)}`;
      if (text !== this.deliveryProblem) feed.emit({ kind: "problem", tone: "bad", text });
      this.deliveryProblem = text;
      return;
    }
    this.deliveryProblem = "";
    for (const result of report.results) {
      const key = `${result.intentId} ${result.channel} ${result.outcome}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      const intent = this.notifier.intent(result.intentId);
      if (result.outcome === "delivered" && intent) {
        const text =
          result.channel === "slack"
            ? renderNotification(intent, siteView(config, intent.site)).text
            : undefined;
        feed.emit(deliveredEntry(intent, result.channel, text));
      } else if (result.outcome === "delivered") {
        feed.emit({ kind: "message", tone: "info", text: `${result.channel}: ${result.kind} delivered` });
      } else {
        feed.emit({
          kind: "problem",
          tone: result.outcome === "abandoned" ? "bad" : "warn",
          text: `${result.channel}: ${result.kind} not delivered (${result.outcome}): ${result.error ?? "no reason given"}`,
        });
      }
    }
  }
}

function redactedPorts(ports: ControlLoopPorts, redactor: Redactor): ControlLoopPorts {
  return {
    ...ports,
    store: redactingPort(ports.store, redactor),
    events: redactingPort(ports.events, redactor),
    outbox: redactingPort(ports.outbox, redactor),
    messageRefs: redactingPort(ports.messageRefs, redactor),
  };
}
