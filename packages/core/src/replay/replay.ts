import type { Config, Site } from "../config.js";
import type { DomainEvent, NotificationIntent } from "../effects.js";
import { commandSite, type EvaluationReport, evaluateSite } from "../evaluate.js";
import {
  FakeClock,
  type InMemoryDns,
  InMemoryNotifier,
  InMemoryStore,
  inMemoryEvaluatorDeps,
} from "../in-memory.js";
import { monitorSettings, type VendorMode } from "../monitor.js";
import { notificationText } from "../notification-text.js";
import type { MinuteRollup } from "../rollup.js";
import type { Incident, StateName, Weights } from "../site-state.js";
import { isoTime } from "../time.js";
import {
  type Evidence,
  observeRound,
  type RegionTracker,
  type RegionVerdict,
  type RoundSummary,
  regionVerdictOf,
  regionView,
} from "../verdict.js";
import { ProbeModel, seededRandom } from "./probe-model.js";
import { dayMs, replaySiteId, type Scenario } from "./scenario.js";

/*
 * Replay: the real verdict engine, state machine and evaluator on a virtual clock, fed by simulated
 * probes under the scenario's faults. A discrete-event loop: each region's rounds start every
 * `cadenceSeconds` (each region at its own seeded phase, like independent schedulers), complete when
 * their slowest probe does, and fold into that region's tracker. The evaluator runs whenever a region
 * verdict changes, when a timer of the state machine or a DNS change is due, and on approvals —
 * exactly the moments at which evaluating could change anything, which is what makes a year fast.
 * Same scenario and seed, same output.
 */

export interface ReplayTransition {
  at: string;
  from: StateName;
  to: StateName;
  reason: string;
  actor: string;
}

export interface ReplayDnsChange {
  at: string;
  changeId: string;
  weights: Weights;
  insyncAt: string;
}

/** One notification as the on-call would receive it (every intent the state machine sent). */
export interface ReplayAlert {
  at: string;
  kind: NotificationIntent["kind"];
  provider?: string;
  /** The incident it belongs to: one incident is one thread. */
  incidentId?: string;
  message: string;
}

/** A probe region whose own canaries failed (or clock was off): it abstained from `from` to `to`. */
export interface ReplayImpairment {
  region: string;
  from: string;
  /** Absent when it lasted to the end of the replay. */
  to?: string;
  reason: string;
}

/** A provider in a vendor mode by the quorum's verdict. */
export interface ReplayVendorMode {
  provider: string;
  mode: VendorMode;
  from: string;
  to?: string;
}

export interface ReplayApproval {
  at: string;
  user: string;
  outcome: "approved" | "ignored" | "refused";
  reason?: string;
}

export type TimelineEntry =
  | { at: number; kind: "fault"; text: string }
  | {
      at: number;
      kind: "region";
      provider: string;
      region: string;
      from: RegionVerdict;
      to: RegionVerdict;
      evidence: Evidence[];
      /** Why the region is impaired, when it became so. */
      impairment?: string;
    }
  | {
      at: number;
      kind: "verdict";
      provider: string;
      from: string;
      to: string;
      regions: Record<string, string>;
      mode?: VendorMode;
    }
  | { at: number; kind: "transition"; transition: ReplayTransition }
  | { at: number; kind: "dns"; change: ReplayDnsChange }
  | { at: number; kind: "alert"; alert: ReplayAlert }
  | { at: number; kind: "approval"; approval: ReplayApproval };

export interface FaultDetection {
  index: number;
  provider: string;
  mode: string;
  regions: string[];
  from: string;
  to: string;
  /** First DNS change during the fault (or within 5 minutes after) that took all weight off its provider. */
  dnsChangeAt?: string;
  detectionSeconds?: number;
}

export interface ReplayResult {
  transitions: ReplayTransition[];
  dnsChanges: ReplayDnsChange[];
  incidents: Incident[];
  alerts: ReplayAlert[];
  approvals: ReplayApproval[];
  /** Probe regions that abstained because their own canaries failed. */
  impairments: ReplayImpairment[];
  vendorModes: ReplayVendorMode[];
  summary: {
    name: string;
    start: string;
    end: string;
    regions: string[];
    seed: number;
    cadenceSeconds: number;
    probeRounds: number;
    evaluations: number;
    failovers: number;
    failbacks: number;
    failbackAborts: number;
    alertsByKind: Record<string, number>;
    finalState: StateName;
    finalWeights: Weights;
    faults: FaultDetection[];
  };
}

