import type { SiteState } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { drillConfig } from "../../packages/runtime/src/drill/drill-config.js";
import { type FaultStep, gameDayPlan } from "../../packages/runtime/src/drill/game-day.js";
import { type GameDayStage, playGameDay } from "../../packages/runtime/src/drill/game-day-runner.js";
import { CompressedClock } from "../../packages/runtime/src/loop/compressed-clock.js";
import { idleDrillIdps } from "../support/drill-idps.js";

/*
 * The game day's phases against a scripted site (no loop, no servers) on a clock 2000 times faster:
 * what is applied and cleared in which order, and where a game day stops when the policy misses.
 */

// Short probe budgets: the bounds count a timed-out round at its real length, and nothing times out here.
const config = drillConfig(idleDrillIdps, {
  probeTimeoutMs: 100,
  slowMs: 50,
  confirm: { retries: 0, delayMs: 0 },
});

function state(name: SiteState["state"], extra: Partial<SiteState> = {}): SiteState {
  return {
    site: "example",
    version: 1,
    state: name,
    since: "2026-03-02T09:00:00.000Z",
    active: "okta",
    weights: { okta: 100, entra: 0 },
    observed: {},
    alerts: {},
    ...extra,
  };
}

/** A site that fails over when Okta breaks, asks for failback when it heals, and fails back when approved. */
function scriptedStage(options: { failsOver: boolean }) {
  const log: string[] = [];
  let current = state("primary-active");
  const stage: GameDayStage = {
    config,
    clock: new CompressedClock(2000),
    insyncMs: 20_000,
    state: async () => current,
    primaryUpEverywhere: async () => true,
    apply: async (step: FaultStep) => {
      log.push(`apply ${step.cutRegion ? `cut ${step.cutRegion}` : step.okta?.mode}`);
      if (step.okta && options.failsOver) current = state("secondary-active", { active: "entra" });
    },
    clear: async (step: FaultStep) => {
      log.push(`clear ${step.cutRegion ? `cut ${step.cutRegion}` : step.okta?.mode}`);
      if (current.state === "secondary-active") {
        current = state("failback-pending", {
          approval: { id: "a1", requestedAt: current.since, expiresAt: current.since },
        });
      }
    },
    phase: (text) => log.push(`phase ${text.split(":")[0]}`),
    approve: async (approvalId) => {
      log.push(`approve ${approvalId}`);
      current = state("primary-active");
    },
  };
  return { stage, log };
}

describe("playing a game day", () => {
  it("rides out the trouble, breaks Okta, heals it and approves failback, in that order", async () => {
    // Prepare
    const { stage, log } = scriptedStage({ failsOver: true });

    // Act
    const outcome = await playGameDay(gameDayPlan("one-region", config), stage);

    // Assess
    expect(outcome.stoppedEarly).toBeUndefined();
    expect(outcome.outageAt).toBeGreaterThan(0);
    expect(log).toEqual([
      "phase normal operation",
      "phase eu-west-1 loses its network path to okta; the other regions still reach it. Expect",
      "apply cut eu-west-1",
      "clear cut eu-west-1",
      "phase trouble over",
      "phase OUTAGE",
      "apply http-5xx",
      "phase recovery",
      "clear http-5xx",
      "approve a1",
      "phase failback",
      "phase done",
    ]);
  });

  it("stops early, saying which phase missed its bound, when the failover never comes", async () => {
    // Prepare
    const { stage, log } = scriptedStage({ failsOver: false });

    // Act
    const outcome = await playGameDay(gameDayPlan("full", config), stage);

    // Assess
    expect(outcome.stoppedEarly).toMatch(
      /^failover in sync: not reached within \d+ s \(site primary-active\)$/,
    );
    expect(log.at(-1)).toBe("phase stopped early");
    expect(log).not.toContain("phase recovery");
  });

  it("stops at once when interrupted", async () => {
    // Prepare
    const { stage } = scriptedStage({ failsOver: true });
    const interrupt = new AbortController();
    interrupt.abort();

    // Act
    const outcome = await playGameDay(gameDayPlan("full", config), { ...stage, signal: interrupt.signal });

    // Assess
    expect(outcome.stoppedEarly).toBe("interrupted");
  });
});
