import { userInfo } from "node:os";
import {
  type AwsAdapterSettings,
  type AwsAdapters,
  createAwsAdapters,
  createCallerIdentity,
} from "@idp-failover/aws";
import {
  type Config,
  configRedactor,
  displayNameSchema,
  type EvaluatorDeps,
  findSite,
  localOperator,
  notificationChannels,
  type Operator,
  OutboxNotifier,
  type Site,
  type SiteState,
  sitesTagged,
  storeAuditedAs,
  verifiedOperator,
} from "@idp-failover/core";
import { type AppliedCommand, type OperatorInput, operatorCommand } from "@idp-failover/orchestration";
import { envSecrets } from "@idp-failover/probes";
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
    .option(
      "--operator <name>",
      "a display name kept beside your AWS identity in the audit trail (default: IDPCTL_OPERATOR); who you are is what STS GetCallerIdentity says",
    );
}

/** `idpctl <name> -s <site>`: a command on one site of the config (the caller adds its own flags, then withAwsOptions). */
export function siteCommand(program: Command, name: string, description: string): Command {
  return program.command(name).description(description).requiredOption("-s, --site <id>", "site id");
}

/**
 * A command that changes a site's weights: `-s <site>`, its own flags (`own`), then --no-wait and
 * --wait-seconds (for `change`, what Route 53 accepts and reports INSYNC), then the AWS options.
 */
export function weightChangeCommand(
  program: Command,
  name: string,
  description: string,
  change: string,
  own: (command: Command) => Command,
): Command {
  return withAwsOptions(
    own(siteCommand(program, name, description))
      .option("--no-wait", `return once Route 53 accepted ${change}`)
      .option("--wait-seconds <n>", `how long to wait for Route 53 to report ${change} INSYNC (default 120)`),
  );
}

/** The adapter settings from flags, then the environment, then the config. */
export function resolveAwsSettings(
  config: Config,
  options: Omit<AwsCliOptions, "config" | "operator">,
  env: CommandIo["env"],
): AwsAdapterSettings {
  const endpointFor = (service: "DYNAMODB" | "ROUTE_53" | "EVENTBRIDGE" | "STS") =>
    options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  if (options.endpoint !== undefined && !/^https?:\/\/\S+$/.test(options.endpoint)) {
    throw new CliError(`--endpoint ${JSON.stringify(options.endpoint)} is not an http(s) URL`, 2);
  }
  const dynamodb = endpointFor("DYNAMODB");
  const route53 = endpointFor("ROUTE_53");
  const eventbridge = endpointFor("EVENTBRIDGE");
  const sts = endpointFor("STS");
  return {
    tableName: options.table ?? env.IDP_FAILOVER_TABLE ?? defaultTableName,
    eventBusName: options.eventBus ?? config.alerting.eventBus,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? config.homeRegion,
    endpoints: {
      ...(dynamodb ? { dynamodb } : {}),
      ...(route53 ? { route53 } : {}),
      ...(eventbridge ? { eventbridge } : {}),
      ...(sts ? { sts } : {}),
    },
  };
}

/**
 * The name an operator gives (`--operator`, then IDPCTL_OPERATOR), if any: an annotation beside the
 * identity, never the identity.
 */
export function displayName(
  options: Pick<AwsCliOptions, "operator">,
  env: CommandIo["env"],
): string | undefined {
  const name = options.operator ?? env.IDPCTL_OPERATOR;
  if (name === undefined || name === "") return undefined;
  if (!displayNameSchema.safeParse(name).success) {
    const from = options.operator !== undefined ? "--operator" : "IDPCTL_OPERATOR";
    throw new CliError(
      `${from} ${JSON.stringify(name)}: a display name is letters, digits, spaces and . @ + ' _ -, up to 64 characters`,
      2,
    );
  }
  return name;
}

/**
 * The operator of a local runtime (no AWS to vouch for anyone): the OS user, recorded as
 * `local:{user}` and marked unverified, with the display name beside it.
 */
export function localOperatorOf(options: Pick<AwsCliOptions, "operator">, env: CommandIo["env"]): Operator {
  const given = displayName(options, env);
  const user = safeUserName() ?? env.USER ?? given;
  if (!user) throw new CliError("cannot tell who you are for the audit trail: pass --operator <name>", 2);
  return localOperator(user, given);
}

/**
 * The operator of a command against a deployment: whoever STS says the caller's AWS credentials are
 * (exit 2 when it cannot say: no anonymous commands), with the display name beside it.
 */
