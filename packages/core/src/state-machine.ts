import type { Policy, Site } from "./config.js";
import { type ReadinessSummary, readinessGateHolds } from "./continuity.js";
import type { AuditRecord, DomainEvent, Effects, NotificationIntent, Transition } from "./effects.js";
import { deploymentScope, noEffects } from "./effects.js";
import type { VendorMode } from "./monitor.js";
import { closeMinutes, type MinuteRollup, recordChange, rollupKey, toRollupVerdict } from "./rollup.js";
import {
  isServable,
  type PendingDns,
  type RegionEvidence,
  type SiteState,
  type StateName,
  sameWeights,
  type Weights,
  weightsServing,
  weightsSplit,
} from "./site-state.js";
import { isoTime } from "./time.js";
import type { GlobalVerdict, ProviderVerdict, SiteVerdicts } from "./verdict.js";

/*
 * The failover state machine of one site, as a pure function:
 *
 *   decide(state, input, context) -> hold | refuse | apply { next state, transition?, effects }
 *
 * `tick` is the evaluator's periodic input (the verdicts are in the context); DNS progress and
 * operator commands are the other inputs. The caller persists `next` with a conditional write on
 * `state.version`, then carries out `next.dns` (a pending weight change) and the effects.
 *
 *   primary-active --primary down, target not down--> failing-over --INSYNC--> secondary-active
 *   secondary-active --primary up for recovery.sustain--> failback-pending --approve--> failing-back
 *   failing-back --each step INSYNC and held healthy; last step--> primary-active
 *   failing-back --primary degraded or down--> secondary-active (abort)
 *   failback-pending --primary down again--> secondary-active
 *   any --freeze--> frozen --unfreeze--> primary-active | secondary-active (from the weights)
 *
 * Around that, the guards of issue 14: at most `policy.maxDnsChangesPerHour` automatic failovers an
 * hour (then a pause, paged once, lifted by a quiet hour or `resume`); a provider in backup
 * authentication is no failover target; news about a provider waits `notifications.dwellSeconds`
 * before it is sent; an incident sends at most `notifications.maxPerIncident` messages besides its
 * decisions; and the monitor's own trouble is one deployment-wide alert.
 */

export type Input =
  | { kind: "tick" }
  | { kind: "dns-submitted"; changeId: string }
  | { kind: "dns-insync" }
  | { kind: "dns-failed"; retryable: boolean; message: string }
  | { kind: "approve"; approvalId: string; actor: string }
  | { kind: "snooze"; approvalId: string; actor: string }
  | { kind: "decline"; approvalId: string; actor: string }
  | { kind: "freeze"; actor: string; reason: string }
  | { kind: "unfreeze"; actor: string; reason: string }
  | { kind: "manual-failover"; to: string; actor: string; reason: string }
  | { kind: "manual-failback"; actor: string; reason: string }
  | { kind: "resume"; actor: string; reason: string };

export interface DecisionContext {
  /** Epoch ms. */
  now: number;
  site: Site;
  /** The probe regions, for per-region rollups. */
  regions: readonly string[];
  policy: Policy;
  verdicts: SiteVerdicts;
  /** At most this many minutes of rollups close in one decision (bounds the outbox). Default: all. */
  maxRollupMinutes?: number;
  /** The site's last complete readiness (loaded when a provider is down): gate and failover alert. */
  readiness?: ReadinessSummary;
}

export type Decision =
  | { kind: "hold"; recheckAt?: number }
  | { kind: "refuse"; reason: string }
  | { kind: "apply"; next: SiteState; transition?: Transition; effects: Effects; recheckAt?: number };

export const evaluatorActor = "evaluator";

export function decide(state: SiteState, input: Input, ctx: DecisionContext): Decision {
  const draft = new Draft(state, ctx);
  const refusal = route(draft, input, ctx);
  if (refusal !== undefined) return { kind: "refuse", reason: refusal };
  return draft.finish();
}

/** Runs the input against the draft; returns a refusal reason for operator inputs that cannot apply. */
function route(d: Draft, input: Input, ctx: DecisionContext): string | undefined {
  switch (input.kind) {
    case "tick":
      tick(d, ctx);
      return;
    case "dns-submitted":
      dnsSubmitted(d, input.changeId);
      return;
    case "dns-insync":
      dnsInsync(d, ctx);
      return;
    case "dns-failed":
      dnsFailed(d, ctx, input.retryable, input.message);
      return;
    case "approve":
    case "snooze":
    case "decline":
      return answerApproval(d, ctx, input);
    case "freeze":
      return freeze(d, input.actor, input.reason);
    case "unfreeze":
      return unfreeze(d, ctx, input.actor, input.reason);
    case "manual-failover":
      return manualFailover(d, ctx, input.to, input.actor, input.reason);
    case "manual-failback":
      return manualFailback(d, ctx, input.actor, input.reason);
    case "resume":
      return resume(d, input.actor, input.reason);
  }
}

// ---------------------------------------------------------------------------------------------
// The periodic evaluation
// ---------------------------------------------------------------------------------------------

function tick(d: Draft, ctx: DecisionContext): void {
  rollForward(d, ctx);
  observeVerdicts(d, ctx);
  announceSettledVerdicts(d, ctx);
  observeMonitor(d, ctx);
  closeRecoveredIncident(d, ctx);
  resumeAfterQuietHour(d, ctx);
  reclaimStuckDns(d, ctx);
  switch (d.state.state) {
    case "frozen":
    case "failing-over":
      return;
    case "primary-active":
    case "secondary-active":
      if (leaveIfActiveDown(d, ctx)) return;
      if (d.state.state === "secondary-active") proposeFailback(d, ctx);
      return;
    case "failback-pending":
      whileFailbackPending(d, ctx);
      return;
    case "failing-back":
      whileFailingBack(d, ctx);
      return;
  }
}

/**
 * A submitted change that never reaches INSYNC (or that Route 53 no longer knows) would leave the
 * site waiting forever. After `dns.insyncTimeoutSeconds` the change id is dropped, with an alert: the
 * evaluator then re-applies the weights, which reads the records back and finishes at once if they
 * already carry them, or submits the change again if they do not.
 */
