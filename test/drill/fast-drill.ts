/*
 * The drill as the end-to-end tests play it: the default game day on a faster clock, with a shorter
 * sustain, hold and flakiness window, so a whole game day takes about ten seconds of a quiet core
 * (npm start's default drill, at 10x, about two minutes). The drill refuses a clock its policy
 * cannot keep up with (`maxSpeed`): 60x needs a timed-out round, here 1.5 s real (90 s of drill
 * time), under half the staleness limit, so that limit is 180 s.
 */

export const fastDrillSpeed = 60;

export const fastDrillPolicy = {
  confirm: { retries: 0 },
  probeTimeoutMs: 1500,
  staleAfterSeconds: 180,
  // The rest of the suite shares the CPU: a loopback answer slowed past the budget by it would make
  // Okta degraded (no false flip, but a failback step aborts on a degraded primary).
  slowMs: 1200,
  degraded: { windowSeconds: 60 },
  recovery: { sustainSeconds: 30 },
  failback: { holdSeconds: 10 },
};