export interface ReplayOptions {
  /** Keep minute rollups for a report (costs memory on long replays). */
  rollups?: boolean;
  /** Keep the timeline for the readable output. */
  timeline?: boolean;
  /**
   * Called once per simulated day and at the end, so a caller can show a long replay moving (the
   * CLI writes it to standard error). Core only reports; it never writes.
   */
  onProgress?: (progress: ReplayProgress) => void;
}

/** How far a replay is, in simulated days. */
export interface ReplayProgress {
  /** Whole simulated days done. */
  day: number;
  /** Days in the scenario (a part day counts as one). */
  days: number;
  /** `day` of `days`, 0..100, rounded down. */
  percent: number;
}

export interface ReplayRun {
  result: ReplayResult;
  timeline: TimelineEntry[];
  rollups: MinuteRollup[];
  config: Config;
}

/** Events of the loop. `p` and `r` index the site's providers and the scenario's regions. */
type LoopEvent = { t: number; seq: number } & (
  | { kind: "round-start"; r: number }
  | { kind: "round-complete"; r: number; p: number; round: RoundSummary }
  | { kind: "heartbeat" }
  | { kind: "approval"; user: string }
  | { kind: "wake" }
);

export async function replay(scenario: Scenario, options: ReplayOptions = {}): Promise<ReplayRun> {
  const { config } = scenario;
  const site = config.sites[0] as Site;
  // The site's own policy: a scenario's site has the scenario's, a config's site the deployment's merged.
  const policy = site.policy;
  const cadenceMs = policy.cadenceSeconds * 1000;
  const random = seededRandom(scenario.noise.seed);
  const model = new ProbeModel(
    scenario.faults,
    policy,
    scenario.noise.failureRate,
    random,
    monitorSettings(config),
    seededRandom(scenario.noise.seed ^ canaryStream),
  );

  const clock = new FakeClock(scenario.start);
  const store = new InMemoryStore({ keepResults: false, keepRollups: options.rollups ?? false });
  const notifier = new InMemoryNotifier();
  const deps = inMemoryEvaluatorDeps(store, clock, { insyncAfterMs: scenario.insyncMs, notifier });
  const { dns, events } = deps;

  const timeline: TimelineEntry[] = [];
  const keepTimeline = options.timeline ?? true;
  const note = (entry: TimelineEntry) => {
    if (keepTimeline) timeline.push(entry);
  };
  const transitions: ReplayTransition[] = [];
  const alerts: ReplayAlert[] = [];
  const approvals: ReplayApproval[] = [];

  const providers = site.providers;
  const regions = scenario.regions;
  const slots = providers.length * regions.length;
  const slot = (p: number, r: number) => p * regions.length + r;
  const simulate = providers.flatMap((provider) =>
    regions.map((region) => model.forProvider(provider, region)),
  );
  const canaries = regions.map((region) => model.forRegion(region));
  const impairments: ReplayImpairment[] = [];
  const openImpairment: Array<ReplayImpairment | undefined> = regions.map(() => undefined);
  const vendorModes: ReplayVendorMode[] = [];
  const openMode = new Map<string, ReplayVendorMode>();

  const queue = new EventQueue();
  regions.forEach((_, r) => {
    queue.push({ kind: "round-start", r, t: scenario.start + Math.floor(random() * cadenceMs), seq: 0 });
  });
  queue.push({ kind: "heartbeat", t: scenario.start + cadenceMs, seq: 0 });
  for (const approval of scenario.approvals)
    queue.push({ kind: "approval", user: approval.user, t: approval.at, seq: 0 });
  if (keepTimeline) noteFaults(scenario, note);

  const trackers: Array<RegionTracker | undefined> = new Array(slots).fill(undefined);
  const verdicts: RegionVerdict[] = new Array(slots).fill("stale");
  let probeRounds = 0;
  let evaluations = 0;
  let wakeAt = Number.POSITIVE_INFINITY;
  let seenEvents = 0;
  let seenNotifications = 0;
  let seenChanges = 0;

  const refreshView = (p: number, r: number, t: number): boolean => {
    const i = slot(p, r);
    const verdict = regionVerdictOf(trackers[i], t, policy);
    const before = verdicts[i] ?? "stale";
    if (verdict === before) return false;
    verdicts[i] = verdict;
    if (keepTimeline) {
      const region = regions[r] ?? "";
      const view = regionView(region, trackers[i], t, policy);
      note({
        at: t,
        kind: "region",
        provider: providers[p]?.id ?? "",
        region,
        from: before,
        to: verdict,
        evidence: view.evidence,
        ...(view.impairment ? { impairment: view.impairment } : {}),
      });
    }
    return true;
  };

  const absorb = (t: number, report: EvaluationReport | undefined) => {
    for (const step of report?.steps ?? []) {
      if (!step.transition) continue;
      const { at, from, to, reason, actor } = step.transition;
      const transition = { at, from, to, reason, actor };
      transitions.push(transition);
      note({ at: t, kind: "transition", transition });
    }
    for (const change of dns.changes.slice(seenChanges)) {
      const entry = {
        at: isoTime(change.at),
        changeId: change.id,
        weights: change.weights,
        insyncAt: isoTime(change.insyncAt),
      };
      note({ at: change.at, kind: "dns", change: entry });
    }
    seenChanges = dns.changes.length;
    for (const event of events.events.slice(seenEvents)) {
      noteEvent(event, t, note);
      if (event.type === "verdict-changed") trackMode(event.provider, event.mode, event.at);
    }
    seenEvents = events.events.length;
    for (const intent of notifier.intents.slice(seenNotifications)) {
      const alert = alertOf(intent);
      alerts.push(alert);
      note({ at: t, kind: "alert", alert });
    }
    seenNotifications = notifier.intents.length;
    const next = Math.min(
      report?.recheckAt ?? Number.POSITIVE_INFINITY,
      dns.nextInsyncAfter(t) ?? Number.POSITIVE_INFINITY,
    );
    if (next < wakeAt || wakeAt <= t) {
      wakeAt = next;
      if (Number.isFinite(next)) queue.push({ kind: "wake", t: next, seq: 0 });
    }
  };

  const trackMode = (provider: string, mode: VendorMode | undefined, at: string) => {
    const open = openMode.get(provider);
    if (open?.mode === mode) return;
    if (open) {
      open.to = at;
      openMode.delete(provider);
    }
    if (mode) {
      const episode: ReplayVendorMode = { provider, mode, from: at };
      vendorModes.push(episode);
      openMode.set(provider, episode);
    }
  };

  /** The probes' trackers reach the store only when the evaluator is about to read them. */
  const publishTrackers = () => {
    providers.forEach((provider, p) => {
      regions.forEach((region, r) => {
        const tracker = trackers[slot(p, r)];
        if (tracker) store.setTracker({ site: site.id, provider: provider.id, region, tracker });
      });
    });
  };

  const evaluate = async (t: number) => {
    evaluations++;
    publishTrackers();
    const report = await evaluateSite(deps, config, site.id, { maxRollupMinutes: Number.POSITIVE_INFINITY });
    absorb(t, report);
  };

  clock.set(scenario.start);
  await evaluate(scenario.start);

  const days = Math.max(1, Math.ceil((scenario.end - scenario.start) / dayMs));
  let reportedDay = 0;
  const progress = (day: number) => {
    if (day <= reportedDay) return;
    reportedDay = day;
    options.onProgress?.({ day, days, percent: Math.floor((day / days) * 100) });
  };
  let nextDayAt = scenario.start + dayMs;

  for (let event = queue.pop(); event && event.t <= scenario.end; event = queue.pop()) {
    const t = event.t;
    if (t >= nextDayAt) {
      const day = Math.floor((t - scenario.start) / dayMs);
      progress(day);
      nextDayAt = scenario.start + (day + 1) * dayMs;
    }
    clock.set(t);
    let changed = false;
    switch (event.kind) {
      case "round-start": {
        probeRounds++;
        const impaired = canaries[event.r]?.(t);
        const open = openImpairment[event.r];
        if (impaired && !open) {
          const episode = { region: regions[event.r] ?? "", from: isoTime(t), reason: impaired };
          impairments.push(episode);
          openImpairment[event.r] = episode;
        } else if (!impaired && open) {
          open.to = isoTime(t);
          openImpairment[event.r] = undefined;
        }
        for (let p = 0; p < providers.length; p++) {
          const round = simulate[slot(p, event.r)]?.(t, impaired);
          if (round?.kind === "reported") {
            queue.push({
              kind: "round-complete",
              r: event.r,
              p,
              round: round.summary,
              t: round.completedAt,
              seq: 0,
            });
          }
        }
        queue.push({ kind: "round-start", r: event.r, t: t + cadenceMs, seq: 0 });
        break;
      }
      case "round-complete": {
        const i = slot(event.p, event.r);
        trackers[i] = observeRound(trackers[i], event.round, policy);
        changed = refreshView(event.p, event.r, t);
        break;
      }
      case "heartbeat": {
        for (let p = 0; p < providers.length; p++) {
          for (let r = 0; r < regions.length; r++) changed = refreshView(p, r, t) || changed;
        }
        queue.push({ kind: "heartbeat", t: t + cadenceMs, seq: 0 });
        break;
      }
      case "approval": {
        publishTrackers();
        const { approval, transition } = await approve(deps, config, event.user, t);
        approvals.push(approval);
        note({ at: t, kind: "approval", approval });
        if (transition) {
          transitions.push(transition);
          note({ at: t, kind: "transition", transition });
        }
        changed = true;
        break;
      }
      case "wake":
        break;
    }
    if (changed || t >= wakeAt) await evaluate(t);
  }

  clock.set(scenario.end);
  await evaluate(scenario.end);
  progress(days);

  for (const open of openImpairment) if (open) open.to = undefined;
  const incidents = await store.listIncidents(site.id, scenario.start, scenario.end + 1);
  const finalState = (await store.loadState(site.id))?.state;
  const dnsChanges: ReplayDnsChange[] = dns.changes.map((c) => ({
    at: isoTime(c.at),
    changeId: c.id,
    weights: c.weights,
    insyncAt: isoTime(c.insyncAt),
  }));
  const alertsByKind: Record<string, number> = {};
  for (const a of alerts) alertsByKind[a.kind] = (alertsByKind[a.kind] ?? 0) + 1;
  const rollups = options.rollups ? [...store.rollups.values()].sort(byMinuteThenProvider) : [];

  return {
    result: {
      transitions,
      dnsChanges,
      incidents,
      alerts,
      approvals,
      impairments,
      vendorModes,
      summary: {
        name: scenario.name,
        start: isoTime(scenario.start),
        end: isoTime(scenario.end),
        regions: scenario.regions,
        seed: scenario.noise.seed,
        cadenceSeconds: policy.cadenceSeconds,
        probeRounds,
        evaluations,
        failovers: transitions.filter((t) => t.to === "failing-over").length,
        failbacks: transitions.filter((t) => t.from === "failing-back" && t.to === "primary-active").length,
        failbackAborts: transitions.filter((t) => t.from === "failing-back" && t.to === "secondary-active")
          .length,
        alertsByKind,
        finalState: finalState?.state ?? "primary-active",
        finalWeights: finalState?.weights ?? {},
        faults: detections(scenario, dns.changes),
      },
    },
    timeline,
    rollups,
    config,
  };
}