function reclaimStuckDns(d: Draft, ctx: DecisionContext): void {
  const dns = d.state.dns;
  if (!dns?.changeId || !dns.submittedAt) return;
  const waitedMs = ctx.now - Date.parse(dns.submittedAt);
  if (waitedMs < ctx.policy.dns.insyncTimeoutSeconds * 1000) return;
  const message = `Route 53 change ${dns.changeId} not INSYNC after ${Math.round(waitedMs / 1000)} s; re-checking the records`;
  d.state.dns = { ...dns, changeId: undefined, submittedAt: undefined, lastError: message };
  d.notify({ kind: "dns-error", message, rejected: false, weights: dns.weights });
  d.event({ type: "alert", site: ctx.site.id, at: d.at, alert: "dns-error", message });
}

/** Closes the minutes the clock has passed, then logs the verdicts seen now for the open minute. */
function rollForward(d: Draft, ctx: DecisionContext): void {
  const providers = ctx.site.providers.map((p) => p.id);
  let rollup = d.state.rollup ?? { upTo: ctx.now, base: {}, changes: [] };
  if (d.state.rollup) {
    const { state, closed } = closeMinutes(
      rollup,
      ctx.now,
      ctx.site.id,
      providers,
      ctx.regions,
      ctx.maxRollupMinutes,
    );
    rollup = state;
    d.rollups(closed);
  }
  for (const provider of providers) {
    const verdict = ctx.verdicts[provider];
    rollup = recordChange(
      rollup,
      ctx.now,
      rollupKey(provider),
      toRollupVerdict(verdict?.verdict ?? "impaired"),
    );
    for (const region of ctx.regions) {
      const view = verdict?.regions.find((r) => r.region === region);
      rollup = recordChange(
        rollup,
        ctx.now,
        rollupKey(provider, region),
        toRollupVerdict(view?.verdict ?? "stale"),
      );
    }
  }
  d.state.rollup = rollup;
}

/** Records verdict changes: events, the standby going down, and the serving provider's recovery. */
function observeVerdicts(d: Draft, ctx: DecisionContext): void {
  const { site } = ctx;
  for (const provider of site.providers) {
    const current = ctx.verdicts[provider.id];
    const verdict: GlobalVerdict = current?.verdict ?? "impaired";
    const mode = current?.mode;
    const previous = d.state.observed[provider.id];
    if (previous?.verdict === verdict && previous.mode === mode) continue;
    const downUntil = previous?.verdict === "down" ? d.at : previous?.downUntil;
    d.state.observed[provider.id] = {
      verdict,
      since: d.at,
      ...(downUntil ? { downUntil } : {}),
      ...(mode ? { mode } : {}),
      ...(previous?.announced ? { announced: previous.announced } : {}),
    };
    d.event({
      type: "verdict-changed",
      site: site.id,
      at: d.at,
      provider: provider.id,
      from: previous?.verdict ?? "unknown",
      to: verdict,
      regions: Object.fromEntries((current?.regions ?? []).map((r) => [r.region, r.verdict])),
      ...(mode ? { mode } : {}),
    });
    const observed = d.state.observed[provider.id];
    if (verdict === "down" && observed) {
      // Losing a failover target is news at once; a standby flapping down again before its recovery
      // was announced is not (it was never announced as back).
      if (provider.id !== d.state.active && observed.announced !== "down") {
        d.notify({ kind: "provider-down", provider: provider.id, evidence: evidenceOf(current) });
      }
      observed.announced = "down";
    }
    trackIncidentEpisodes(d, ctx, provider.id, verdict);
  }
}

/**
 * Degraded and recovered news, once the verdict has held for `notifications.dwellSeconds`: a provider
 * that is degraded for a minute, or back for a minute between outages, is chatter, not news.
 */
function announceSettledVerdicts(d: Draft, ctx: DecisionContext): void {
  const dwellMs = ctx.policy.notifications.dwellSeconds * 1000;
  for (const provider of ctx.site.providers) {
    const observed = d.state.observed[provider.id];
    if (!observed || ctx.now - Date.parse(observed.since) < dwellMs) continue;
    if (observed.verdict === "degraded") {
      const key = announcementOf(observed.verdict, observed.mode);
      if (observed.announced === key) continue;
      observed.announced = key;
      const evidence = evidenceOf(ctx.verdicts[provider.id]);
      d.notify({
        kind: "provider-degraded",
        provider: provider.id,
        evidence,
        ...(observed.mode ? { mode: observed.mode } : {}),
      });
    } else if (observed.verdict === "up" && observed.announced !== undefined) {
      const incident = d.state.incident;
      // The incident's own resolution says it (closeRecoveredIncident): one message, not two.
      if (incident?.provider === provider.id && !incident.failoverTo) continue;
      const was = observed.announced.startsWith("degraded") ? "degraded" : "down";
      observed.announced = undefined;
      d.notify({ kind: "provider-recovered", provider: provider.id, was });
    }
  }
}

function announcementOf(verdict: GlobalVerdict, mode: VendorMode | undefined): string {
  return mode ? `${verdict}:${mode}` : verdict;
}

/**
 * An incident ends when its provider is back, but not at the first healthy minute: one without a
 * failover stays open until the provider has been up for `notifications.dwellSeconds`, so a provider
 * that goes down again meanwhile is the same incident (a new episode), one alert thread.
 */
function trackIncidentEpisodes(
  d: Draft,
  ctx: DecisionContext,
  provider: string,
  verdict: GlobalVerdict,
): void {
  const incident = d.state.incident;
  if (!incident || incident.provider !== provider) return;
  if (verdict === "up" && !incident.recoveredAt) {
    d.updateIncident({ recoveredAt: d.at });
    return;
  }
  if (verdict === "down" && incident.recoveredAt && !incident.failoverTo) {
    const failingSince = ctx.verdicts[provider]?.failingSince;
    const episode = { start: incident.episodeStart ?? incident.start, recoveredAt: incident.recoveredAt };
    d.updateIncident({
      episodes: [...(incident.episodes ?? []), episode],
      episodeStart: failingSince !== undefined && failingSince <= ctx.now ? isoTime(failingSince) : d.at,
      recoveredAt: undefined,
    });
  }
}

function closeRecoveredIncident(d: Draft, ctx: DecisionContext): void {
  const incident = d.state.incident;
  if (!incident?.recoveredAt || incident.failoverTo) return;
  const observed = d.state.observed[incident.provider];
  if (observed?.verdict !== "up") return;
  if (ctx.now - Date.parse(observed.since) < ctx.policy.notifications.dwellSeconds * 1000) return;
  // Dated at the recovery, not at the end of the wait: reports count the outage, not the dwell.
  observed.announced = undefined;
  d.updateIncident({ endAt: incident.recoveredAt }, { close: true });
}

