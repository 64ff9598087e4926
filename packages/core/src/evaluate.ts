import { type Config, findSite, type Site } from "./config.js";
import type { ReadinessReader } from "./continuity.js";
import { probeShards } from "./deployment-sizing.js";
import { dnsDisagreementIntent, dnsDisagreements } from "./dns-observation.js";
import { type Effects, hasEffects, noEffects, type Transition } from "./effects.js";
import type { Clock, DnsWeights, EventPublisher, Notifier, Store } from "./ports.js";
import { currentTracker, type HeartbeatLookup, heartbeatsBySite } from "./record-round.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { type Decision, type DecisionContext, decide, type Input } from "./state-machine.js";
import { globalVerdict, type RegionTracker, regionView, type SiteVerdicts } from "./verdict.js";

/*
 * The evaluator use case: load a site's state and its regions' trackers, decide, persist, act.
 * The same code runs in the evaluate Lambda, in `idpctl run`, in the drill and in replay; only the
 * ports differ.
 *
 * Order, so that dying at any point loses nothing and never flips twice:
 *   1. drain the outbox left by a crashed run (effects are idempotent on their ids);
 *   2. carry the pending DNS change forward (submit it, or poll it to INSYNC);
 *   3. decide on the input; write state + outbox in one conditional write on the version;
 *   4. carry out the effects, then clear the outbox (another conditional write);
 *   5. submit a DNS change the decision asked for. The change is recorded in the state before it is
 *      sent; if we die after sending, the retry reads the records back and sees "already applied".
 * A lost conditional write means another evaluator acted: re-read and decide again.
 *
 * Two evaluators on one site at once (a schedule and a trigger overlapping) must not both act, and a
 * conditional write alone does not stop the loser from repeating the winner's side effects after it
 * re-reads. So the winner holds two short leases, written in the state with the same conditional write:
 *   - `outboxClaimedUntil`: it is carrying out the outbox it just wrote; a periodic run that finds a
 *     claimed outbox leaves the site alone (the winner decides on the same verdicts anyway);
 *   - `dns.claim`: it is submitting the pending change; nobody else submits it until the claim ends.
 * A run that dies holding a lease delays the next one by at most the lease (`leaseMs`, 30 s).
 * Effects that fail stay in the outbox (only the failed part) and later decisions add to it.
 */

export interface EvaluatorDeps {
  store: Store;
  dns: DnsWeights;
  events: EventPublisher;
  notifier: Notifier;
  clock: Clock;
  /** The last complete readiness, read only while a provider is down (gate and failover alert). */
  readiness?: ReadinessReader;
}

export interface EvaluationStep {
  input: Input["kind"];
  transition?: Transition;
  refused?: string;
}

export interface EvaluationReport {
  site: string;
  state: SiteState;
  verdicts: SiteVerdicts;
  steps: EvaluationStep[];
  /** The earliest moment a timer could change the decision (replay wakes up then). */
  recheckAt?: number;
  /** Effects that could not be carried out this time; they stay in the outbox for the next run. */
  effectErrors: string[];
  /** Why this run left the site alone (another evaluation holds it). */
  yielded?: string;
}

export class SiteNotFoundError extends Error {
  override name = "SiteNotFoundError";
  constructor(site: string, options?: { cause?: unknown }) {
    super(`no site ${JSON.stringify(site)} in the config`, options);
  }
}

export class ContentionError extends Error {
  override name = "ContentionError";
}

const maxAttempts = 5;
/** In production a long gap closes at most this many minutes per decision (item size stays small). */
export const productionRollupMinutes = 60;

/** How long a run may hold a site's outbox or DNS submission before another run takes over. */
export const defaultLeaseMs = 30_000;

export interface EvaluateOptions {
  /** Minutes of rollups one decision may close (default 60; replay closes any number). */
  maxRollupMinutes?: number;
  /** See `defaultLeaseMs`. */
  leaseMs?: number;
  /**
   * The probe regions' heartbeats, read once for a whole pass over the sites (`readHeartbeats`);
   * read for this site alone when absent.
   */
  heartbeats?: HeartbeatLookup;
}

/**
 * Runs one evaluation of a site: DNS progress, then the periodic decision on fresh verdicts, then a
 * look at what public DNS answers for the login hostname in each probe region (an alert when it has
 * disagreed with the state for too long; see dns-observation.ts).
 */
