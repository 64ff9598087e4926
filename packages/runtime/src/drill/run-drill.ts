import { readdir } from "node:fs/promises";
import {
  type Clock,
  loadVerdicts,
  localOperator,
  readinessHeadline,
  type SiteState,
  type Weights,
} from "@idp-failover/core";
import { readinessPorts, runSiteReadiness } from "@idp-failover/orchestration/readiness-run";
import { controlActions } from "../dashboard/dashboard-actions.js";
import { DashboardServer } from "../dashboard/dashboard-server.js";
import { buildSnapshot, type DashboardSnapshot, type SnapshotView } from "../dashboard/dashboard-snapshot.js";
import { SlaFiguresCache } from "../dashboard/sla-figures.js";
import { approvalMessage } from "../dashboard/slack-approval.js";
import { InputError } from "../input-error.js";
import { CompressedClock, sleepReal } from "../loop/compressed-clock.js";
import { ControlLoop } from "../loop/control-loop.js";
import { type FeedTone, LoopFeed } from "../loop/loop-feed.js";
import { formatEntry } from "../loop/timeline-format.js";
import {
  DrillConfigError,
  drillApprover,
  drillConfig,
  drillHostname,
  drillSiteId,
  drillSitePolicy,
  maxSpeed,
  type PolicyOverrides,
} from "./drill-config.js";
import { checkDrill, type DrillVerdict, type RecordedTransition } from "./drill-expectations.js";
import { writeDrillReport } from "./drill-report.js";
import { type DrillWorld, startDrillWorld } from "./drill-world.js";
import { failoverBoundMs, gameDayPlan, type OutageMode } from "./game-day.js";
import { DrillStopped, playGameDay } from "./game-day-runner.js";

/*
 * `idpctl drill`: a game day on this machine. Starts the drill world (stand-ins, dynalite), runs the
 * control loop on a compressed clock with the dashboard, plays the game day for the chosen outage,
 * then checks the outcome, writes the SLA report and prints its path as the last line.
 */

export interface DrillOptions {
  outage: OutageMode;
  /** Drill-clock milliseconds per real millisecond. */
  speed: number;
  /** Approve failback as soon as it is requested. */
  autoApprove: boolean;
  /** Real seconds to wait for someone to press Approve failback in the dashboard before approving. */
  approvalWaitSeconds: number;
  dashboard: boolean;
  dashboardPort?: number;
  dataDir?: string;
  /** Where the report goes (default: a fresh temporary directory). */
  reportDir?: string;
  /** Overrides of the drill's policy (tests use a shorter game day). */
  policy?: PolicyOverrides;
}

export interface DrillIo {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
}

export interface DrillOutcome {
  verdict: DrillVerdict;
  reportPath: string;
}

export interface DrillHooks {
  /** The drill is running (tests drive the dashboard and look at the stand-ins from here). */
  onStarted?: (info: { dashboardUrl?: string; world: DrillWorld }) => void;
  signal?: AbortSignal;
}

/** Drill-clock milliseconds a Route 53 change stays PENDING (real Route 53 takes tens of seconds). */
export const drillInsyncMs = 20_000;