/**
 * The monitor's own trouble: probe regions impaired (their canaries or clock) or silent. It is about
 * the deployment, not this site, so the alert is deployment-wide (`site: "*"`), and its id comes from
 * the episode (every site's evaluation raises the same one, and it is sent once). It opens after the
 * dwell, says when fewer than a quorum of regions can judge (nothing moves automatically), is updated
 * when the regions change, and closes once every region has been healthy for the dwell.
 */
function observeMonitor(d: Draft, ctx: DecisionContext): void {
  const trouble = monitorTrouble(ctx);
  const dwellMs = ctx.policy.notifications.dwellSeconds * 1000;
  const open = d.state.alerts.monitor;
  if (trouble.regions.length > 0) {
    const monitor = open ?? { since: isoTime(trouble.since), regions: [], holding: false };
    monitor.regions = trouble.regions;
    monitor.holding = trouble.holding;
    monitor.quietSince = undefined;
    d.state.alerts.monitor = monitor;
    if (ctx.now - Date.parse(monitor.since) < dwellMs) return;
    // Worse news (more regions, or a lost quorum) is sent; a partial recovery waits for the all-clear.
    const announced = monitor.announced;
    const worse =
      !announced ||
      (trouble.holding && !announced.holding) ||
      trouble.regions.some((r) => !announced.regions.includes(r));
    if (!worse) return;
    monitor.announced = { regions: trouble.regions, holding: trouble.holding };
    const key = `${trouble.regions.join(",")}${trouble.holding ? "+holding" : ""}`;
    d.notifyDeployment(`monitor:${monitor.since}:impaired:${key}`, {
      kind: "monitor-impaired",
      provider: deploymentScope,
      staleRegions: trouble.stale,
      freshRegions: ctx.regions.filter((r) => !trouble.regions.includes(r)),
      impairedRegions: trouble.impaired,
      reasons: trouble.reasons,
      holding: trouble.holding,
      since: monitor.since,
    });
    if (!announced) {
      d.event({
        type: "alert",
        site: ctx.site.id,
        at: d.at,
        alert: "monitor-impaired",
        message: `monitor impaired in ${trouble.regions.join(", ")}${trouble.holding ? `: fewer than ${ctx.policy.quorum} regions can judge, no automatic action` : ": they abstain"}`,
      });
    }
    return;
  }
  if (!open) return;
  open.quietSince ??= d.at;
  if (ctx.now - Date.parse(open.quietSince) < dwellMs) return;
  d.state.alerts.monitor = undefined;
  if (open.announced === undefined) return; // never announced: it ends as quietly as it began
  d.notifyDeployment(`monitor:${open.since}:restored`, {
    kind: "monitor-restored",
    provider: deploymentScope,
    since: open.since,
  });
  d.event({
    type: "alert",
    site: ctx.site.id,
    at: d.at,
    alert: "monitor-restored",
    message: "every probe region judges again",
  });
}

interface MonitorTrouble {
  /** Impaired and silent regions, in the config's order. */
  regions: string[];
  impaired: string[];
  stale: string[];
  reasons: Record<string, string>;
  /** Fewer than a quorum of regions can judge a provider: nothing moves automatically. */
  holding: boolean;
  /** When the earliest of them began (epoch ms). */
  since: number;
}

function monitorTrouble(ctx: DecisionContext): MonitorTrouble {
  const reasons: Record<string, string> = {};
  const impaired = new Set<string>();
  const stale = new Set<string>();
  let since = ctx.now;
  for (const provider of ctx.site.providers) {
    for (const view of ctx.verdicts[provider.id]?.regions ?? []) {
      if (view.verdict === "impaired") {
        impaired.add(view.region);
        if (view.impairment) reasons[view.region] = view.impairment;
        since = Math.min(since, view.impairedSince ?? ctx.now);
      } else if (view.verdict === "stale" && view.lastRoundAt !== undefined) {
        // A region that never reported is starting, not silent.
        stale.add(view.region);
        since = Math.min(since, view.lastRoundAt + ctx.policy.staleAfterSeconds * 1000);
      }
    }
  }
  for (const region of impaired) stale.delete(region);
  const inOrder = (set: Set<string>) => ctx.regions.filter((r) => set.has(r));
  const regions = inOrder(new Set([...impaired, ...stale]));
  const holding =
    regions.length > 0 && ctx.site.providers.some((p) => ctx.verdicts[p.id]?.verdict === "impaired");
  return { regions, impaired: inOrder(impaired), stale: inOrder(stale), reasons, holding, since };
}

/**
 * When the provider serving traffic is down, move to the healthiest other provider, or raise
 * "both down" when there is none. Returns true when the site is handled for this tick.
 */
function leaveIfActiveDown(d: Draft, ctx: DecisionContext): boolean {
  const { state } = d;
  const activeVerdict = verdictOf(ctx, state.active);
  if (activeVerdict !== "down") {
    // Said once per incident: a provider flapping through "both down" is one incident, one page.
    if (state.alerts.bothDownSince && !state.incident) state.alerts.bothDownSince = undefined;
    if (state.alerts.failoverHeldSince) state.alerts.failoverHeldSince = undefined;
    return false;
  }
  const opened = !state.incident;
  if (!state.incident) openIncident(d, ctx, state.active);
  const observed = state.observed[state.active];
  if (observed) observed.announced = "down"; // the incident's own alert announces it
  const target = chooseTarget(ctx, state, state.active);
  if (!target) {
    if (!state.alerts.bothDownSince) {
      state.alerts.bothDownSince = d.at;
      const evidence = ctx.site.providers.flatMap((p) => evidenceOf(ctx.verdicts[p.id]));
      const modes = excludedByMode(ctx, state.active);
      d.notify({
        kind: "both-down",
        providers: ctx.site.providers.map((p) => p.id),
        evidence,
        ...(Object.keys(modes).length > 0 ? { modes } : {}),
      });
      const why = Object.entries(modes)
        .map(([id, mode]) => `${id} is in ${mode}`)
        .join(", ");
      d.event({
        type: "alert",
        site: ctx.site.id,
        at: d.at,
        alert: "both-down",
        message: `${state.active} is down and no other provider can take over${why ? ` (${why})` : ""}: no failover`,
      });
    }
    return true;
  }
  const held = readinessGateHolds(ctx.policy.continuity?.gateBelowPct, ctx.readiness, target);
  if (held) {
    if (!state.alerts.failoverHeldSince) {
      state.alerts.failoverHeldSince = d.at;
      const evidence = evidenceOf(ctx.verdicts[state.active]);
      d.notify({ kind: "failover-held", from: state.active, to: target, reason: held, evidence });
    }
    return true;
  }
  automaticFailover(d, ctx, target, `${state.active} down in ${downRegions(ctx, state.active)}`, opened);
  return true;
}

