import { type Config, findSite, type Site } from "./config.js";
import { type Effects, hasEffects, type Transition } from "./effects.js";
import type { Clock, DnsWeights, EventPublisher, Notifier, Store } from "./ports.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { type Decision, type DecisionContext, decide, type Input } from "./state-machine.js";
import { globalVerdict, regionView, type SiteVerdicts } from "./verdict.js";

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
 */

export interface EvaluatorDeps {
  store: Store;
  dns: DnsWeights;
  events: EventPublisher;
  notifier: Notifier;
  clock: Clock;
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

export interface EvaluateOptions {
  /** Minutes of rollups one decision may close (default 60; replay closes any number). */
  maxRollupMinutes?: number;
}

/** Runs one evaluation of a site: DNS progress, then the periodic decision on fresh verdicts. */
export async function evaluateSite(
  deps: EvaluatorDeps,
  config: Config,
  siteId: string,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  return withRetries(deps, config, siteId, { kind: "tick" }, options);
}

export type CommandOutcome =
  | { kind: "applied"; transition?: Transition; state: SiteState }
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
  };
}

/** Verdicts for every provider of a site, from the trackers its probe regions keep. */
export async function loadVerdicts(
  store: Store,
  config: Config,
  site: Site,
  now: number,
): Promise<SiteVerdicts> {
  const trackers = await store.loadTrackers(site.id);
  return verdictsFrom(
    config,
    site,
    now,
    (provider, region) => trackers.find((t) => t.provider === provider && t.region === region)?.tracker,
  );
}

export function verdictsFrom(
  config: Config,
  site: Site,
  now: number,
  trackerOf: (provider: string, region: string) => import("./verdict.js").RegionTracker | undefined,
): SiteVerdicts {
  const verdicts: SiteVerdicts = {};
  for (const provider of site.providers) {
    const views = config.regions.map((region) =>
      regionView(region, trackerOf(provider.id, region), now, config.policy),
    );
    verdicts[provider.id] = globalVerdict(provider.id, views, config.policy.quorum);
  }
  return verdicts;
}

class Conflict {}

async function withRetries(
  deps: EvaluatorDeps,
  config: Config,
  siteId: string,
  input: Input,
  options: EvaluateOptions,
): Promise<EvaluationReport> {
  const site = findSite(config, siteId);
  if (!site) throw new SiteNotFoundError(siteId);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      return await runOnce(deps, config, site, input, options);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
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
): Promise<EvaluationReport> {
  const now = deps.clock.now();
  const stored = await deps.store.loadState(site.id);
  let state = stored?.state ?? initialSiteState(site, now, await deps.dns.read(site).catch(() => undefined));
  const effectErrors: string[] = [];
  const steps: EvaluationStep[] = [];

  if (stored?.outbox) {
    effectErrors.push(...(await carryOut(deps, stored.outbox)));
    if (effectErrors.length === 0) state = await save(deps, state, state.version, undefined, false);
  }

  const verdicts = await loadVerdicts(deps.store, config, site, now);
  const ctx: DecisionContext = {
    now,
    site,
    regions: config.regions,
    policy: config.policy,
    verdicts,
    maxRollupMinutes: options.maxRollupMinutes ?? productionRollupMinutes,
  };

  const apply = async (next: Input): Promise<Decision> => {
    const decision = decide(state, next, ctx);
    if (decision.kind === "refuse") steps.push({ input: next.kind, refused: decision.reason });
    if (decision.kind !== "apply") return decision;
    state = await save(deps, decision.next, state.version, decision.effects, true);
    steps.push({ input: next.kind, ...(decision.transition ? { transition: decision.transition } : {}) });
    if (!hasEffects(decision.effects)) return decision;
    const errors = await carryOut(deps, decision.effects);
    effectErrors.push(...errors);
    if (errors.length === 0) state = await save(deps, state, state.version, undefined, false);
    return decision;
  };

  await progressDns(deps, site, () => state, apply);
  const decision = await apply(input);
  if (decision.kind === "apply") await progressDns(deps, site, () => state, apply);

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

/**
 * Moves the pending weight change along: submit it when due, or ask Route 53 whether it is INSYNC.
 * Outcomes go back to the state machine as inputs.
 */
async function progressDns(
  deps: EvaluatorDeps,
  site: Site,
  current: () => SiteState,
  apply: (input: Input) => Promise<Decision>,
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
): Promise<SiteState> {
  // Clearing the outbox is a write of its own: bump the version so it stays conditional.
  const toWrite = isDecision ? next : { ...next, version: next.version + 1 };
  const outcome = await deps.store.saveState(
    toWrite,
    expectedVersion,
    outbox && hasEffects(outbox) ? outbox : undefined,
  );
  if (outcome.kind === "conflict") throw new Conflict();
  return toWrite;
}

/** Carries out a decision's effects; returns what failed (left in the outbox for the next run). */
async function carryOut(deps: EvaluatorDeps, effects: Effects): Promise<string[]> {
  const errors: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (effects.audit.length > 0) await attempt("audit", () => deps.store.appendAudit(effects.audit));
  const incident = effects.incident;
  if (incident) await attempt("incident", () => deps.store.putIncident(incident));
  if (effects.rollups.length > 0) await attempt("rollups", () => deps.store.putRollups(effects.rollups));
  if (effects.events.length > 0) await attempt("events", () => deps.events.publish(effects.events));
  if (effects.notifications.length > 0)
    await attempt("notifications", () => deps.notifier.notify(effects.notifications));
  return errors;
}
