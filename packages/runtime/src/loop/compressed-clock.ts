import type { Clock } from "@idp-failover/core";

/** The wall clock: the one place the local runtime reads the system time (CompressedClock reads it too). */
export const wallClock: Clock = { now: () => Date.now() };

/*
 * The loop's clock. `idpctl run` uses it at speed 1 (the wall clock); the drill runs it N times
 * faster, so the policy's durations (cadence, windows, sustain, holds, staleness, approval expiry,
 * DNS retries) pass N times faster in real time. What cannot be compressed stays real: a probe's
 * network round trip, its timeout and its latency budget are real milliseconds (see docs/drill.md).
 */
export class CompressedClock implements Clock {
  private readonly realOrigin: number;
  private readonly origin: number;

  /**
   * @param speed virtual milliseconds per real millisecond (1 = the wall clock)
   * @param wall the real clock (tests pass their own)
   * @param origin the virtual time at start; the wall clock's time by default
   */
  constructor(
    readonly speed: number,
    private readonly wall: () => number = wallClock.now,
    origin?: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed))
      throw new RangeError(`clock speed must be > 0, got ${speed}`);
    this.realOrigin = wall();
    this.origin = origin ?? this.realOrigin;
  }

  now(): number {
    return this.origin + (this.wall() - this.realOrigin) * this.speed;
  }

  /** The real clock under this one: for what a person waits on, and real-time throttles. */
  get real(): Clock {
    return { now: this.wall };
  }

  /** Real milliseconds until the virtual instant `at` (0 if it has passed). */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.speed);
  }

  /** A virtual duration in real milliseconds. */
  toReal(virtualMs: number): number {
    return virtualMs / this.speed;
  }

  /** Resolves at the virtual instant `at`, or early (without error) when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    return sleepReal(this.realDelayUntil(at), signal);
  }
}

/** Waits `ms` real milliseconds; an abort ends the wait early and quietly. */
export function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