/**
 * An automatic failover, unless the site has made `policy.maxDnsChangesPerHour` of them in the last
 * hour: then it stays where it is (the last change put it on a provider that worked), the pause is
 * paged once, and each change wanted meanwhile restarts the quiet hour that lifts it.
 */
function automaticFailover(
  d: Draft,
  ctx: DecisionContext,
  target: string,
  reason: string,
  incidentOpened: boolean,
): void {
  const { state } = d;
  const hourAgo = ctx.now - hourMs;
  const flips = (state.flips ?? []).filter((at) => Date.parse(at) > hourAgo);
  const limit = ctx.policy.maxDnsChangesPerHour;
  if (!state.paused && flips.length < limit) {
    state.flips = [...flips, d.at];
    startFailover(d, ctx, target, reason, evaluatorActor);
    return;
  }
  const until = isoTime(ctx.now + hourMs);
  const starting = !state.paused;
  state.paused = { since: state.paused?.since ?? d.at, until, changes: flips.length };
  state.flips = flips;
  if (!starting && !incidentOpened) return;
  d.notify({ kind: "flapping-paused", changes: flips.length, limit, serving: state.active, until });
  if (!starting) return;
  const message = `${flips.length} automatic DNS changes in the last hour (limit ${limit}): automatic changes paused until ${until}, staying on ${state.active}`;
  d.audit("flapping-paused", `${message}; wanted: ${reason}`, evaluatorActor);
  d.event({ type: "alert", site: ctx.site.id, at: d.at, alert: "flapping-paused", message });
}

const hourMs = 3_600_000;

/** After a quiet hour (no automatic change wanted), automatic changes resume by themselves. */
function resumeAfterQuietHour(d: Draft, ctx: DecisionContext): void {
  const paused = d.state.paused;
  if (!paused || ctx.now < Date.parse(paused.until)) return;
  d.state.paused = undefined;
  const reason = `no automatic DNS change wanted since ${isoTime(Date.parse(paused.until) - hourMs)}`;
  d.notify({ kind: "flapping-resumed", by: evaluatorActor, reason });
  d.audit("flapping-resumed", reason, evaluatorActor);
  d.event({
    type: "alert",
    site: ctx.site.id,
    at: d.at,
    alert: "flapping-resumed",
    message: `automatic changes resumed: ${reason}`,
  });
}

function resume(d: Draft, actor: string, reason: string): string | undefined {
  if (!d.state.paused) return "automatic changes are not paused";
  d.state.paused = undefined;
  d.state.flips = []; // the operator vouches for the next changes: the hour starts afresh
  const why = reason ? `resumed by ${actor}: ${reason}` : `resumed by ${actor}`;
  d.notify({ kind: "flapping-resumed", by: actor, reason: why });
  d.audit("resume", why, actor);
  d.event({ type: "alert", site: d.state.site, at: d.at, alert: "flapping-resumed", message: why });
  return;
}

function startFailover(d: Draft, ctx: DecisionContext, target: string, reason: string, actor: string): void {
  const from = d.state.active;
  const weights = weightsServing(ctx.site, target);
  const readiness = ctx.readiness?.secondary === target ? ctx.readiness : undefined;
  if (d.state.incident && !d.state.incident.failoverTo) {
    d.updateIncident({
      failoverTo: target,
      ...(readiness
        ? { secondaryReadinessPct: readiness.readinessPct, secondaryReadinessAt: readiness.at }
        : {}),
    });
  }
  d.state.failback = undefined;
  d.state.approval = undefined;
  d.state.active = target;
  d.requestDns(weights, "failover");
  d.transition("failing-over", reason, actor, weights);
  d.notify({
    kind: "failing-over",
    from,
    to: target,
    reason,
    actor,
    weights,
    evidence: evidenceOf(ctx.verdicts[from]),
    ...(readiness ? { readiness: { pct: readiness.readinessPct, at: readiness.at } } : {}),
  });
}

function proposeFailback(d: Draft, ctx: DecisionContext): void {
  const { state } = d;
  const primary = primaryId(ctx);
  const healthySince = healthySinceOf(d, primary);
  if (healthySince === undefined) return;
  if (ctx.now < failbackDueAt(state, ctx.policy, healthySince)) return;
  if (state.dns && !state.dns.rejected) return; // a weight change is still in flight
  const approval = d.newApproval();
  if (state.incident && !state.incident.failbackRequestedAt) d.updateIncident({ failbackRequestedAt: d.at });
  d.transition("failback-pending", `${primary} healthy since ${isoTime(healthySince)}`, evaluatorActor);
  d.notify({
    kind: "failback-requested",
    approvalId: approval.id,
    expiresAt: approval.expiresAt,
    primary,
    healthySince: isoTime(healthySince),
  });
}

function failbackDueAt(state: SiteState, policy: Policy, healthySince: number): number {
  const notBefore = state.requestNotBefore ? Date.parse(state.requestNotBefore) : 0;
  return Math.max(healthySince + policy.recovery.sustainSeconds * 1000, notBefore);
}

function whileFailbackPending(d: Draft, ctx: DecisionContext): void {
  const { state } = d;
  const primary = primaryId(ctx);
  if (verdictOf(ctx, primary) === "down") {
    const approvalId = d.closeApproval("cancelled", evaluatorActor);
    d.transition("secondary-active", `${primary} down again before failback was approved`, evaluatorActor);
    d.notify({
      kind: "failback-deferred",
      ...(approvalId ? { approvalId } : {}),
      outcome: "cancelled",
      by: evaluatorActor,
      reason: `${primary} is down again`,
    });
    return;
  }
  if (leaveIfActiveDown(d, ctx)) return;
  const approval = state.approval;
  if (approval && ctx.now >= Date.parse(approval.expiresAt)) {
    d.closeApproval("expired", evaluatorActor);
    const renewed = d.newApproval();
    d.notify({
      kind: "failback-deferred",
      approvalId: approval.id,
      outcome: "expired",
      by: evaluatorActor,
      reason: `approval ${approval.id} expired unanswered; asking again`,
    });
    d.notify({
      kind: "failback-requested",
      approvalId: renewed.id,
      expiresAt: renewed.expiresAt,
      primary,
      healthySince: state.observed[primary]?.since ?? d.at,
    });
  }
}