export async function evaluateSite(
  deps: EvaluatorDeps,
  config: Config,
  siteId: string,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const report = await withRetries(deps, config, siteId, { kind: "tick" }, options);
  const site = findSite(config, siteId);
  if (!site || report.yielded) return report;
  try {
    await alertOnLoginDns(deps, site, report.state);
  } catch (error) {
    report.effectErrors.push(`public DNS check: ${error instanceof Error ? error.message : String(error)}`);
  }
  return report;
}

/** Notifies each disagreement between public DNS and the state once (the outbox is idempotent on the id). */
async function alertOnLoginDns(deps: EvaluatorDeps, site: Site, state: SiteState): Promise<void> {
  const now = deps.clock.now();
  const observations = await deps.store.loadDnsObservations(site.id);
  const disagreements = dnsDisagreements(site, state, observations, site.policy, now);
  if (disagreements.length > 0) {
    await deps.notifier.notify(disagreements.map((d) => dnsDisagreementIntent(site, d, now)));
  }
}

export type CommandOutcome =
  | {
      kind: "applied";
      transition?: Transition;
      state: SiteState;
      /** Effects (events, notifications, records) left in the outbox for the next evaluation. */
      effectErrors: string[];
    }
  | { kind: "refused"; reason: string; state: SiteState };

/**
 * An operator's or approver's input (approve, freeze, manual failover...). Goes through the same
 * guards as the evaluator; a refusal is written to the audit trail with the actor's name.
 */
export async function commandSite(
  deps: EvaluatorDeps,
  config: Config,
  siteId: string,
  input: Exclude<Input, { kind: "tick" | "dns-submitted" | "dns-insync" | "dns-failed" }>,
): Promise<CommandOutcome> {
  const report = await withRetries(deps, config, siteId, input, {});
  const step = report.steps.find((s) => s.input === input.kind);
  if (step?.refused !== undefined) {
    await deps.store.appendAudit([
      {
        site: siteId,
        at: new Date(deps.clock.now()).toISOString(),
        seq: report.state.version,
        actor: input.actor,
        action: `refused:${input.kind}`,
        reason: step.refused,
      },
    ]);
    return { kind: "refused", reason: step.refused, state: report.state };
  }
  return {
    kind: "applied",
    ...(step?.transition ? { transition: step.transition } : {}),
    state: report.state,
    effectErrors: report.effectErrors,
  };
}

/**
 * The probe regions' heartbeats, indexed by site under the config's shard layout: read once for an
 * evaluation pass, so a pass over a thousand sites costs one read of them, not a thousand.
 */
export async function readHeartbeats(store: Store, config: Config): Promise<HeartbeatLookup> {
  return heartbeatsBySite(await store.loadRegionHeartbeats(), probeShards(config));
}

/**
 * Verdicts for every provider of a site, from the trackers its probe regions keep. A reader of many
 * sites passes the regions' heartbeats, read once (`readHeartbeats`): one query a site.
 */
export async function loadVerdicts(
  store: Store,
  config: Config,
  site: Site,
  now: number,
  heartbeats?: HeartbeatLookup,
): Promise<SiteVerdicts> {
  const [trackers, vouching] = await Promise.all([
    store.loadTrackers(site.id),
    heartbeats ?? readHeartbeats(store, config),
  ]);
  return verdictsFrom(config, site, now, (provider, region) =>
    currentTracker(
      trackers.find((t) => t.provider === provider && t.region === region)?.tracker,
      vouching(site.id, region),
    ),
  );
}

export function verdictsFrom(
  config: Config,
  site: Site,
  now: number,
  trackerOf: (provider: string, region: string) => RegionTracker | undefined,
): SiteVerdicts {
  const verdicts: SiteVerdicts = {};
  for (const provider of site.providers) {
    const views = config.regions.map((region) =>
      regionView(region, trackerOf(provider.id, region), now, site.policy),
    );
    verdicts[provider.id] = globalVerdict(provider.id, views, site.policy.quorum);
  }
  return verdicts;
}

class Conflict {}

/** How far a run got: the step of its (non-tick) input, once that decision is written. */
interface RunProgress {
  inputWritten?: EvaluationStep;
}

