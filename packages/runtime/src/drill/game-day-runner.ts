import type { Config, SiteState } from "@idp-failover/core";
import { type CompressedClock, sleepReal } from "../loop/compressed-clock.js";
import type { FeedTone } from "../loop/loop-feed.js";
import { drillSitePolicy } from "./drill-config.js";
import {
  type FaultStep,
  failbackBoundMs,
  failoverBoundMs,
  type GameDayPlan,
  recoveryBoundMs,
} from "./game-day.js";

/*
 * Plays a game day plan against a running loop: each phase applies or clears a fault, then waits, on
 * the drill's clock, for what the policy should do. A phase that does not get there within its bound
 * stops the game day early (the checks then say what was missed); so does an interrupt.
 */

export interface GameDayStage {
  config: Config;
  clock: CompressedClock;
  /** Drill-clock ms a Route 53 change takes to be INSYNC. */
  insyncMs: number;
  signal?: AbortSignal;
  /** The site's state as stored. */
  state(): Promise<SiteState | undefined>;
  /** Every region sees the primary up, and reports on every provider. */
  primaryUpEverywhere(): Promise<boolean>;
  apply(step: FaultStep): Promise<void>;
  clear(step: FaultStep): Promise<void>;
  phase(text: string, tone: FeedTone): void;
  /** Gets the pending failback request answered: by a person in the dashboard, or by the drill. */
  approve(approvalId: string): Promise<void>;
}

export interface GameDayOutcome {
  /** When the outage that must fail over began (drill clock). */
  outageAt?: number;
  stoppedEarly?: string;
}

export class DrillStopped extends Error {
  override name = "DrillStopped";
}

export async function playGameDay(plan: GameDayPlan, stage: GameDayStage): Promise<GameDayOutcome> {
  const { config, clock } = stage;
  const p = drillSitePolicy(config);
  const speed = clock.speed;
  const primary = config.sites[0]?.providers[0]?.id ?? "okta";
  const outcome: GameDayOutcome = {};
  const wait = (what: string, withinMs: number, done: () => Promise<boolean>) =>
    waitFor(stage, what, clock.now() + withinMs, done);
  const stateIs = (test: (s: SiteState | undefined) => boolean) => async () => test(await stage.state());
  try {
    stage.phase("normal operation: Okta and Entra healthy, seen from every region", "good");
    // Room for a cold start in real time too: the first rounds open every TLS connection afresh.
    const startBound = Math.max(4 * p.cadenceSeconds * 1000 + 30_000, 15_000 * speed);
    await wait("every region seeing Okta up", startBound, stage.primaryUpEverywhere);
    await hold(stage, plan.normalMs);

    if (plan.benign) {
      stage.phase(`${plan.benign.text}. Expect: ${plan.benign.expect}`, "warn");
      await stage.apply(plan.benign);
      await hold(stage, plan.benign.durationMs);
      await stage.clear(plan.benign);
      stage.phase("trouble over: waiting for every region to see Okta up again", "info");
      await wait(
        "every region seeing Okta up again",
        recoveryBoundMs(config, speed),
        stage.primaryUpEverywhere,
      );
    }

    stage.phase(`OUTAGE: ${plan.outage.text}. Expect: ${plan.outage.expect}`, "bad");
    outcome.outageAt = clock.now();
    await stage.apply(plan.outage);
    const bound = failoverBoundMs(config, { speed, insyncMs: stage.insyncMs });
    await wait(
      "failover in sync",
      2 * bound,
      stateIs((s) => s?.state === "secondary-active"),
    );
    await hold(stage, plan.outageAfterFailoverMs);

    stage.phase(
      "recovery: Okta healthy again; failback waits for it to stay healthy, then for approval",
      "info",
    );
    await stage.clear(plan.outage);
    await wait(
      "failback request",
      recoveryBoundMs(config, speed),
      stateIs((s) => s?.state === "failback-pending" && s.approval !== undefined),
    );
    await stage.approve((await stage.state())?.approval?.id ?? "");

    stage.phase("failback: weight moves back to Okta in steps, each held healthy", "info");
    await wait(
      "failback complete",
      failbackBoundMs(config, stage.insyncMs),
      stateIs((s) => s?.state === "primary-active" && (s.weights[primary] ?? 0) === 100),
    );
    stage.phase("done: Okta serves login.example.com again", "good");
  } catch (error) {
    if (!(error instanceof DrillStopped)) throw error;
    outcome.stoppedEarly = error.message;
    stage.phase(`stopped early: ${error.message}`, "bad");
  }
  return outcome;
}

/** Waits until `done` holds, on the drill's clock; past `deadline` the game day stops early. */
async function waitFor(
  stage: GameDayStage,
  what: string,
  deadline: number,
  done: () => Promise<boolean>,
): Promise<void> {
  const since = stage.clock.now();
  for (;;) {
    if (stage.signal?.aborted) throw new DrillStopped("interrupted");
    if (await done()) return;
    if (stage.clock.now() > deadline) {
      const state = await stage.state();
      throw new DrillStopped(
        `${what}: not reached within ${Math.round((deadline - since) / 1000)} s (site ${state?.state ?? "not evaluated"})`,
      );
    }
    await sleepReal(100, stage.signal);
  }
}

async function hold(stage: GameDayStage, ms: number): Promise<void> {
  await stage.clock.sleepUntil(stage.clock.now() + ms, stage.signal);
  if (stage.signal?.aborted) throw new DrillStopped("interrupted");
}
