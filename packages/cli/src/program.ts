import { Command } from "commander";
import { type CommandIo, processIo } from "./command-io.js";
import { registerCost } from "./commands/cost.js";
import { registerDrill } from "./commands/drill.js";
import { registerFailback } from "./commands/failback.js";
import { registerFailover } from "./commands/failover.js";
import { registerFreeze } from "./commands/freeze.js";
import { registerHistory } from "./commands/history.js";
import { registerProbe } from "./commands/probe.js";
import { registerReadiness } from "./commands/readiness.js";
import { registerReplay } from "./commands/replay.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerStatus } from "./commands/status.js";
import { registerTakeover } from "./commands/takeover.js";
import { registerValidate } from "./commands/validate.js";
import { registerWebhook } from "./commands/webhook.js";

/**
 * The `idpctl` command tree. Each command lives in commands/ and registers itself here. Everything
 * the commands print, commander's help and errors included, goes to `io`.
 */
export function buildProgram(io: CommandIo = processIo): Command {
  const program = new Command("idpctl")
    .description(
      "Control plane for identity-provider failover: validate, probe, replay, drill, run, report, operate",
    )
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ sortSubcommands: true })
    // Set before the commands are added: each command copies both settings.
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride(); // runIdpctl maps parse errors to exit code 2 (bad input)
  registerValidate(program, io);
  registerReplay(program, io);
  registerReport(program, io);
  registerProbe(program, io);
  registerReadiness(program, io);
  registerStatus(program, io);
  registerFailover(program, io);
  registerFailback(program, io);
  registerFreeze(program, io);
  registerTakeover(program, io);
  registerHistory(program, io);
  registerCost(program, io);
  registerDrill(program, io);
  registerRun(program, io);
  registerWebhook(program, io);
  return program;
}
