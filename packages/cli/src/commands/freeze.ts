import type { Command } from "commander";
import {
  type AwsCliOptions,
  applyOperatorInput,
  operatorName,
  requireSite,
  withAwsOptions,
  withSession,
} from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

export interface FreezeOptions extends AwsCliOptions {
  site: string;
  reason?: string;
}

/** `freeze` (no automatic action until unfrozen), `unfreeze`, and `resume` (end a flapping pause). */
export function registerFreeze(program: Command, io: CommandIo): void {
  withAwsOptions(
    program
      .command("freeze")
      .description("Hold a site: no automatic failover or failback until unfreeze (audited)")
      .requiredOption("-s, --site <id>", "site id")
      .requiredOption("--reason <text>", "why (goes to the audit trail and the notifications)"),
  ).action((options: FreezeOptions) => runFreeze(options, io));
  withAwsOptions(
    program
      .command("unfreeze")
      .description("Resume automatic action; the state is derived from the weights DNS carries")
      .requiredOption("-s, --site <id>", "site id")
      .option("--reason <text>", "why (goes to the audit trail)"),
  ).action((options: FreezeOptions) => runUnfreeze(options, io));
  withAwsOptions(
    program
      .command("resume")
      .description(
        "End a flapping pause now: automatic DNS changes resume, with a fresh hour of budget (audited)",
      )
      .requiredOption("-s, --site <id>", "site id")
      .requiredOption("--reason <text>", "why it is safe to resume (goes to the audit trail and Slack)"),
  ).action((options: FreezeOptions) => runResume(options, io));
}

export function runResume(options: FreezeOptions, io: CommandIo): Promise<void> {
  return applyWithReason("resume", "--reason must say why it is safe to resume", options, io);
}

export function runFreeze(options: FreezeOptions, io: CommandIo): Promise<void> {
  return applyWithReason("freeze", "--reason must say why the site is frozen", options, io);
}

/** An operator command that must say why (the reason goes to the audit trail and Slack). */
async function applyWithReason(
  kind: "freeze" | "resume",
  missingReason: string,
  options: FreezeOptions,
  io: CommandIo,
): Promise<void> {
  const reason = options.reason?.trim() ?? "";
  if (!reason) throw new CliError(missingReason, 2);
  const actor = `operator:${operatorName(options, io.env)}`;
  await withSession(options, io, async (session) => {
    const site = requireSite(session.config, options.site);
    await applyOperatorInput(session, site, { kind, actor, reason });
  });
}

export async function runUnfreeze(options: FreezeOptions, io: CommandIo): Promise<void> {
  const actor = `operator:${operatorName(options, io.env)}`;
  await withSession(options, io, async (session) => {
    const site = requireSite(session.config, options.site);
    await applyOperatorInput(session, site, {
      kind: "unfreeze",
      actor,
      reason: options.reason?.trim() ?? "",
    });
  });
}
