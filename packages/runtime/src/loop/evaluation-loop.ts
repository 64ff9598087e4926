import type { Config, EvaluationReport, EvaluatorDeps } from "@idp-failover/core";
import { evaluateSites } from "@idp-failover/orchestration/evaluate-sites";
import type { CompressedClock } from "./compressed-clock.js";
import type { LoopFeed } from "./loop-feed.js";

/*
 * The evaluator, self-hosted: one pass over every site at a time (never two passes at once in this
 * process; within a pass the evaluate function's use case runs a few sites side by side), on a period, whenever a probe round moved a region's verdict or an operator acted
 * (`poke`), and when the state machine asked to be woken (`recheckAt`: a hold ending, a DNS change
 * due). After each pass the `afterPass` hook runs (notification delivery).
 */

export interface EvaluationLoopOptions {
  config: Config;
  deps: EvaluatorDeps;
  clock: CompressedClock;
  feed: LoopFeed;
  /** Virtual ms between passes when nothing pokes. Default: `evaluationIntervalMs`. */
  intervalMs?: number;
  afterPass?: () => Promise<void>;
}

/** Virtual ms between passes when nothing pokes: the cadence, at most 10 s. */
export function evaluationIntervalMs(config: Config): number {
  return Math.min(config.policy.cadenceSeconds, 10) * 1000;
}

export class EvaluationLoop {
  readonly latest = new Map<string, EvaluationReport>();
  private wake: (() => void) | undefined;
  private poked = false;
  /** The last problem shown per site. */
  private readonly lastProblem = new Map<string, string>();
  private passes = 0;

  constructor(private readonly options: EvaluationLoopOptions) {}

  get passCount(): number {
    return this.passes;
  }

  /** Asks for a pass as soon as the current one (if any) is done. */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock, config } = this.options;
    const interval = this.options.intervalMs ?? evaluationIntervalMs(config);
    let due = clock.now();
    while (!signal.aborted) {
      if (!this.poked) {
        const woken = new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        await Promise.race([clock.sleepUntil(due, signal), woken]);
        this.wake = undefined;
      }
      if (signal.aborted) break;
      this.poked = false;
      const recheckAt = await this.pass();
      due = Math.min(clock.now() + interval, recheckAt ?? Number.POSITIVE_INFINITY);
    }
  }

  /** Evaluates every site once, then runs `afterPass`. Returns the earliest recheck asked for. */
  async pass(): Promise<number | undefined> {
    const { config, deps, feed } = this.options;
    let recheckAt: number | undefined;
    // The same use case as the evaluate function: a few sites at a time, one site's failure never stops the others.
    const ids = config.sites.map((s) => s.id);
    for (const outcome of await evaluateSites(deps, config, ids)) {
      if ("error" in outcome) {
        const { error } = outcome;
        this.problem(
          outcome.site,
          `evaluation failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      const { report } = outcome;
      this.latest.set(report.site, report);
      if (report.recheckAt !== undefined) recheckAt = Math.min(recheckAt ?? Infinity, report.recheckAt);
      for (const error of report.effectErrors)
        this.problem(report.site, `effect not carried out yet: ${error}`);
      // A healthy pass ends the problem: the next one is news again.
      if (report.effectErrors.length === 0) this.lastProblem.delete(report.site);
    }
    this.passes += 1;
    feed.changed();
    await this.options.afterPass?.();
    return recheckAt;
  }

  /** A problem worth a line, once while it lasts (the same message every pass is noise). */
  private problem(site: string, text: string): void {
    if (this.lastProblem.get(site) === text) return;
    this.lastProblem.set(site, text);
    this.options.feed.emit({ kind: "problem", tone: "bad", site, text });
  }
}
