import { InputError } from "@idp-failover/runtime";
import { CommanderError } from "commander";
import { type CommandIo, processIo } from "./command-io.js";
import { buildProgram } from "./program.js";
import { redactingIo } from "./redacting-io.js";

/**
 * Runs one `idpctl` command line (the arguments after `idpctl`) and answers its exit code: 0 done,
 * 1 a failed check or refusal, 2 bad input. Problems are reported on `io.err` in one line. The
 * binary calls it with the process's io; tests call it in their own process. Everything it prints
 * goes through the redactor of the secrets the command line names (redacting-io.ts).
 */
export async function runIdpctl(args: readonly string[], given: CommandIo = processIo): Promise<number> {
  const io = redactingIo(given);
  try {
    await buildProgram(io)
      .hook("preAction", (_program, command) => io.learn(command.opts()))
      .parseAsync([...args], { from: "user" });
    return 0;
  } catch (error) {
    // Commander has printed the problem (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      io.err(`idpctl: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(
      `idpctl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