export async function runDrill(
  options: DrillOptions,
  io: DrillIo,
  hooks: DrillHooks = {},
): Promise<DrillOutcome> {
  checkDrillOptions(options);
  if (options.dataDir) await checkDrillDataDir(options.dataDir);
  const world = await startDrillWorld({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    insyncAfterMs: drillInsyncMs / options.speed,
  });
  let dashboard: DashboardServer | undefined;
  let loop: ControlLoop | undefined;
  try {
    const { config } = world;
    const clock = new CompressedClock(options.speed);
    const startedAt = clock.now();
    const feed = new LoopFeed(clock);
    feed.onEntry((entry) =>
      io.out(`${formatEntry(entry, { color: io.color, startedAt, showSite: false })}\n`),
    );
    loop = new ControlLoop({
      config,
      ports: {
        store: world.adapters.store,
        dns: world.adapters.dns,
        events: world.adapters.events,
        outbox: world.adapters.outbox,
        messageRefs: world.adapters.messageRefs,
        readiness: world.adapters.readiness,
      },
      clock,
      feed,
      secrets: world.secrets,
      probeConfigFor: world.probeConfigFor,
      ca: world.ca,
      slack: world.slack,
      pagerduty: world.pagerDutyEndpoints,
      teams: world.teamsEndpoints,
    });
    const control = loop;
    const actions = controlActions({
      config,
      deps: control.deps,
      refs: world.adapters.messageRefs,
      feed,
      approval: {
        kind: "slack",
        signingSecret: world.signingSecret,
        approverFor: () => drillApprover,
        as: drillApprover,
        slack: world.slack,
      },
      operator: localOperator("drill"),
      poke: () => control.poke(),
    });
    let banner: DashboardSnapshot["banner"];
    const sla = new SlaFiguresCache(world.adapters.store, config, clock, clock.real, clock.now());
    const snapshot = (view?: SnapshotView) =>
      buildSnapshot(
        {
          kind: "drill",
          title: `idp-failover drill · ${options.outage} outage`,
          config,
          store: world.adapters.store,
          refs: world.adapters.messageRefs,
          clock,
          recent: () => feed.recent(150),
          lastRound: (region, site, provider) =>
            control.workers.find((w) => w.region === region)?.lastRounds.get(`${site} ${provider}`),
          approval: { as: drillApprover },
          banner: () => banner,
          sla: (site) => sla.of(site),
          readiness: (site) => world.adapters.readiness.latest(site),
        },
        view,
      );
    if (options.dashboard) {
      dashboard = new DashboardServer({
        snapshot,
        actions,
        onChange: (listener) => feed.onChange(listener),
        ...(options.dashboardPort !== undefined ? { port: options.dashboardPort } : {}),
      });
      await dashboard.start();
    }

    // Could the primary's users sign in through the secondary? Once, before the game day.
    const readiness = await runSiteReadiness(
      config,
      drillSiteId,
      readinessPorts(config, world.adapters, world.secrets, { clock, ca: world.ca }),
    );
    const readinessLine =
      "error" in readiness ? `not measured (${readiness.error})` : readinessHeadline(readiness.result);
    const plan = gameDayPlan(options.outage, config);
    const bound = failoverBoundMs(config, { speed: options.speed, insyncMs: drillInsyncMs });
    const p = drillSitePolicy(config);
    io.out(
      [
        `idp-failover drill: ${drillHostname} (Okta primary, Entra secondary), probed from ${config.regions.join(", ")}`,
        `  outage: ${options.outage}   clock: ${options.speed}x (a ${p.cadenceSeconds} s cadence is ${(p.cadenceSeconds / options.speed).toFixed(1)} s real; probe timeouts stay real: ${p.probeTimeoutMs} ms)`,
        `  policy: down after ${p.failure.consecutiveRounds} failed rounds (or ${p.failure.failedRoundsInWindow} of ${p.failure.windowRounds}) in ${p.quorum} regions; failback asked after ${p.recovery.sustainSeconds} s healthy; steps ${p.failback.steps.join("/")} held ${p.failback.holdSeconds} s`,
        `  store: dynalite ${world.dynamo.dataDir ? `in ${world.dynamo.dataDir}` : "in memory"}; Route 53, Slack, PagerDuty, Teams, Okta and Entra: local stand-ins`,
        `  readiness: ${readinessLine} (idpctl readiness; docs/readiness.md)`,
        ...(dashboard ? [`  dashboard: ${dashboard.url}`] : []),
        "",
      ].join("\n"),
    );
    hooks.onStarted?.({ ...(dashboard ? { dashboardUrl: dashboard.url } : {}), world });

    const phase = (text: string, tone: FeedTone) => {
      banner = { text, tone };
      feed.emit({ kind: "phase", tone, text });
    };
    const stateOf = async (): Promise<SiteState | undefined> =>
      (await world.adapters.store.loadState(drillSiteId))?.state;
    const primary = config.sites[0]?.providers[0]?.id ?? "okta";
    control.start();
    const played = await playGameDay(plan, {
      config,
      clock,
      insyncMs: drillInsyncMs,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      state: stateOf,
      primaryUpEverywhere: async () => {
        const site = config.sites[0];
        if (!site) return false;
        const verdicts = await loadVerdicts(world.adapters.store, config, site, clock.now());
        return Object.entries(verdicts).every(([provider, v]) =>
          v.regions.every((r) => (provider === primary ? r.verdict === "up" : r.verdict !== "stale")),
        );
      },
      apply: async (step) => {
        if (step.okta) await world.okta.setFault(step.okta);
        if (step.cutRegion) world.path(step.cutRegion, "okta").cutOff();
      },
      clear: async (step) => {
        if (step.okta) await world.okta.clearFault();
        if (step.cutRegion) world.path(step.cutRegion, "okta").restore();
      },
      phase,
      approve: (approvalId) =>
        approveFailback(approvalId, {
          wait: options.autoApprove || !dashboard ? 0 : options.approvalWaitSeconds,
          dashboardUrl: dashboard?.url,
          posted: async () =>
            (await approvalMessage(world.adapters.messageRefs, drillSiteId, approvalId)) !== undefined,
          stillPending: async () => (await stateOf())?.approval?.id === approvalId,
          press: () => actions.approve(drillSiteId, approvalId),
          phase,
          note: (text) => feed.emit({ kind: "note", tone: "info", text }),
          out: io.out,
          real: clock.real,
          signal: hooks.signal,
        }),
    });

    // Let the last decision's messages go out, then stop everything cleanly.
    await control.stop();
    const endedAt = clock.now();
    const [audit, final] = await Promise.all([
      world.adapters.store.listAudit(drillSiteId, startedAt - 1, endedAt + 1, 1000),
      stateOf(),
    ]);
    const transitions: RecordedTransition[] = audit.flatMap((a) =>
      a.action === "transition" && a.from && a.to
        ? [{ at: Date.parse(a.at), from: a.from, to: a.to, reason: a.reason }]
        : [],
    );
    const verdict = checkDrill({
      primary,
      failoverBoundMs: bound,
      ...(played.outageAt !== undefined ? { outageAt: played.outageAt } : {}),
      ...(played.stoppedEarly ? { stoppedEarly: played.stoppedEarly } : {}),
      transitions,
      ...(final ? { finalState: final.state } : {}),
      route53Weights: route53Weights(world),
    });
    for (const check of verdict.checks) {
      feed.emit({
        kind: "check",
        tone: check.ok ? "good" : "bad",
        text: `${check.ok ? "PASS" : "FAIL"} ${check.name}: ${check.detail}`,
      });
    }
    banner = verdict.ok
      ? { text: "drill passed: failed over in time, no false flip, failback completed", tone: "good" }
      : {
          text: `drill FAILED: ${verdict.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join(", ")}`,
          tone: "bad",
        };

    io.out(`\n${vendorChannelsText(world)}\n`);
    const reportPath = await writeDrillReport({
      store: world.adapters.store,
      config,
      from: startedAt,
      to: endedAt,
      ...(options.reportDir ? { dir: options.reportDir } : {}),
    });
    io.out(`\nSLA report of the drill (HTML), open it in a browser:\n${reportPath}\n`);
    return { verdict, reportPath };
  } finally {
    await loop?.stop(2000).catch(() => undefined);
    await dashboard?.close();
    await world.close();
  }
}

