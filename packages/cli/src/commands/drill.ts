import { type DrillOptions, outageModes, runDrill, wantsColour } from "@idp-failover/runtime";
import { type Command, InvalidArgumentError, Option } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { withDashboardOptions } from "../dashboard-options.js";
import { readDocument } from "../load-config.js";

/*
 * `idpctl drill`: a failover game day on this machine, nothing to install beyond `npm ci`. See
 * docs/drill.md. Exit 0 when the drill met its expectations, 1 with the reasons otherwise.
 */

interface DrillFlags {
  outage: DrillOptions["outage"];
  speed: number;
  autoApprove?: boolean;
  approvalWait: number;
  dashboard: boolean;
  dashboardPort?: number;
  data?: string;
  reportDir?: string;
  policy?: string;
}

export function registerDrill(program: Command, io: CommandIo): void {
  withDashboardOptions(
    program
      .command("drill")
      .description(
        "Run a failover game day locally: stand-in Okta, Entra, Route 53 and Slack, three probe regions, the real engine, a dashboard",
      )
      .addOption(
        new Option("--outage <mode>", "how the primary breaks (see docs/drill.md)")
          .choices([...outageModes])
          .default("full"),
      )
      .option("--speed <n>", "how much faster than real time the drill's clock runs", parseSpeed, 10)
      .option("--auto-approve", "approve failback as soon as it is requested (no waiting for a click)")
      .option(
        "--approval-wait <seconds>",
        "how long to wait for Approve failback in the dashboard before the drill presses it",
        parseSeconds,
        30,
      )
      .option("--data <dir>", "keep the drill's embedded DynamoDB on disk in this new (or empty) directory")
      .option("--report-dir <dir>", "write the SLA report here (default: a new temporary directory)")
      .option(
        "--policy <file>",
        "rehearse with your own policy: a YAML or JSON document shaped like the config's `policy`, over the drill's",
      ),
  ).action(async (flags: DrillFlags) => {
    // The drill's AWS SDK clients only talk to local stand-ins: the SDK's Node support notice is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const policy = flags.policy ? await readPolicy(flags.policy) : undefined;
    const interrupt = new AbortController();
    const onSignal = () => {
      if (interrupt.signal.aborted) process.exit(130);
      io.err("\nidpctl drill: stopping (press Ctrl-C again to quit at once)\n");
      interrupt.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const outcome = await runDrill(
        {
          outage: flags.outage,
          speed: flags.speed,
          autoApprove: flags.autoApprove === true,
          approvalWaitSeconds: flags.approvalWait,
          dashboard: flags.dashboard,
          ...(flags.dashboardPort !== undefined ? { dashboardPort: flags.dashboardPort } : {}),
          ...(flags.data ? { dataDir: flags.data } : {}),
          ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
          ...(policy ? { policy } : {}),
        },
        {
          out: io.out,
          err: io.err,
          color: wantsColour(process.stdout, io.env),
        },
        { signal: interrupt.signal },
      );
      if (interrupt.signal.aborted) throw new CliError("drill interrupted", 1);
      if (!outcome.verdict.ok) {
        const failed = outcome.verdict.checks.filter((c) => !c.ok);
        throw new CliError(`drill failed: ${failed.map((c) => `${c.name} (${c.detail})`).join("; ")}`, 1);
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

async function readPolicy(file: string): Promise<Record<string, unknown>> {
  const document: unknown = await readDocument(file);
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new CliError(`${file}: a policy is a mapping (cadenceSeconds, failure, recovery, failback...)`, 2);
  }
  return Object.fromEntries(Object.entries(document));
}

function parseSpeed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1 || n > 100) throw new InvalidArgumentError("a number from 1 to 100");
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3600) throw new InvalidArgumentError("whole seconds, 0 to 3600");
  return n;
}