function whileFailingBack(d: Draft, ctx: DecisionContext): void {
  const { state, at } = d;
  const primary = primaryId(ctx);
  const primaryVerdict = verdictOf(ctx, primary);
  const activeVerdict = verdictOf(ctx, state.active);
  if (activeVerdict === "down" && primaryVerdict !== "down") {
    // The provider we are leaving broke mid-failback: finish at once rather than stepping.
    automaticFailover(d, ctx, primary, `${state.active} down during failback`, false);
    return;
  }
  if (activeVerdict === "down") {
    leaveIfActiveDown(d, ctx); // both down: nowhere better to send traffic, so raise it and hold
    return;
  }
  if (primaryVerdict === "down" || primaryVerdict === "degraded") {
    const weights = weightsServing(ctx.site, state.active);
    const reason = `${primary} ${primaryVerdict} during failback step ${(state.failback?.step ?? 0) + 1}`;
    const approvalId = state.failback?.approvalId;
    d.state.failback = undefined;
    d.requestDns(weights, "abort");
    d.transition("secondary-active", reason, evaluatorActor, weights);
    d.notify({ kind: "failback-aborted", ...(approvalId ? { approvalId } : {}), reason, weights });
    return;
  }
  const failback = state.failback;
  if (!failback?.stepInsyncAt || state.dns || primaryVerdict !== "up") return; // impaired: hold still
  if (ctx.now < Date.parse(failback.stepInsyncAt) + ctx.policy.failback.holdSeconds * 1000) return;
  const steps = ctx.policy.failback.steps;
  if (failback.step >= steps.length - 1) {
    const approvedBy = failback.approvedBy;
    d.state.failback = undefined;
    d.state.active = primary;
    d.updateIncident({ endAt: at }, { close: true });
    d.transition("primary-active", `failback complete after ${steps.length} step(s)`, evaluatorActor);
    const approvalId = failback.approvalId;
    d.notify({ kind: "failback-done", ...(approvalId ? { approvalId } : {}), primary, approvedBy });
    return;
  }
  const step = failback.step + 1;
  const weights = weightsSplit(ctx.site, primary, steps[step] ?? 100, state.active);
  d.state.failback = { ...failback, step, stepInsyncAt: undefined };
  d.requestDns(weights, "failback-step");
}

function openIncident(d: Draft, ctx: DecisionContext, provider: string): void {
  const failingSince = ctx.verdicts[provider]?.failingSince;
  const start = failingSince !== undefined && failingSince <= ctx.now ? isoTime(failingSince) : d.at;
  d.state.incident = {
    id: `${ctx.site.id}-${d.at.replace(/[-:.]/g, "").replace("T", "-").replace("Z", "")}`,
    site: ctx.site.id,
    provider,
    start,
    detectedAt: d.at,
    evidence: evidenceOf(ctx.verdicts[provider]),
  };
  d.incidentChanged = true;
}

// ---------------------------------------------------------------------------------------------
// DNS progress
// ---------------------------------------------------------------------------------------------

function dnsSubmitted(d: Draft, changeId: string): void {
  const dns = d.state.dns;
  if (!dns || dns.changeId === changeId) return;
  d.state.dns = {
    ...dns,
    changeId,
    submittedAt: d.at,
    attempts: dns.attempts + 1,
    retryAt: undefined,
    lastError: undefined,
  };
  const incident = d.state.incident;
  if (incident && dns.purpose === "failover" && !incident.dnsSubmittedAt) {
    d.updateIncident({ dnsSubmittedAt: d.at, dnsChangeId: changeId });
  }
}

function dnsInsync(d: Draft, ctx: DecisionContext): void {
  const { state, at } = d;
  const dns = state.dns;
  if (!dns) return;
  const from = heaviest(state.weights);
  state.weights = dns.weights;
  state.dns = undefined;
  if (state.state === "failing-over") {
    const primary = primaryId(ctx);
    const to: StateName = state.active === primary ? "primary-active" : "secondary-active";
    const incident = state.incident;
    if (incident && !incident.insyncAt) d.updateIncident({ insyncAt: at });
    if (to === "primary-active") d.updateIncident({ endAt: at }, { close: true });
    d.transition(
      to,
      `DNS change ${dns.changeId ?? "(already applied)"} in sync`,
      evaluatorActor,
      dns.weights,
    );
    d.notify({
      kind: "failed-over",
      from,
      to: state.active,
      ...(dns.changeId ? { changeId: dns.changeId } : {}),
      ...(dns.submittedAt ? { submittedAt: dns.submittedAt } : {}),
      insyncAt: at,
      ...(incident ? { evidence: incident.evidence } : {}),
    });
    return;
  }
  if (state.state === "failing-back" && state.failback && dns.purpose === "failback-step") {
    state.failback = { ...state.failback, stepInsyncAt: at };
    d.notify({
      kind: "failback-progress",
      ...(state.failback.approvalId ? { approvalId: state.failback.approvalId } : {}),
      step: state.failback.step + 1,
      steps: ctx.policy.failback.steps.length,
      weights: dns.weights,
      approvedBy: state.failback.approvedBy,
    });
  }
}

