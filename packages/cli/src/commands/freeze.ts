import type { Command } from "commander";
import { type AwsCliOptions, applyToSite, siteCommand, withAwsOptions } from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

export interface FreezeOptions extends AwsCliOptions {
  site: string;
  reason?: string;
}

/** `freeze` (no automatic action until unfrozen), `unfreeze`, and `resume` (end a flapping pause). */
export function registerFreeze(program: Command, io: CommandIo): void {
  const commands = [
    {
      name: "freeze",
      description: "Hold a site: no automatic failover or failback until unfreeze (audited)",
      reason: { required: true, help: "why (goes to the audit trail and the notifications)" },
      run: runFreeze,
    },
    {
      name: "unfreeze",
      description: "Resume automatic action; the state is derived from the weights DNS carries",
      reason: { required: false, help: "why (goes to the audit trail)" },
      run: runUnfreeze,
    },
    {
      name: "resume",
      description:
        "End a flapping pause now: automatic DNS changes resume, with a fresh hour of budget (audited)",
      reason: { required: true, help: "why it is safe to resume (goes to the audit trail and Slack)" },
      run: runResume,
    },
  ];
  for (const { name, description, reason, run } of commands) {
    const command = siteCommand(program, name, description);
    if (reason.required) command.requiredOption("--reason <text>", reason.help);
    else command.option("--reason <text>", reason.help);
    withAwsOptions(command).action((options: FreezeOptions) => run(options, io));
  }
}

export function runResume(options: FreezeOptions, io: CommandIo): Promise<void> {
  return applyWithReason("resume", "--reason must say why it is safe to resume", options, io);
}

export function runFreeze(options: FreezeOptions, io: CommandIo): Promise<void> {
  return applyWithReason("freeze", "--reason must say why the site is frozen", options, io);
}

export function runUnfreeze(options: FreezeOptions, io: CommandIo): Promise<void> {
  return applyWithReason("unfreeze", undefined, options, io);
}

/** An operator command that says why; `missingReason` when it must (the reason goes to the audit trail and Slack). */
async function applyWithReason(
  kind: "freeze" | "resume" | "unfreeze",
  missingReason: string | undefined,
  options: FreezeOptions,
  io: CommandIo,
): Promise<void> {
  const reason = options.reason?.trim() ?? "";
  if (!reason && missingReason) throw new CliError(missingReason, 2);
  await applyToSite(options, io, (_site, actor) => ({ kind, actor, reason }));
}
