import type { Command } from "commander";
import { type AwsCliOptions, applyToSite, waitChoice, weightChangeCommand } from "../aws-deps.js";
import type { CommandIo } from "../command-io.js";

export interface FailbackOptions extends AwsCliOptions {
  site: string;
  reason?: string;
  wait?: boolean;
  waitSeconds?: string;
}

export function registerFailback(program: Command, io: CommandIo): void {
  weightChangeCommand(
    program,
    "failback",
    "Approve failback to the primary by hand (it must be up); weight moves back in the policy's steps",
    "the first step",
    (command) => command.option("--reason <text>", "why (goes to the audit trail)"),
  ).action((options: FailbackOptions) => runFailback(options, io));
}

export async function runFailback(options: FailbackOptions, io: CommandIo): Promise<void> {
  const wait = waitChoice(options);
  const reason = options.reason?.trim() ?? "";
  const { site, state } = await applyToSite(
    options,
    io,
    (_site, actor) => ({ kind: "manual-failback", actor, reason }),
    wait,
  );
  const steps = site.policy.failback.steps;
  if (state.state === "failing-back") {
    io.out(
      `failback in ${steps.length} step(s) (${steps.map((s) => `${s}%`).join(" -> ")} on the primary), each held ` +
        `${site.policy.failback.holdSeconds} s while the primary stays up; the evaluator moves the next steps\n`,
    );
  }
}