/** Bad options fail before anything starts: the policy must parse, and the clock must suit it. */
export function checkDrillOptions(options: Pick<DrillOptions, "speed" | "policy">): void {
  // The policy is checked against throwaway endpoints: the real ones exist only once the drill starts.
  const unstartedEndpoints = {
    okta: {
      issuer: "https://127.0.0.1:1/oauth2/default",
      samlMetadataUrl: "https://127.0.0.1:1/app",
      clientId: "x",
    },
    entra: { url: "https://127.0.0.1:2", tenantId: "00000000-0000-4000-8000-000000000001", clientId: "x" },
  };
  let config: ReturnType<typeof drillConfig>;
  try {
    config = drillConfig(unstartedEndpoints, options.policy);
  } catch (error) {
    if (error instanceof DrillConfigError) throw new InputError(error.message, 2, { cause: error });
    throw error;
  }
  const fastest = maxSpeed(config);
  if (options.speed > fastest) {
    throw new InputError(
      `--speed ${options.speed} is too fast for the drill's policy: a round that runs into every probe timeout would look like a silent region; use at most ${fastest}`,
      2,
    );
  }
}

/**
 * A drill starts from a clean store: its game day, checks and report assume the site starts healthy
 * with all weight on Okta, and an earlier drill's clock (compressed, so ahead of the wall clock) would
 * overlap this one's. So `--data` must be a new or empty directory; it keeps this drill's store.
 */
