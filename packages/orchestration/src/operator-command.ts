import type { AwsAdapters, InsyncWait } from "@idp-failover/aws";
import {
  type Config,
  commandSite,
  type EvaluatorDeps,
  evaluateSite,
  type Input,
  type Site,
  type SiteState,
  type Transition,
} from "@idp-failover/core";

/*
 * An operator's command (`idpctl failover | failback | freeze | unfreeze`, and the dashboard's
 * freeze): the same use case and guards as the evaluator (`commandSite`: conditional write, audit
 * with the operator's name), then, when the command moved weights, Route 53's answer, and on request
 * a bounded wait for INSYNC after which the evaluator's own use case records it. Every outcome is a
 * value; the caller says it in words.
 */

export type OperatorInput = Extract<
  Input,
  { kind: "freeze" | "unfreeze" | "manual-failover" | "manual-failback" | "resume" }
>;

export interface OperatorCommandDeps {
  config: Config;
  evaluator: EvaluatorDeps;
  aws: Pick<AwsAdapters, "dns" | "events">;
  sleep: (ms: number) => Promise<void>;
}

export interface WaitOptions {
  /** Wait for Route 53 to report the change INSYNC, then let the state machine record it. */
  wait: boolean;
  waitSeconds: number;
  /** Told what happened so far when Route 53 has accepted the change and the wait begins (a person is watching). */
  onWaiting?: (applied: AppliedCommand) => void;
}

/** Where the weight change the command asked for stands. */
export type WeightChange =
  | { kind: "rejected"; weights: Record<string, number>; message: string }
  | { kind: "not-accepted"; weights: Record<string, number>; message: string; retryAt?: string }
  | { kind: "submitted"; weights: Record<string, number>; changeId: string }
  | { kind: "still-pending"; weights: Record<string, number>; changeId: string; waited: InsyncWait }
  | {
      kind: "insync";
      weights: Record<string, number>;
      changeId: string;
      waitedMs: number;
      /** The state after the evaluation that recorded the INSYNC, and what it left in the outbox. */
      state: SiteState;
      deferred: string[];
    };

export type AppliedCommand = Extract<OperatorCommandOutcome, { kind: "applied" }>;

export type OperatorCommandOutcome =
  /** The event bus does not exist: nothing was changed (its events would be dropped without a word). */
  | { kind: "no-bus"; message: string }
  | { kind: "refused"; reason: string; state: SiteState }
  | {
      kind: "applied";
      transition?: Transition;
      state: SiteState;
      /** The bus could not be checked (no permission): the command went on, it may be an emergency. */
      busWarning?: string;
      /** Effects left in the site's outbox for the evaluator's next run. */
      deferred: string[];
      change?: WeightChange;
    };

export async function operatorCommand(
  deps: OperatorCommandDeps,
  site: Site,
  input: OperatorInput,
  wait: WaitOptions = { wait: false, waitSeconds: 0 },
): Promise<OperatorCommandOutcome> {
  const bus = await deps.aws.events.findBus();
  if (bus.kind === "missing") return { kind: "no-bus", message: bus.message };
  const outcome = await commandSite(deps.evaluator, deps.config, site.id, input);
  if (outcome.kind === "refused") return { kind: "refused", reason: outcome.reason, state: outcome.state };
  const applied = {
    kind: "applied" as const,
    ...(outcome.transition ? { transition: outcome.transition } : {}),
    state: outcome.state,
    ...(bus.kind === "unknown" ? { busWarning: bus.message } : {}),
    deferred: [...outcome.effectErrors],
  };
  const dns = outcome.state.dns;
  if (!dns) return applied;
  const { weights } = dns;
  if (dns.rejected) {
    return { ...applied, change: { kind: "rejected", weights, message: dns.lastError ?? "no reason given" } };
  }
  if (!dns.changeId) {
    const change: WeightChange = {
      kind: "not-accepted",
      weights,
      message: dns.lastError ?? "pending",
      ...(dns.retryAt ? { retryAt: dns.retryAt } : {}),
    };
    return { ...applied, change };
  }
  const { changeId } = dns;
  if (!wait.wait || wait.waitSeconds === 0)
    return { ...applied, change: { kind: "submitted", weights, changeId } };
  wait.onWaiting?.({ ...applied, change: { kind: "submitted", weights, changeId } });
  const clock = deps.evaluator.clock;
  const waited = await deps.aws.dns.waitForInsync(changeId, {
    timeoutMs: wait.waitSeconds * 1000,
    intervalMs: Math.min(5000, Math.max(200, wait.waitSeconds * 50)),
    sleep: deps.sleep,
    now: () => clock.now(),
  });
  if (waited.kind === "timeout") {
    return { ...applied, change: { kind: "still-pending", weights, changeId, waited } };
  }
  // The evaluator's own use case records the INSYNC (and whatever else is due now).
  const report = await evaluateSite(deps.evaluator, deps.config, site.id);
  const deferred = [...report.effectErrors];
  return {
    ...applied,
    change: { kind: "insync", weights, changeId, waitedMs: waited.waitedMs, state: report.state, deferred },
  };
}
