import { Route53LoginTakeover } from "@idp-failover/aws";
import type { Command } from "commander";
import { type AwsCliOptions, parseWaitSeconds, siteCommand, withAwsOptions, withSite } from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

/*
 * `idpctl takeover`: before the first deploy, replace the login hostname's existing record (the plain
 * CNAME or A record users sign in through today) by the site's weighted set in one Route 53 change
 * batch, so the name never stops resolving. `--dry-run` prints the batch and changes nothing.
 */

export interface TakeoverOptions extends AwsCliOptions {
  site: string;
  dryRun?: boolean;
  waitSeconds?: string;
}

export function registerTakeover(program: Command, io: CommandIo): void {
  withAwsOptions(
    siteCommand(
      program,
      "takeover",
      "Replace the login hostname's existing record by the weighted set, in one atomic Route 53 change (before the first deploy)",
    )
      .option("--dry-run", "print the change batch and change nothing")
      .option("--wait-seconds <n>", "how long to wait for Route 53 to report INSYNC (default 120)"),
  ).action((options: TakeoverOptions) => runTakeover(options, io));
}

export async function runTakeover(options: TakeoverOptions, io: CommandIo): Promise<void> {
  const waitSeconds = parseWaitSeconds(options.waitSeconds);
  await withSite(options, io, async (session, site) => {
    const takeover = new Route53LoginTakeover({ client: session.adapters.clients.route53 });
    const plan = await takeover.plan(site);
    if (plan.kind === "nothing-to-do") {
      io.out(`${plan.reason}: nothing to do\n`);
      return;
    }
    if (plan.kind === "refused") throw new CliError(`${plan.reason}\nhint: ${plan.hint}`, 1);
    const batch = { HostedZoneId: site.hostedZoneId, ChangeBatch: { Changes: plan.changes } };
    io.out(
      `${options.dryRun ? "Would submit" : "Submitting"} one change batch for ${site.hostname} (all or nothing):\n` +
        plan.deleting.map((r) => `  DELETE ${r}\n`).join("") +
        plan.creating.map((r) => `  CREATE ${r}\n`).join(""),
    );
    if (options.dryRun) {
      io.out(`${JSON.stringify(batch, null, 2)}\n`);
      return;
    }
    const outcome = await takeover.apply(site, plan);
    if (outcome.kind === "rejected") throw new CliError(`Route 53 refused the batch: ${outcome.message}`, 1);
    io.out(`Route 53 accepted change ${outcome.changeId}\n`);
    if (waitSeconds === 0) return;
    const wait = await session.adapters.dns.waitForInsync(outcome.changeId, {
      timeoutMs: waitSeconds * 1000,
      sleep: io.sleep,
      now: io.now,
    });
    io.out(
      wait.kind === "insync"
        ? `INSYNC after ${Math.round(wait.waitedMs / 1000)} s: ${site.hostname} is the weighted set now; deploy next (sst deploy adopts it)\n`
        : `not INSYNC after ${waitSeconds} s (last: ${wait.last}); check with idpctl status\n`,
    );
  });
}
