import { type Command, InvalidArgumentError, Option } from "commander";
import { withAwsOptions } from "../aws-deps.js";
import { withDashboardOptions } from "../dashboard/dashboard-options.js";
import { wantsColour } from "../loop/timeline-format.js";
import { type RunOptions, runSelfHosted } from "../self-hosted/run-self-hosted.js";

/*
 * `idpctl run --config FILE`: the whole control loop on this machine against the real endpoints in
 * the config. See docs/drill.md ("idpctl run"). SIGINT / SIGTERM stop it cleanly; a second one quits.
 */

export function registerRun(program: Command): void {
  withDashboardOptions(
    withAwsOptions(
      program
        .command("run")
        .description(
          "Self-host the control loop against the config's real IdPs, Slack and webhooks (probes, evaluator, delivery, dashboard)",
        )
        .addOption(
          new Option("--store <where>", "embedded (dynalite on this machine) or dynamodb (a real table)")
            .choices(["embedded", "dynamodb"])
            .default("embedded"),
        )
        .option("--data <dir>", "keep the embedded store on disk in this directory")
        .addOption(
          new Option("--dns <how>", "dry-run (describe each change) or route53 (change the weights for real)")
            .choices(["dry-run", "route53"])
            .default("dry-run"),
        )
        .addOption(
          new Option("--events <where>", "off (timeline only) or eventbridge (the config's bus)")
            .choices(["off", "eventbridge"])
            .default("off"),
        )
        .option(
          "--regions <list>",
          "probe regions to run here, comma-separated (default: all of the config's)",
        )
        .option(
          "--ca <file>",
          "PEM file of extra CA certificates the probes trust (as well as NODE_EXTRA_CA_CERTS)",
        )
        .option(
          "--approver <user>",
          "the Slack user id the dashboard's Approve failback clicks as (default: the first configured approver)",
        )
        .option(
          "--slack-api-url <url>",
          "a Slack-compatible Web API base URL (default https://slack.com/api/)",
          parseUrl,
        ),
    ),
  ).action(async (options: RunOptions) => {
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130);
      stop.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      await runSelfHosted(
        options,
        {
          out: (text) => process.stdout.write(text),
          err: (text) => process.stderr.write(text),
          env: process.env,
          color: wantsColour(process.stdout, process.env),
        },
        stop.signal,
      );
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

function parseUrl(value: string): string {
  if (!/^https?:\/\/\S+$/.test(value)) throw new InvalidArgumentError("an http(s) URL");
  return value.endsWith("/") ? value : `${value}/`;
}
