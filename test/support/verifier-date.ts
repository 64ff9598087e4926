import { afterEach, beforeEach, vi } from "vitest";

/**
 * Fakes only `Date`, at `at` before each test, for tests that verify with the `standardwebhooks`
 * package: its five-minute window reads Date.now(), while sockets and timers stay real.
 */
export function useVerifierDate(at: number): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