export async function verifiedOperatorOf(
  settings: AwsAdapterSettings,
  options: Pick<AwsCliOptions, "operator">,
  env: CommandIo["env"],
): Promise<Operator> {
  const given = displayName(options, env);
  const sts = createCallerIdentity(settings);
  try {
    const outcome = await sts.whoAmI();
    if (outcome.kind === "unverified") {
      throw new CliError(
        `cannot tell who you are: ${outcome.message}\nOperator commands against a deployment are recorded under the identity AWS gives your credentials; check them with \`aws sts get-caller-identity\``,
        2,
      );
    }
    return verifiedOperator(outcome.identity, given);
  } finally {
    sts.destroy();
  }
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
  // What an operator command writes (audit reasons, outbox) is redacted like the runtimes' writes.
  const adapters = createAwsAdapters({ ...settings, redactor: configRedactor(config, envSecrets(io.env)) });
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

/** Runs `work` on the site `--site` names, in a session closed whatever happens. */
export function withSite<T>(
  options: AwsCliOptions & { site: string },
  io: CommandIo,
  work: (session: OperatorSession, site: Site) => Promise<T>,
): Promise<T> {
  return withSession(options, io, (session) => work(session, requireSite(session.config, options.site)));
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

/** The sites with every one of `tags` (`--tag`, once or more); none is bad input, said with the tags there are. */
export function requireTagged(config: Config, tags: readonly string[]): Site[] {
  const sites = sitesTagged(config, tags);
  if (sites.length === 0) {
    const known = [...new Set(config.sites.flatMap((s) => s.tags))].sort();
    const there = known.length > 0 ? `tags: ${known.join(", ")}` : "no site has tags";
    throw new CliError(`no site has the tag(s) ${tags.join(", ")} (${there})`, 2);
  }
  return sites;
}

/** Commander's collector for an option given more than once (`--tag a --tag b`). */
export function collectValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** What --no-wait and --wait-seconds ask of applyOperatorInput. */
export function waitChoice(options: { wait?: boolean; waitSeconds?: string }): {
  wait: boolean;
  waitSeconds: number;
} {
  return { wait: options.wait !== false, waitSeconds: parseWaitSeconds(options.waitSeconds) };
}

export function parseWaitSeconds(value: string | undefined): number {
  if (value === undefined) return 120;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new CliError(`--wait-seconds ${JSON.stringify(value)}: a whole number of seconds, 0..3600`, 2);
  }
  return seconds;
}

/**
 * An operator's input on the site `--site` names, in the operator's name (`inputFor` may refuse the
 * site by throwing a CliError): applyOperatorInput in a session closed whatever happens.
 */
export async function applyToSite(
  options: AwsCliOptions & { site: string },
  io: CommandIo,
  inputFor: (site: Site, actor: string) => OperatorInput,
  wait?: { wait: boolean; waitSeconds: number },
): Promise<{ site: Site; state: SiteState }> {
  return withSite(options, io, async (session, site) => {
    const operator = await verifiedOperatorOf(session.settings, options, io.env);
    const audited = {
      ...session,
      deps: { ...session.deps, store: storeAuditedAs(session.deps.store, operator) },
    };
    return { site, state: await applyOperatorInput(audited, site, inputFor(site, operator.actor), wait) };
  });
}

/**
 * Runs an operator's input through the orchestration's `operatorCommand` (the state machine's guards,
 * the audit with the operator's name, Route 53's answer, the optional wait for INSYNC) and says what
 * happened. A refusal or a refused weight change is exit 1; a missing event bus is exit 2.
 */
async function applyOperatorInput(
  session: OperatorSession,
  site: Site,
  input: OperatorInput,
  wait: { wait: boolean; waitSeconds: number } = { wait: false, waitSeconds: 0 },
): Promise<SiteState> {
  const { io } = session;
  let said = false;
  const sayApplied = (applied: AppliedCommand) => {
    said = true;
    if (applied.busWarning) io.err(`${applied.busWarning}; going on\n`);
    const { transition } = applied;
    io.out(
      transition
        ? `${site.id}: ${transition.from} -> ${transition.to} (${transition.reason})\n`
        : `${site.id}: ${input.kind} recorded; state ${applied.state.state}\n`,
    );
    reportDeferred(io, applied.deferred);
    const change = applied.change;
    if (change?.kind === "submitted") {
      io.out(`Route 53 change ${change.changeId} submitted (${formatWeights(change.weights)})\n`);
    }
  };
  const outcome = await operatorCommand(
    { config: session.config, evaluator: session.deps, aws: session.adapters, sleep: io.sleep },
    site,
    input,
    {
      ...wait,
      onWaiting: (applied) => {
        sayApplied(applied);
        if (applied.change?.kind === "submitted")
          io.err(
            `waiting up to ${wait.waitSeconds} s for Route 53 to report ${applied.change.changeId} INSYNC...\n`,
          );
      },
    },
  );
  if (outcome.kind === "no-bus") {
    throw new CliError(
      `${outcome.message} in ${session.settings.region}: pass the deployment's bus with --event-bus (a stage other than prod adds -<stage>)`,
      2,
    );
  }
  if (outcome.kind === "refused") {
    const where = outcome.reason.includes(outcome.state.state)
      ? ""
      : ` (site ${site.id} is ${outcome.state.state})`;
    throw new CliError(`refused: ${outcome.reason}${where}`, 1);
  }
  if (!said) sayApplied(outcome);
  const change = outcome.change;
  if (!change || change.kind === "submitted") return outcome.state;
  switch (change.kind) {
    case "rejected":
      throw new CliError(
        `Route 53 refused the weight change (${formatWeights(change.weights)}): ${change.message}`,
        1,
      );
    case "not-accepted":
      io.out(
        `Route 53 change (${formatWeights(change.weights)}) not accepted yet: ${change.message}; the evaluator retries it${change.retryAt ? ` at ${change.retryAt}` : ""}\n`,
      );
      return outcome.state;
    case "still-pending":
      io.out(
        `${change.changeId} still ${change.waited.kind === "timeout" ? change.waited.last : "PENDING"} after ${Math.round(change.waited.waitedMs / 1000)} s; the evaluator records INSYNC when it comes\n`,
      );
      return outcome.state;
    default:
      reportDeferred(io, change.deferred);
      io.out(
        `${change.changeId} INSYNC after ${Math.round(change.waitedMs / 1000)} s; ${site.id} is ${change.state.state} (${formatWeights(change.state.weights)})\n`,
      );
      return change.state;
  }
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
