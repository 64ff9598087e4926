import type { Command } from "commander";
import { type AwsCliOptions, applyToSite, waitChoice, weightChangeCommand } from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

export interface FailoverOptions extends AwsCliOptions {
  site: string;
  to: string;
  reason: string;
  wait?: boolean;
  waitSeconds?: string;
}

export function registerFailover(program: Command, io: CommandIo): void {
  weightChangeCommand(
    program,
    "failover",
    "Move all traffic to another provider now, through the state machine's guards (audited)",
    "the change",
    (command) =>
      command
        .requiredOption("--to <provider>", "provider to move traffic to")
        .requiredOption("--reason <text>", "why (goes to the audit trail and the notifications)"),
  ).action((options: FailoverOptions) => runFailover(options, io));
}

export async function runFailover(options: FailoverOptions, io: CommandIo): Promise<void> {
  const wait = waitChoice(options);
  await applyToSite(
    options,
    io,
    (site, actor) => {
      if (!site.providers.some((p) => p.id === options.to)) {
        throw new CliError(
          `site ${site.id} has no provider ${JSON.stringify(options.to)} (providers: ${site.providers.map((p) => p.id).join(", ")})`,
          2,
        );
      }
      if (!options.reason.trim()) throw new CliError("--reason must say why", 2);
      return { kind: "manual-failover", to: options.to, actor, reason: options.reason.trim() };
    },
    wait,
  );
}