function dnsFailed(d: Draft, ctx: DecisionContext, retryable: boolean, message: string): void {
  const dns = d.state.dns;
  if (!dns) return;
  const attempts = dns.attempts + 1;
  const backoff = ctx.policy.dns.retrySeconds;
  const delay = backoff[Math.min(attempts - 1, backoff.length - 1)] ?? 60;
  const retryAt = retryable ? isoTime(ctx.now + delay * 1000) : undefined;
  d.state.dns = {
    ...dns,
    attempts,
    lastError: message.slice(0, 300),
    retryAt,
    ...(retryable ? {} : { rejected: true }),
  };
  if (attempts === 1 || !retryable) {
    d.notify({
      kind: "dns-error",
      message,
      rejected: !retryable,
      ...(retryAt ? { retryAt } : {}),
      weights: dns.weights,
    });
    d.event({
      type: "alert",
      site: ctx.site.id,
      at: d.at,
      alert: "dns-error",
      message: retryable
        ? `Route 53 change failed, retrying: ${message}`
        : `Route 53 refused the change: ${message}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// People: approvals and operator commands
// ---------------------------------------------------------------------------------------------

function answerApproval(
  d: Draft,
  ctx: DecisionContext,
  input: Extract<Input, { kind: "approve" | "snooze" | "decline" }>,
): string | undefined {
  const { state } = d;
  const last = state.lastApproval;
  if (last?.id === input.approvalId) {
    return `this failback request was already ${last.outcome} by ${last.by} at ${last.at}`;
  }
  const approval = state.approval;
  if (state.state !== "failback-pending" || !approval) {
    return `no failback is waiting for approval (site ${state.site} is ${state.state})`;
  }
  if (approval.id !== input.approvalId)
    return "this failback request is no longer current; use the latest message";
  if (ctx.now >= Date.parse(approval.expiresAt))
    return `this failback request expired at ${approval.expiresAt}`;

  if (input.kind === "approve") {
    const primaryVerdict = verdictOf(ctx, primaryId(ctx));
    if (primaryVerdict !== "up") return `the primary is ${primaryVerdict} right now; failback needs it up`;
    d.closeApproval("approved", input.actor);
    startFailback(d, ctx, input.actor, `approved by ${input.actor}`, input.approvalId);
    return;
  }
  const snooze = input.kind === "snooze";
  const until = isoTime(
    ctx.now + (snooze ? ctx.policy.failback.snoozeSeconds : ctx.policy.failback.declineSeconds) * 1000,
  );
  const approvalId = d.closeApproval(snooze ? "snoozed" : "declined", input.actor);
  d.state.requestNotBefore = until;
  const reason = snooze
    ? `snoozed by ${input.actor} until ${until}`
    : `${input.actor} chose to stay until ${until}`;
  d.transition("secondary-active", reason, input.actor);
  d.notify({
    kind: "failback-deferred",
    ...(approvalId ? { approvalId } : {}),
    outcome: snooze ? "snoozed" : "declined",
    by: input.actor,
    until,
    reason,
  });
  return;
}

function startFailback(
  d: Draft,
  ctx: DecisionContext,
  actor: string,
  reason: string,
  approvalId?: string,
): void {
  const primary = primaryId(ctx);
  const first = ctx.policy.failback.steps[0] ?? 100;
  const weights = weightsSplit(ctx.site, primary, first, d.state.active);
  d.state.failback = { step: 0, approvedBy: actor, approvedAt: d.at, ...(approvalId ? { approvalId } : {}) };
  d.state.requestNotBefore = undefined;
  if (d.state.incident) d.updateIncident({ failbackApprovedAt: d.at, approvedBy: actor });
  d.requestDns(weights, "failback-step");
  d.transition("failing-back", reason, actor, weights);
  d.notify({
    kind: "failback-started",
    ...(approvalId ? { approvalId } : {}),
    approvedBy: actor,
    weights,
    steps: ctx.policy.failback.steps.length,
  });
}

function manualFailback(d: Draft, ctx: DecisionContext, actor: string, reason: string): string | undefined {
  const { state } = d;
  if (state.state === "frozen") return "the site is frozen; unfreeze it first";
  if (state.state !== "secondary-active" && state.state !== "failback-pending") {
    return `failback starts from secondary-active or failback-pending, not ${state.state}`;
  }
  const primaryVerdict = verdictOf(ctx, primaryId(ctx));
  if (primaryVerdict !== "up") return `the primary is ${primaryVerdict}; failback needs it up`;
  const approvalId = state.approval ? d.closeApproval("approved", actor) : undefined;
  startFailback(
    d,
    ctx,
    actor,
    reason ? `manual failback by ${actor}: ${reason}` : `manual failback by ${actor}`,
    approvalId,
  );
  return;
}

function manualFailover(
  d: Draft,
  ctx: DecisionContext,
  to: string,
  actor: string,
  reason: string,
): string | undefined {
  const { state } = d;
  if (state.state === "frozen") return "the site is frozen; unfreeze it first";
  if (!ctx.site.providers.some((p) => p.id === to)) {
    return `unknown provider ${JSON.stringify(to)}; this site has ${ctx.site.providers.map((p) => p.id).join(", ")}`;
  }
  if (state.state === "failing-over" && state.dns && !state.dns.rejected) {
    return `a DNS change to ${state.active} is in flight; wait for it to finish`;
  }
  if (to === state.active && state.state !== "failing-back" && !state.dns?.rejected) {
    return `${to} already serves ${ctx.site.hostname}`;
  }
  const verdict = verdictOf(ctx, to);
  if (verdict === "down") return `${to} is down; refusing to fail over onto a down provider`;
  d.state.requestNotBefore = undefined;
  startFailover(d, ctx, to, `manual failover by ${actor}: ${reason}`, actor);
  return;
}

function freeze(d: Draft, actor: string, reason: string): string | undefined {
  const { state } = d;
  if (state.state === "frozen") return `already frozen by ${state.frozen?.by} at ${state.frozen?.at}`;
  // A change Route 53 has accepted still completes; one not yet submitted is dropped.
  if (state.dns && !state.dns.changeId) state.dns = undefined;
  if (state.approval) d.closeApproval("cancelled", actor);
  state.failback = undefined;
  state.frozen = { by: actor, reason, at: d.at };
  d.transition("frozen", `frozen by ${actor}: ${reason}`, actor);
  d.notify({ kind: "frozen", by: actor, reason });
  return;
}

function unfreeze(d: Draft, ctx: DecisionContext, actor: string, reason: string): string | undefined {
  const { state } = d;
  if (state.state !== "frozen") return `not frozen (site ${state.site} is ${state.state})`;
  const primary = primaryId(ctx);
  const weights = state.dns?.weights ?? state.weights;
  const onPrimary = sameWeights(weights, weightsServing(ctx.site, primary));
  state.frozen = undefined;
  if (onPrimary) {
    state.active = primary;
    d.transition("primary-active", `unfrozen by ${actor}${reason ? `: ${reason}` : ""}`, actor);
  } else {
    const secondaries = ctx.site.providers
      .filter((p) => p.id !== primary)
      .map((p) => [p.id, weights[p.id] ?? 0]);
    state.active = heaviest(Object.fromEntries(secondaries));
    const clean = weightsServing(ctx.site, state.active);
    if (!sameWeights(weights, clean)) d.requestDns(clean, "restore");
    d.transition("secondary-active", `unfrozen by ${actor}${reason ? `: ${reason}` : ""}`, actor);
  }
  d.notify({ kind: "unfrozen", by: actor, resumedAs: d.state.state });
  return;
}

// ---------------------------------------------------------------------------------------------
// Helpers over verdicts
// ---------------------------------------------------------------------------------------------

function primaryId(ctx: DecisionContext): string {
  return ctx.site.providers[0]?.id ?? "";
}

function verdictOf(ctx: DecisionContext, provider: string): GlobalVerdict {
  return ctx.verdicts[provider]?.verdict ?? "impaired";
}

const preference: Record<GlobalVerdict, number> = { up: 0, degraded: 1, impaired: 2, down: 3 };

/** Providers other than `leaving` that are not down but ruled out by a vendor mode. */
function excludedByMode(ctx: DecisionContext, leaving: string): Record<string, VendorMode> {
  const out: Record<string, VendorMode> = {};
  for (const provider of ctx.site.providers) {
    const verdict = ctx.verdicts[provider.id];
    if (provider.id !== leaving && verdict?.mode === "backup-auth" && verdict.verdict !== "down") {
      out[provider.id] = verdict.mode;
    }
  }
  return out;
}

/**
 * The healthiest provider other than `leaving`, in priority order among equals. Never a down one,
 * nor one in backup authentication (it renews existing sessions but signs nobody new in),
 * nor one failing in a quorum of regions right now (it is probably going down too), nor one that
 * came back from down less than `settleMs` ago: when both providers fail and recover together, the
 * first to recover is usually a round ahead of the other, and flipping onto it would only cost a
 * needless failover and failback.
 */
export function chooseTarget(ctx: DecisionContext, state: SiteState, leaving: string): string | undefined {
  let best: { id: string; rank: number } | undefined;
  for (const provider of ctx.site.providers) {
    if (provider.id === leaving) continue;
    const rank = preference[verdictOf(ctx, provider.id)];
    if (rank === preference.down || ctx.verdicts[provider.id]?.failingInQuorum) continue;
    if (ctx.verdicts[provider.id]?.mode === "backup-auth") continue; // takes no new sign-ins
    if (ctx.now < settledAt(state, ctx.policy, provider.id)) continue;
    if (!best || rank < best.rank) best = { id: provider.id, rank };
  }
  return best?.id;
}

/** When a provider that recovered from down becomes a failover target again. */
function settledAt(state: SiteState, policy: Policy, provider: string): number {
  const downUntil = state.observed[provider]?.downUntil;
  return downUntil ? Date.parse(downUntil) + settleMs(policy) : 0;
}

function settleMs(policy: Policy): number {
  return policy.recovery.consecutiveRounds * policy.cadenceSeconds * 1000;
}

function downRegions(ctx: DecisionContext, provider: string): string {
  const regions = (ctx.verdicts[provider]?.regions ?? [])
    .filter((r) => r.verdict === "down")
    .map((r) => r.region);
  return regions.join(", ") || "quorum";
}

function evidenceOf(verdict: ProviderVerdict | undefined): RegionEvidence[] {
  return (verdict?.regions ?? []).map((r) => ({
    region: r.region,
    verdict: r.verdict,
    evidence: r.evidence,
  }));
}

/** Since when the provider has been `up` without a break, as the state observed it. */
function healthySinceOf(d: Draft, provider: string): number | undefined {
  const observed = d.state.observed[provider];
  return observed?.verdict === "up" ? Date.parse(observed.since) : undefined;
}

/** The provider carrying the most weight (the first listed among equals). */
function heaviest(weights: Weights): string {
  let best = "";
  let bestWeight = -1;
  for (const [id, weight] of Object.entries(weights)) {
    if (weight > bestWeight) {
      best = id;
      bestWeight = weight;
    }
  }
  return best;
}

/** The earliest future moment a timer in this state could change the decision. */
export function nextDeadline(
  state: SiteState,
  policy: Policy,
  now: number,
  primary: string,
): number | undefined {
  const candidates: number[] = [];
  if (state.dns?.retryAt && !state.dns.changeId) candidates.push(Date.parse(state.dns.retryAt));
  if (state.dns?.changeId && state.dns.submittedAt) {
    candidates.push(Date.parse(state.dns.submittedAt) + policy.dns.insyncTimeoutSeconds * 1000);
  }
  const primaryObserved = state.observed[primary];
  if (state.state === "secondary-active" && primaryObserved?.verdict === "up") {
    candidates.push(failbackDueAt(state, policy, Date.parse(primaryObserved.since)));
  }
  if (state.state === "failback-pending" && state.approval)
    candidates.push(Date.parse(state.approval.expiresAt));
  if (state.alerts.bothDownSince) {
    for (const provider of Object.keys(state.observed)) candidates.push(settledAt(state, policy, provider));
  }
  if (state.state === "failing-back" && state.failback?.stepInsyncAt) {
    candidates.push(Date.parse(state.failback.stepInsyncAt) + policy.failback.holdSeconds * 1000);
  }
  if (state.paused) candidates.push(Date.parse(state.paused.until));
  const dwellMs = policy.notifications.dwellSeconds * 1000;
  for (const observed of Object.values(state.observed)) {
    const due =
      observed.verdict === "degraded"
        ? observed.announced !== announcementOf(observed.verdict, observed.mode)
        : observed.verdict === "up" && observed.announced !== undefined;
    if (due) candidates.push(Date.parse(observed.since) + dwellMs);
  }
  const monitor = state.alerts.monitor;
  if (monitor?.quietSince) candidates.push(Date.parse(monitor.quietSince) + dwellMs);
  else if (monitor && monitor.announced === undefined) candidates.push(Date.parse(monitor.since) + dwellMs);
  const incident = state.incident;
  const recovering =
    incident?.recoveredAt && !incident.failoverTo ? state.observed[incident.provider] : undefined;
  if (recovering?.verdict === "up") candidates.push(Date.parse(recovering.since) + dwellMs);
  const future = candidates.filter((t) => t > now);
  return future.length > 0 ? Math.min(...future) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The draft: a copy of the state being changed, and the effects collected on the way
// ---------------------------------------------------------------------------------------------

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NotificationBody = DistributiveOmit<NotificationIntent, "id" | "site" | "at" | "incidentId">;

/**
 * What an incident always sends, whatever its count: its decisions and the requests people answer.
 * The rest (a provider degraded, down or back, a DNS retry) is news the cap may keep back.
 */
const chatter: ReadonlySet<NotificationIntent["kind"]> = new Set([
  "provider-degraded",
  "provider-down",
  "provider-recovered",
]);

function isChatter(body: NotificationBody): boolean {
  return chatter.has(body.kind) || (body.kind === "dns-error" && !body.rejected);
}
type EventBody = DistributiveOmit<DomainEvent, "id">;

class Draft {
  readonly state: SiteState;
  readonly at: string;
  private readonly original: string;
  private readonly effects: Effects = noEffects();
  private transitionRecord: Transition | undefined;
  /** Every transition of this decision, each published as a `state-changed` event. */
  private readonly transitionLog: Array<{ record: Transition; weights?: Weights }> = [];
  incidentChanged = false;
  private closeIncident = false;

  constructor(
    state: SiteState,
    private readonly ctx: DecisionContext,
  ) {
    this.original = JSON.stringify(state);
    this.state = structuredClone(state);
    this.at = isoTime(ctx.now);
  }

  transition(to: StateName, reason: string, actor: string, weights?: Weights): void {
    const from = this.state.state;
    this.state.state = to;
    this.state.since = this.at;
    this.state.lastTransitionAt = this.at;
    if (to !== "frozen") this.state.frozen = undefined;
    this.transitionRecord = { site: this.state.site, from, to, at: this.at, reason, actor, version: 0 };
    this.transitionLog.push({ record: this.transitionRecord, ...(weights ? { weights } : {}) });
    this.effects.audit.push({
      site: this.state.site,
      at: this.at,
      seq: 0,
      actor,
      action: "transition",
      reason,
      from,
      to,
      ...(weights ? { weights } : {}),
      ...(to === "failing-over" && this.state.incident ? { evidence: this.state.incident.evidence } : {}),
    });
  }

  requestDns(weights: Weights, purpose: PendingDns["purpose"]): void {
    if (!isServable(weights)) throw new Error(`refusing an all-zero weighted set for ${this.state.site}`);
    this.state.dns = { weights, purpose, requestedAt: this.at, attempts: 0 };
  }

  notify(body: NotificationBody): void {
    const incident = this.state.incident;
    if (incident) {
      // One incident, one thread, a bounded number of messages (a flapping provider is one incident).
      const sent = incident.alerts ?? 0;
      if (isChatter(body) && sent >= this.ctx.policy.notifications.maxPerIncident) {
        this.updateIncident({ suppressed: (incident.suppressed ?? 0) + 1 });
        return;
      }
      this.updateIncident({ alerts: sent + 1 });
    }
    this.effects.notifications.push({
      ...body,
      id: "",
      site: this.state.site,
      at: this.at,
      ...(incident ? { incidentId: incident.id } : {}),
    } as NotificationIntent);
  }

  /**
   * A notification about the whole deployment (the monitor), with an id every site's evaluation
   * derives alike, so the outbox keeps one however many sites raise it.
   */
  notifyDeployment(id: string, body: NotificationBody): void {
    this.effects.notifications.push({
      ...body,
      id,
      site: deploymentScope,
      at: this.at,
    } as NotificationIntent);
  }

  /** An audit record for an action that is not a transition (a pause, a resume). */
  audit(action: string, reason: string, actor: string): void {
    this.effects.audit.push({ site: this.state.site, at: this.at, seq: 0, actor, action, reason });
  }

  event(event: EventBody): void {
    this.effects.events.push({ ...event, id: "" } as DomainEvent);
  }

  rollups(closed: MinuteRollup[]): void {
    this.effects.rollups.push(...closed);
  }

  updateIncident(patch: Partial<NonNullable<SiteState["incident"]>>, options?: { close: boolean }): void {
    const incident = this.state.incident;
    if (!incident) return;
    this.state.incident = { ...incident, ...patch };
    this.incidentChanged = true;
    if (options?.close) this.closeIncident = true;
  }

  newApproval(): { id: string; expiresAt: string } {
    const expiresAt = isoTime(this.ctx.now + this.ctx.policy.approval.expirySeconds * 1000);
    const approval = {
      id: `${this.state.site}.${this.ctx.now.toString(36)}`,
      requestedAt: this.at,
      expiresAt,
    };
    this.state.approval = approval;
    return approval;
  }

  /** Closes the pending approval request; returns its id (none was pending: undefined). */
  closeApproval(outcome: NonNullable<SiteState["lastApproval"]>["outcome"], by: string): string | undefined {
    const approval = this.state.approval;
    if (!approval) return undefined;
    this.state.lastApproval = { id: approval.id, by, at: this.at, outcome };
    this.state.approval = undefined;
    return approval.id;
  }

  finish(): Decision {
    const next = this.state;
    const incident = next.incident;
    if (this.closeIncident && incident?.endAt) {
      // Resolved once, last in the decision: the thread's final word.
      this.notify({
        kind: "incident-resolved",
        provider: incident.provider,
        start: incident.start,
        endAt: incident.endAt,
        ...(incident.failoverTo ? { failoverTo: incident.failoverTo } : {}),
        ...(incident.suppressed ? { suppressed: incident.suppressed } : {}),
      });
    }
    const closing = next.incident;
    if (this.incidentChanged && closing) this.effects.incident = closing;
    if (this.closeIncident) {
      next.incident = undefined;
      next.alerts.bothDownSince = undefined; // the next incident says it again
    }
    stripUndefined(next);
    const recheckAt = nextDeadline(next, this.ctx.policy, this.ctx.now, primaryId(this.ctx));
    if (
      JSON.stringify(next) === this.original &&
      !this.transitionRecord &&
      this.effects.events.length === 0
    ) {
      return { kind: "hold", ...(recheckAt !== undefined ? { recheckAt } : {}) };
    }
    next.version += 1;
    const version = next.version;
    for (const { record, weights } of this.transitionLog) {
      this.effects.events.push({
        type: "state-changed",
        id: "",
        site: record.site,
        at: record.at,
        from: record.from,
        to: record.to,
        reason: record.reason,
        actor: record.actor,
        version,
        weights: weights ?? next.dns?.weights ?? next.weights,
        ...(closing ? { incidentId: closing.id } : {}),
      });
    }
    const kinds = new Map<string, number>();
    for (const n of this.effects.notifications) {
      if (n.id !== "") continue; // deployment-wide: its id is its identity across sites
      const seen = kinds.get(n.kind) ?? 0;
      kinds.set(n.kind, seen + 1);
      n.id = `${next.site}:${version}:${n.kind}${seen > 0 ? `:${seen}` : ""}`;
    }
    this.effects.events.forEach((event, i) => {
      event.id = `${next.site}:${version}:${i}`;
    });
    for (const record of this.effects.audit) (record as AuditRecord).seq = version;
    const transition = this.transitionRecord ? { ...this.transitionRecord, version } : undefined;
    return {
      kind: "apply",
      next,
      ...(transition ? { transition } : {}),
      effects: this.effects,
      ...(recheckAt !== undefined ? { recheckAt } : {}),
    };
  }
}

/** Optional fields cleared with `undefined` are removed, so the state serialises the same everywhere. */
function stripUndefined(value: unknown): void {
  if (!value || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) delete (value as Record<string, unknown>)[key];
    else stripUndefined(v);
  }
}
