/*
 * Where a command writes, and the few things it takes from the process. `idpctl` passes the
 * process's own (processIo); tests pass theirs and run a command in the test's process.
 */

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
