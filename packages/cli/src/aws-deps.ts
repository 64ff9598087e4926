import { userInfo } from "node:os";
import {
  type AwsAdapterSettings,
  type AwsAdapters,
  createAwsAdapters,
  type InsyncWait,
} from "@idp-failover/aws";
import {
  type CommandOutcome,
  type Config,
  commandSite,
  type EvaluatorDeps,
  evaluateSite,
  findSite,
  type Input,
  notificationChannels,
  OutboxNotifier,
  type Site,
  type SiteState,
} from "@idp-failover/core";
import type { Command } from "commander";
import { CliError } from "./cli-error.js";
import type { CommandIo } from "./command-io.js";
import { loadConfig } from "./load-config.js";

/*
 * What the operator commands share: the AWS options every one of them takes, the real adapters built
 * from them, and applying an operator's input through the same use case (and guards) as the
 * evaluator. The environment is read here, at the edge, and nowhere in the adapters.
 */

export interface AwsCliOptions {
  config: string;
  region?: string;
  endpoint?: string;
  table?: string;
  eventBus?: string;
  operator?: string;
}

export const defaultTableName = "idp-failover";

/** Adds --config, --region, --endpoint, --table, --event-bus and --operator to an operator command. */
export function withAwsOptions(command: Command): Command {
  return command
    .requiredOption("-c, --config <file>", "config file (YAML or JSON)")
    .option(
      "--region <region>",
      "AWS region of the table and event bus (default: AWS_REGION, then the config's homeRegion)",
    )
    .option(
      "--endpoint <url>",
      "one endpoint for DynamoDB, Route 53 and EventBridge (local stacks); otherwise AWS_ENDPOINT_URL_DYNAMODB / _ROUTE_53 / _EVENTBRIDGE / AWS_ENDPOINT_URL",
    )
    .option("--table <name>", `DynamoDB table (default: IDP_FAILOVER_TABLE, then ${defaultTableName})`)
    .option(
      "--event-bus <name>",
      "EventBridge bus for the events of your commands (default: the config's alerting.eventBus; a stage other than prod adds -<stage>)",
    )
    .option("--operator <name>", "your name in the audit trail (default: IDPCTL_OPERATOR, then the OS user)");
}

/** The adapter settings from flags, then the environment, then the config. */
export function resolveAwsSettings(
  config: Config,
  options: Omit<AwsCliOptions, "config" | "operator">,
  env: CommandIo["env"],
): AwsAdapterSettings {
  const endpointFor = (service: "DYNAMODB" | "ROUTE_53" | "EVENTBRIDGE") =>
    options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  if (options.endpoint !== undefined && !/^https?:\/\/\S+$/.test(options.endpoint)) {
    throw new CliError(`--endpoint ${JSON.stringify(options.endpoint)} is not an http(s) URL`, 2);
  }
  const dynamodb = endpointFor("DYNAMODB");
  const route53 = endpointFor("ROUTE_53");
  const eventbridge = endpointFor("EVENTBRIDGE");
  return {
    tableName: options.table ?? env.IDP_FAILOVER_TABLE ?? defaultTableName,
    eventBusName: options.eventBus ?? config.alerting.eventBus,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? config.homeRegion,
    endpoints: {
      ...(dynamodb ? { dynamodb } : {}),
      ...(route53 ? { route53 } : {}),
      ...(eventbridge ? { eventbridge } : {}),
    },
  };
}

export function operatorName(options: Pick<AwsCliOptions, "operator">, env: CommandIo["env"]): string {
  const name = options.operator ?? env.IDPCTL_OPERATOR ?? safeUserName() ?? env.USER;
  if (!name || !/^[\w.@+-]{1,64}$/.test(name)) {
    throw new CliError("cannot tell who you are for the audit trail: pass --operator <name>", 2);
  }
  return name;
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** A config, its AWS adapters and the evaluator's dependencies, for one command. */
export interface OperatorSession {
  config: Config;
  settings: AwsAdapterSettings;
  adapters: AwsAdapters;
  deps: EvaluatorDeps;
  io: CommandIo;
  close(): void;
}

export async function openSession(options: AwsCliOptions, io: CommandIo): Promise<OperatorSession> {
  const { config } = await loadConfig(options.config);
  const settings = resolveAwsSettings(config, options, io.env);
  const adapters = createAwsAdapters(settings);
  const clock = { now: io.now };
  const deps: EvaluatorDeps = {
    store: adapters.store,
    dns: adapters.dns,
    events: adapters.events,
    notifier: new OutboxNotifier(adapters.outbox, notificationChannels(config), clock),
    clock,
  };
  return { config, settings, adapters, deps, io, close: () => adapters.destroy() };
}

/** Runs `work` with a session, and closes its clients whatever happens. */
export async function withSession<T>(
  options: AwsCliOptions,
  io: CommandIo,
  work: (session: OperatorSession) => Promise<T>,
): Promise<T> {
  const session = await openSession(options, io);
  try {
    return await work(session);
  } catch (error) {
    throw asCliError(error);
  } finally {
    session.close();
  }
}

/**
 * Trouble with AWS (unreachable endpoint, missing credentials, no such table, throttling, an item that
 * does not parse) is a failed check: exit 1 with the cause in one line. Bugs keep their stack.
 */
function asCliError(error: unknown): unknown {
  if (error instanceof CliError || !(error instanceof Error)) return error;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError)
    return error;
  const code = "code" in error && typeof error.code === "string" ? ` (${error.code})` : "";
  return new CliError(`AWS: ${error.name}: ${error.message}${code}`, 1, { cause: error });
}