async function approve(
  deps: Parameters<typeof commandSite>[0],
  config: Config,
  user: string,
  t: number,
): Promise<{ approval: ReplayApproval; transition?: ReplayTransition }> {
  const at = isoTime(t);
  const state = (await deps.store.loadState(replaySiteId))?.state;
  const approvalId = state?.approval?.id;
  if (state?.state !== "failback-pending" || !approvalId) {
    const reason = `no failback request pending (state ${state?.state ?? "primary-active"})`;
    return { approval: { at, user, outcome: "ignored", reason } };
  }
  const outcome = await commandSite(deps, config, replaySiteId, {
    kind: "approve",
    approvalId,
    actor: `slack:${user}`,
  });
  if (outcome.kind === "refused")
    return { approval: { at, user, outcome: "refused", reason: outcome.reason } };
  const transition = outcome.transition;
  return {
    approval: { at, user, outcome: "approved" },
    ...(transition
      ? {
          transition: {
            at: transition.at,
            from: transition.from,
            to: transition.to,
            reason: transition.reason,
            actor: transition.actor,
          },
        }
      : {}),
  };
}

/** Seeds the canaries' noise stream apart from the probes' (any constant; changing it changes replays). */
const canaryStream = 0x5eed_ca11;

function noteFaults(scenario: Scenario, note: (entry: TimelineEntry) => void): void {
  scenario.faults.forEach((f) => {
    const where = f.regions.includes("*") ? "all regions" : f.regions.join(", ");
    const what =
      f.mode === "flaky"
        ? `flaky (${Math.round((f.failureRate ?? 0) * 100)}% of probes fail)`
        : f.mode === "slow"
          ? `slow (${f.latencyMs} ms answers)`
          : f.mode === "monitor-down"
            ? "monitor-down (the probe region's own network, canaries included)"
            : f.mode;
    const probes = f.probes ? ` [${f.probes.join(", ")}]` : "";
    const label = f.label ?? f.description ?? f.note;
    const about = label ? ` (${label})` : "";
    const who = f.mode === "monitor-down" ? "monitor" : f.provider === "*" ? "all providers" : f.provider;
    note({ at: f.from, kind: "fault", text: `fault begins: ${who} ${what}${probes} in ${where}${about}` });
    note({ at: f.to, kind: "fault", text: `fault ends: ${who} ${f.mode} in ${where}` });
  });
}

