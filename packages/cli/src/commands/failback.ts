import type { Command } from "commander";
import {
  type AwsCliOptions,
  applyOperatorInput,
  operatorName,
  parseWaitSeconds,
  requireSite,
  withAwsOptions,
  withSession,
} from "../aws-deps.js";
import type { CommandIo } from "../command-io.js";

export interface FailbackOptions extends AwsCliOptions {
  site: string;
  reason?: string;
  wait?: boolean;
  waitSeconds?: string;
}

export function registerFailback(program: Command, io: CommandIo): void {
  withAwsOptions(
    program
      .command("failback")
      .description(
        "Approve failback to the primary by hand (it must be up); weight moves back in the policy's steps",
      )
      .requiredOption("-s, --site <id>", "site id")
      .option("--reason <text>", "why (goes to the audit trail)")
      .option("--no-wait", "return once Route 53 accepted the first step")
      .option("--wait-seconds <n>", "how long to wait for the first step to be INSYNC (default 120)"),
  ).action((options: FailbackOptions) => runFailback(options, io));
}

export async function runFailback(options: FailbackOptions, io: CommandIo): Promise<void> {
  const waitSeconds = parseWaitSeconds(options.waitSeconds);
  const actor = `operator:${operatorName(options, io.env)}`;
  await withSession(options, io, async (session) => {
    const site = requireSite(session.config, options.site);
    const state = await applyOperatorInput(
      session,
      site,
      { kind: "manual-failback", actor, reason: options.reason?.trim() ?? "" },
      { wait: options.wait !== false, waitSeconds },
    );
    const steps = site.policy.failback.steps;
    if (state.state === "failing-back") {
      io.out(
        `failback in ${steps.length} step(s) (${steps.map((s) => `${s}%`).join(" -> ")} on the primary), each held ` +
          `${site.policy.failback.holdSeconds} s while the primary stays up; the evaluator moves the next steps\n`,
      );
    }
  });
}
