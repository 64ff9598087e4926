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
  withAwsOptions(
    program
      .command("failover")
      .description("Move all traffic to another provider now, through the state machine's guards (audited)")
      .requiredOption("-s, --site <id>", "site id")
      .requiredOption("--to <provider>", "provider to move traffic to")
      .requiredOption("--reason <text>", "why (goes to the audit trail and the notifications)")
      .option("--no-wait", "return once Route 53 accepted the change")
      .option("--wait-seconds <n>", "how long to wait for Route 53 to report INSYNC (default 120)"),
  ).action((options: FailoverOptions) => runFailover(options, io));
}

export async function runFailover(options: FailoverOptions, io: CommandIo): Promise<void> {
  const waitSeconds = parseWaitSeconds(options.waitSeconds);
  const actor = `operator:${operatorName(options, io.env)}`;
  await withSession(options, io, async (session) => {
    const site = requireSite(session.config, options.site);
    if (!site.providers.some((p) => p.id === options.to)) {
      throw new CliError(
        `site ${site.id} has no provider ${JSON.stringify(options.to)} (providers: ${site.providers.map((p) => p.id).join(", ")})`,
        2,
      );
    }
    if (!options.reason.trim()) throw new CliError("--reason must say why", 2);
    await applyOperatorInput(
      session,
      site,
      { kind: "manual-failover", to: options.to, actor, reason: options.reason.trim() },
      { wait: options.wait !== false, waitSeconds },
    );
  });
}
