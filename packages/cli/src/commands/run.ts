import type { Config } from "@idp-failover/core";
import { runSelfHosted, type SelfHostedSettings, wantsColour } from "@idp-failover/runtime";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type AwsCliOptions,
  localOperatorOf,
  resolveAwsSettings,
  verifiedOperatorOf,
  withAwsOptions,
} from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { withDashboardOptions } from "../dashboard-options.js";
import { formatIssues, loadConfig, readCaFile } from "../load-config.js";

/*
 * `idpctl run --config FILE`: the whole control loop on this machine against the real endpoints in
 * the config. See docs/drill.md ("idpctl run"). SIGINT / SIGTERM stop it cleanly; a second one quits.
 * The command resolves its flags, the environment and the config file; the runtime runs the loop.
 */

export interface RunOptions extends AwsCliOptions {
  store: "embedded" | "dynamodb";
  data?: string;
  dns: "dry-run" | "route53";
  events: "off" | "eventbridge";
  regions?: string;
  ca?: string;
  approver?: string;
  dashboard: boolean;
  dashboardPort?: number;
  slackApiUrl?: string;
}

export function registerRun(program: Command, io: CommandIo): void {
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
      const env = io.env;
      const settings = await resolveRunSettings(options, env, io.err);
      await runSelfHosted(
        settings,
        {
          out: io.out,
          err: io.err,
          env,
          color: wantsColour(process.stdout, env),
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

const slackUserId = /^[UW][A-Z0-9]{1,30}$/;

/** The runtime's settings from `run`'s flags, the environment and the config file. */
export async function resolveRunSettings(
  options: RunOptions,
  env: CommandIo["env"],
  warn: (text: string) => void,
): Promise<SelfHostedSettings> {
  const { config, warnings } = await loadConfig(options.config);
  if (warnings.length > 0) warn(`warnings:\n${formatIssues(warnings)}\n`);
  if (options.approver !== undefined && !slackUserId.test(options.approver)) {
    throw new CliError(
      `--approver ${JSON.stringify(options.approver)} is not a Slack user id (like U0123ABCD)`,
    );
  }
  const usesAws =
    options.store === "dynamodb" || options.dns === "route53" || options.events === "eventbridge";
  const aws = usesAws ? resolveAwsSettings(config, options, env) : undefined;
  // The dashboard's freeze / unfreeze are the runtime's only operator commands. On AWS resources
  // they are recorded under the AWS identity of whoever started the runtime, as idpctl's own
  // commands are (checked now: no dashboard on a deployment under an identity AWS would not give);
  // a runtime entirely local, or one without a dashboard, has nobody to vouch for.
  const operator =
    aws && options.dashboard ? await verifiedOperatorOf(aws, options, env) : localOperatorOf(options, env);
  return {
    config,
    regions: selectRegions(config, options.regions),
    store: options.store,
    ...(options.data !== undefined ? { data: options.data } : {}),
    dns: options.dns,
    events: options.events,
    ...(options.ca ? { ca: await readCaFile(options.ca, env) } : {}),
    ...(options.approver !== undefined ? { approver: options.approver } : {}),
    operator,
    ...(aws ? { aws } : {}),
    dashboard: options.dashboard,
    ...(options.dashboardPort !== undefined ? { dashboardPort: options.dashboardPort } : {}),
    ...(options.slackApiUrl !== undefined ? { slackApiUrl: options.slackApiUrl } : {}),
  };
}

function selectRegions(config: Config, list: string | undefined): string[] {
  if (!list) return config.regions;
  const wanted = list
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = wanted.filter((r) => !config.regions.includes(r));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new CliError(
      `--regions ${JSON.stringify(list)}: ${unknown.length > 0 ? `not in the config: ${unknown.join(", ")}` : "no region"} (config regions: ${config.regions.join(", ")})`,
      2,
    );
  }
  return wanted;
}