async function withRetries(
  deps: EvaluatorDeps,
  config: Config,
  siteId: string,
  input: Input,
  options: EvaluateOptions,
): Promise<EvaluationReport> {
  const site = findSite(config, siteId);
  if (!site) throw new SiteNotFoundError(siteId);
  // A run can lose a write after its own input was written (a racing evaluator wins the outbox or
  // DNS bookkeeping that follows): the input is then done, and the retry is only a tick. Retrying
  // the input itself would be refused (an approval used once) and report an applied command refused.
  let current = input;
  let writtenEarlier: EvaluationStep | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const progress: RunProgress = {};
    try {
      const report = await runOnce(deps, config, site, current, options, progress);
      return writtenEarlier ? { ...report, steps: [writtenEarlier, ...report.steps] } : report;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      if (progress.inputWritten) {
        writtenEarlier = progress.inputWritten;
        current = { kind: "tick" };
      }
    }
  }
  throw new ContentionError(`site ${siteId}: ${maxAttempts} evaluations in a row lost the conditional write`);
}

async function runOnce(
  deps: EvaluatorDeps,
  config: Config,
  site: Site,
  input: Input,
  options: EvaluateOptions,
  progress: RunProgress,
): Promise<EvaluationReport> {
  const now = deps.clock.now();
  const leaseUntil = new Date(now + (options.leaseMs ?? defaultLeaseMs)).toISOString();
  const stored = await deps.store.loadState(site.id);
  let state = stored?.state ?? initialSiteState(site, now, await deps.dns.read(site).catch(() => undefined));
  /** Effects decided (by this run or an earlier one) and not yet carried out: the stored outbox. */
  let pending: Effects | undefined = stored?.outbox;
  let effectsFailing = false;
  const effectErrors: string[] = [];
  const steps: EvaluationStep[] = [];

  if (pending && input.kind === "tick" && isHeld(state.outboxClaimedUntil, now)) {
    const verdicts = await loadVerdicts(deps.store, config, site, now, options.heartbeats);
    const yielded = "another evaluation is carrying out this site's last decision";
    return { site: site.id, state, verdicts, steps, effectErrors, yielded };
  }

  const write = async (next: SiteState, isDecision: boolean, claimOutbox: boolean) => {
    state = await save(deps, next, state.version, pending, isDecision, claimOutbox ? leaseUntil : undefined);
  };
  const runPending = async () => {
    if (!pending) return;
    const outcome = await carryOut(deps, pending);
    effectErrors.push(...outcome.errors);
    effectsFailing = outcome.errors.length > 0;
    pending = outcome.leftover;
    await write(state, false, false);
  };

  if (pending) await runPending();

  const verdicts = await loadVerdicts(deps.store, config, site, now, options.heartbeats);
  const anyDown = Object.values(verdicts).some((v) => v.verdict === "down");
  const readiness = anyDown && site.continuity ? await deps.readiness?.latestReadiness(site.id) : undefined;
  const ctx: DecisionContext = {
    now,
    site,
    regions: config.regions,
    policy: site.policy,
    verdicts,
    maxRollupMinutes: options.maxRollupMinutes ?? productionRollupMinutes,
    ...(readiness ? { readiness } : {}),
  };

  const apply = async (next: Input): Promise<Decision> => {
    const decision = decide(state, next, ctx);
    if (decision.kind === "refuse") steps.push({ input: next.kind, refused: decision.reason });
    if (decision.kind !== "apply") return decision;
    if (
      pending?.incident &&
      decision.effects.incident &&
      pending.incident.id !== decision.effects.incident.id
    ) {
      // The outbox holds one incident record: write the older one now rather than drop it.
      await deps.store.putIncident(pending.incident);
    }
    pending = mergeEffects(pending, decision.effects);
    const carry = pending !== undefined && !effectsFailing;
    await write(decision.next, true, carry);
    const step = { input: next.kind, ...(decision.transition ? { transition: decision.transition } : {}) };
    steps.push(step);
    if (next === input && input.kind !== "tick") progress.inputWritten = step;
    if (carry) await runPending();
    return decision;
  };

  const claimDns = async (): Promise<boolean> => {
    const dns = state.dns;
    if (!dns) return false;
    if (dns.claim && dns.claim.attempt === dns.attempts && isHeld(dns.claim.until, now)) return false;
    await write(
      { ...state, dns: { ...dns, claim: { until: leaseUntil, attempt: dns.attempts } } },
      false,
      false,
    );
    return true;
  };

  await progressDns(deps, site, () => state, apply, claimDns);
  const decision = await apply(input);
  if (decision.kind === "apply") await progressDns(deps, site, () => state, apply, claimDns);

  const recheckAt = decision.kind === "apply" || decision.kind === "hold" ? decision.recheckAt : undefined;
  return {
    site: site.id,
    state,
    verdicts,
    steps,
    effectErrors,
    ...(recheckAt !== undefined ? { recheckAt } : {}),
  };
}

