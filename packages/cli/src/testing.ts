import type { CommandIo } from "./command-io.js";

/*
 * For tests that run commands in their own process (`@idp-failover/cli/testing`): an io that keeps
 * what a command prints.
 */

export interface CapturedIo extends CommandIo {
  /** Everything written to `out` so far. */
  stdout(): string;
  /** Everything written to `err` so far. */
  stderr(): string;
}

/**
 * An io that captures both streams. The environment is only what the test gives (never the test
 * process's own); the clock is the wall clock unless given; `sleep` only yields to the event loop,
 * so a command that polls a local server asks again at once instead of waiting on the wall clock.
 */
export function capturedIo(
  options: { env?: CommandIo["env"]; now?: () => number; sleep?: CommandIo["sleep"] } = {},
): CapturedIo {
  let out = "";
  let err = "";
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env: { ...options.env },
    now: options.now ?? (() => Date.now()),
    sleep: options.sleep ?? (() => new Promise((resolve) => setImmediate(resolve))),
    stdout: () => out,
    stderr: () => err,
  };
}