function noteEvent(event: DomainEvent, t: number, note: (entry: TimelineEntry) => void): void {
  if (event.type === "verdict-changed") {
    note({
      at: t,
      kind: "verdict",
      provider: event.provider,
      from: event.from,
      to: event.to,
      regions: event.regions,
      ...(event.mode ? { mode: event.mode } : {}),
    });
  }
}

function alertOf(intent: NotificationIntent): ReplayAlert {
  const base = {
    at: intent.at,
    kind: intent.kind,
    ...(intent.incidentId ? { incidentId: intent.incidentId } : {}),
  };
  const provider = "provider" in intent && typeof intent.provider === "string" ? intent.provider : undefined;
  return { ...base, ...(provider ? { provider } : {}), message: notificationText(intent) };
}

function detections(scenario: Scenario, changes: InMemoryDns["changes"]): FaultDetection[] {
  return scenario.faults.map((f, index) => {
    const base = {
      index,
      provider: f.provider,
      mode: f.mode,
      regions: f.regions,
      from: isoTime(f.from),
      to: isoTime(f.to),
    };
    let previous: Weights | undefined;
    for (const change of changes) {
      const before =
        previous?.[f.provider] ?? (scenario.config.sites[0]?.providers[0]?.id === f.provider ? 100 : 0);
      previous = change.weights;
      if (change.at < f.from || change.at > f.to + 300_000) continue;
      if ((change.weights[f.provider] ?? 0) === 0 && before > 0) {
        return { ...base, dnsChangeAt: isoTime(change.at), detectionSeconds: (change.at - f.from) / 1000 };
      }
    }
    return base;
  });
}

function byMinuteThenProvider(a: MinuteRollup, b: MinuteRollup): number {
  return a.minute.localeCompare(b.minute) || a.provider.localeCompare(b.provider);
}

/** A binary min-heap of loop events ordered by time, then by insertion. */
class EventQueue {
  private readonly heap: LoopEvent[] = [];
  private seq = 0;

  /** Adds an event; its `seq` is overwritten with the insertion order (ties break first in, first out). */
  push(item: LoopEvent): void {
    item.seq = this.seq++;
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as LoopEvent)) break;
      heap[i] = heap[parent] as LoopEvent;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): LoopEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let child = i;
      let childEvent = last;
      const l = heap[left];
      const r = heap[right];
      if (l && before(l, childEvent)) {
        child = left;
        childEvent = l;
      }
      if (r && before(r, childEvent)) {
        child = right;
        childEvent = r;
      }
      if (child === i) break;
      heap[i] = childEvent;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: LoopEvent, b: LoopEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
