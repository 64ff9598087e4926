import { Command } from "commander";
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
import { registerValidate } from "./commands/validate.js";

/** The `idpctl` command tree. Each command lives in commands/ and registers itself here. */
export function buildProgram(): Command {
  const program = new Command("idpctl")
    .description(
      "Control plane for identity-provider failover: validate, probe, replay, drill, run, report, operate",
    )
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ sortSubcommands: true })
    .exitOverride(); // main.ts maps parse errors to exit code 2 (bad input)
  registerValidate(program);
  registerReplay(program);
  registerReport(program);
  registerProbe(program);
  registerReadiness(program);
  registerStatus(program);
  registerFailover(program);
  registerFailback(program);
  registerFreeze(program);
  registerHistory(program);
  registerCost(program);
  registerDrill(program);
  registerRun(program);
  return program;
}