function isHeld(until: string | undefined, now: number): boolean {
  return until !== undefined && Date.parse(until) > now;
}

/**
 * Moves the pending weight change along: submit it when due, or ask Route 53 whether it is INSYNC.
 * Outcomes go back to the state machine as inputs. A submission is claimed first (a conditional
 * write), so two evaluators never both send it.
 */
async function progressDns(
  deps: EvaluatorDeps,
  site: Site,
  current: () => SiteState,
  apply: (input: Input) => Promise<Decision>,
  claim: () => Promise<boolean>,
): Promise<void> {
  const dns = current().dns;
  if (!dns || dns.rejected) return;
  const now = deps.clock.now();
  if (dns.changeId) {
    const status = await deps.dns.status(dns.changeId);
    if (status.kind === "insync") await apply({ kind: "dns-insync" });
    return;
  }
  if (dns.retryAt && Date.parse(dns.retryAt) > now) return;
  if (!(await claim())) return;
  const outcome = await deps.dns.apply(site, dns.weights).catch(
    (error: unknown): Awaited<ReturnType<DnsWeights["apply"]>> => ({
      kind: "retry",
      message: error instanceof Error ? error.message : String(error),
    }),
  );
  switch (outcome.kind) {
    case "submitted":
      await apply({ kind: "dns-submitted", changeId: outcome.changeId });
      return;
    case "already-applied":
      await apply({ kind: "dns-insync" });
      return;
    case "retry":
    case "rejected":
      await apply({ kind: "dns-failed", retryable: outcome.kind === "retry", message: outcome.message });
      return;
  }
}

async function save(
  deps: EvaluatorDeps,
  next: SiteState,
  expectedVersion: number,
  outbox: Effects | undefined,
  isDecision: boolean,
  outboxClaimedUntil: string | undefined,
): Promise<SiteState> {
  // Clearing the outbox is a write of its own: bump the version so it stays conditional.
  const { outboxClaimedUntil: _released, ...rest } = next;
  const toWrite: SiteState = {
    ...rest,
    version: isDecision ? next.version : next.version + 1,
    ...(outboxClaimedUntil && outbox ? { outboxClaimedUntil } : {}),
  };
  const outcome = await deps.store.saveState(toWrite, expectedVersion, outbox);
  if (outcome.kind === "conflict") throw new Conflict();
  return toWrite;
}

/** Effects still to carry out after `later` is added to `earlier`; undefined when there are none. */
export function mergeEffects(earlier: Effects | undefined, later: Effects): Effects | undefined {
  if (!earlier) return hasEffects(later) ? later : undefined;
  const byId = <T extends { id: string }>(items: T[]) => [...new Map(items.map((i) => [i.id, i])).values()];
  const incident = later.incident ?? earlier.incident;
  return {
    events: byId([...earlier.events, ...later.events]),
    notifications: byId([...earlier.notifications, ...later.notifications]),
    audit: [...earlier.audit, ...later.audit],
    rollups: [...earlier.rollups, ...later.rollups],
    ...(incident ? { incident } : {}),
  };
}

/**
 * Carries out a decision's effects. Each kind is tried on its own; what failed is returned as the
 * leftover (kept in the outbox for the next run), so one dead target never repeats the others.
 */
async function carryOut(
  deps: EvaluatorDeps,
  effects: Effects,
): Promise<{ errors: string[]; leftover: Effects | undefined }> {
  const errors: string[] = [];
  const leftover = noEffects();
  const attempt = async (what: string, work: () => Promise<void>, keep: () => void) => {
    try {
      await work();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      keep();
    }
  };
  const { audit, incident, rollups, events, notifications } = effects;
  if (audit.length > 0)
    await attempt(
      "audit",
      () => deps.store.appendAudit(audit),
      () => leftover.audit.push(...audit),
    );
  if (incident)
    await attempt(
      "incident",
      () => deps.store.putIncident(incident),
      () => {
        leftover.incident = incident;
      },
    );
  if (rollups.length > 0)
    await attempt(
      "rollups",
      () => deps.store.putRollups(rollups),
      () => leftover.rollups.push(...rollups),
    );
  if (events.length > 0)
    await attempt(
      "events",
      () => deps.events.publish(events),
      () => leftover.events.push(...events),
    );
  if (notifications.length > 0)
    await attempt(
      "notifications",
      () => deps.notifier.notify(notifications),
      () => leftover.notifications.push(...notifications),
    );
  return { errors, leftover: hasEffects(leftover) ? leftover : undefined };
}