export function requireSite(config: Config, siteId: string): Site {
  const site = findSite(config, siteId);
  if (!site) {
    throw new CliError(
      `no site ${JSON.stringify(siteId)} in the config (sites: ${config.sites.map((s) => s.id).join(", ")})`,
      2,
    );
  }
  return site;
}

export interface WaitOptions {
  /** Wait for Route 53 to report the change INSYNC, then let the state machine record it. */
  wait: boolean;
  waitSeconds: number;
}

export function parseWaitSeconds(value: string | undefined): number {
  if (value === undefined) return 120;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new CliError(`--wait-seconds ${JSON.stringify(value)}: a whole number of seconds, 0..3600`, 2);
  }
  return seconds;
}

type OperatorInput = Extract<Input, { kind: "freeze" | "unfreeze" | "manual-failover" | "manual-failback" }>;

/**
 * Applies an operator's input through core's `commandSite` (same guards, conditional write, audit
 * with the operator's name). A refusal is exit 1 with the state machine's reason. When the input
 * moved weights, reports the Route 53 change and optionally waits for it to be INSYNC.
 */
export async function applyOperatorInput(
  session: OperatorSession,
  site: Site,
  input: OperatorInput,
  wait: WaitOptions = { wait: false, waitSeconds: 0 },
): Promise<SiteState> {
  const { io } = session;
  await checkEventBus(session);
  const outcome: CommandOutcome = await commandSite(session.deps, session.config, site.id, input);
  if (outcome.kind === "refused") {
    const where = outcome.reason.includes(outcome.state.state)
      ? ""
      : ` (site ${site.id} is ${outcome.state.state})`;
    throw new CliError(`refused: ${outcome.reason}${where}`, 1);
  }
  const { transition } = outcome;
  io.out(
    transition
      ? `${site.id}: ${transition.from} -> ${transition.to} (${transition.reason})\n`
      : `${site.id}: ${input.kind} recorded; state ${outcome.state.state}\n`,
  );
  reportDeferred(io, outcome.effectErrors);
  let state = outcome.state;
  const dns = state.dns;
  if (!dns) return state;
  const weights = formatWeights(dns.weights);
  if (dns.rejected) {
    throw new CliError(
      `Route 53 refused the weight change (${weights}): ${dns.lastError ?? "no reason given"}`,
      1,
    );
  }
  if (!dns.changeId) {
    io.out(
      `Route 53 change (${weights}) not accepted yet: ${dns.lastError ?? "pending"}; the evaluator retries it${dns.retryAt ? ` at ${dns.retryAt}` : ""}\n`,
    );
    return state;
  }
  io.out(`Route 53 change ${dns.changeId} submitted (${weights})\n`);
  if (!wait.wait || wait.waitSeconds === 0) return state;
  io.err(`waiting up to ${wait.waitSeconds} s for Route 53 to report ${dns.changeId} INSYNC...\n`);
  const waited: InsyncWait = await session.adapters.dns.waitForInsync(dns.changeId, {
    timeoutMs: wait.waitSeconds * 1000,
    intervalMs: Math.min(5000, Math.max(200, wait.waitSeconds * 50)),
    sleep: io.sleep,
    now: io.now,
  });
  if (waited.kind === "timeout") {
    io.out(
      `${dns.changeId} still ${waited.last} after ${Math.round(waited.waitedMs / 1000)} s; the evaluator records INSYNC when it comes\n`,
    );
    return state;
  }
  // The evaluator's own use case records the INSYNC (and whatever else is due now).
  const report = await evaluateSite(session.deps, session.config, site.id);
  reportDeferred(io, report.effectErrors);
  state = report.state;
  io.out(
    `${dns.changeId} INSYNC after ${Math.round(waited.waitedMs / 1000)} s; ${site.id} is ${state.state} (${formatWeights(state.weights)})\n`,
  );
  return state;
}

/**
 * EventBridge drops events sent to a bus that does not exist, so a misnamed `--event-bus` would lose
 * the events of this command without a word: refuse it before anything changes. When the bus cannot
 * be checked (no permission to describe it), the command goes on: it may be an emergency.
 */
async function checkEventBus(session: OperatorSession): Promise<void> {
  const check = await session.adapters.events.findBus();
  if (check.kind === "missing") {
    throw new CliError(
      `${check.message} in ${session.settings.region}: pass the deployment's bus with --event-bus (a stage other than prod adds -<stage>)`,
      2,
    );
  }
  if (check.kind === "unknown") session.io.err(`${check.message}; going on\n`);
}

/** Effects that failed (events the bus refused, the notification outbox unwritable): the evaluator retries them. */
function reportDeferred(io: CommandIo, effectErrors: readonly string[]): void {
  for (const error of effectErrors) {
    io.err(`not done yet, kept in the site's outbox for the evaluator's next run: ${error}\n`);
  }
}

export function formatWeights(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([provider, weight]) => `${provider} ${weight}`)
    .join(", ");
}