async function checkDrillDataDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new InputError(`--data ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2, {
      cause: error,
    });
  }
  if (entries.length > 0) {
    throw new InputError(
      `--data ${dir} is not empty (an earlier drill's store?): a drill starts from a clean store, give it a new directory`,
      2,
    );
  }
}

interface ApprovalWait {
  /** Real seconds to wait for a person before pressing it; 0 presses at once. */
  wait: number;
  dashboardUrl: string | undefined;
  posted: () => Promise<boolean>;
  stillPending: () => Promise<boolean>;
  press: () => Promise<unknown>;
  phase: (text: string, tone: FeedTone) => void;
  note: (text: string) => void;
  out: (text: string) => void;
  /** The wall clock: a person's time to press the button is real time. */
  real: Clock;
  signal: AbortSignal | undefined;
}

/**
 * Like a person, the drill presses Approve failback on the message once it is in the channel; first
 * it gives whoever watches the dashboard `wait` seconds (real time) to press it themselves.
 */
async function approveFailback(approvalId: string, how: ApprovalWait): Promise<void> {
  for (let i = 0; i < 50 && !(await how.posted()); i++) await sleepReal(100, how.signal);
  if (how.wait > 0) {
    how.phase(
      `failback approval requested: press Approve failback in the dashboard; the drill presses it itself in ${how.wait} s`,
      "warn",
    );
    how.out(`\n  >>> Approve failback at ${how.dashboardUrl ?? ""}\n\n`);
    const until = how.real.now() + how.wait * 1000;
    while (how.real.now() < until) {
      if (!(await how.stillPending())) return;
      await sleepReal(200, how.signal);
      if (how.signal?.aborted) throw new DrillStopped("interrupted");
    }
    how.note(`nobody pressed Approve failback (${approvalId}): the drill presses it`);
  }
  await how.press();
}

/** What the login hostname's weighted records hold, per provider. */
function route53Weights(world: DrillWorld): Weights {
  const site = world.config.sites[0];
  if (!site) return {};
  const records = world.route53.records(site.hostedZoneId, site.hostname);
  return Object.fromEntries(
    site.providers.map((p) => [p.id, records.find((r) => r.setIdentifier === p.setIdentifier)?.weight ?? 0]),
  );
}

/** What the drill's pager and Teams channel received: the alerts PagerDuty opened, the cards Teams shows. */
export function vendorChannelsText(world: Pick<DrillWorld, "pagerDuty" | "teams">): string {
  const alerts = world.pagerDuty.alerts();
  const refused = world.pagerDuty.received.filter((r) => r.status === 400).length;
  const cards = world.teams.cards();
  const cardKinds = cards.map((card) => {
    const facts = (
      card.body as Array<{ type?: string; facts?: Array<{ title: string; value: string }> }>
    ).find((element) => element.type === "FactSet")?.facts;
    return facts?.find((f) => f.title === "Event")?.value ?? "?";
  });
  return [
    `PagerDuty (stand-in): ${alerts.length} alert(s)${refused > 0 ? `, ${refused} event(s) refused` : ""}`,
    ...alerts.map(
      (a) => `  ${a.dedupKey}: ${a.status} [${a.actions.join(" -> ")}] ${a.severity}: ${a.summary}`,
    ),
    `Teams (stand-in): ${cards.length} card(s) posted${cards.length > 0 ? `: ${cardKinds.join(", ")}` : ""}`,
  ].join("\n");
}
