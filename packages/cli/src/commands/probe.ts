import {
  type Config,
  findSite,
  type ProbeResult,
  type ProbeSpec,
  policySchema,
  probeKinds,
  probeSpecSchema,
} from "@idp-failover/core";
import { discoveryUrlOf, envSecrets, runProbe, runRegionRound } from "@idp-failover/probes";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../cli-error.js";
import { columnLines } from "../columns.js";
import type { CommandIo } from "../command-io.js";
import { loadConfig, readCaFile } from "../load-config.js";

/*
 * `idpctl probe`: runs the probes once from this machine, either the config's whole plan (or one
 * site / provider of it) or a single ad-hoc probe, and prints a table or JSON lines. Exit 0 when all
 * pass, 1 when any fails, 2 on bad input. Secrets come from the environment; NODE_EXTRA_CA_CERTS (or
 * --ca) makes a private CA trusted.
 */

interface ProbeOptions {
  config?: string;
  site?: string;
  provider?: string;
  kind?: string;
  url?: string;
  issuer?: string;
  timeoutMs?: number;
  clientId?: string;
  secretRef?: string;
  scope?: string;
  audience?: string;
  tenant?: string;
  loginUrl?: string;
  hostname?: string;
  path?: string;
  expectIssuer?: string;
  redirectUri?: string;
  expect?: string;
  region: string;
  ca?: string;
  json?: boolean;
}

export function registerProbe(program: Command, io: CommandIo): void {
  program
    .command("probe")
    .description(
      "Run the probes once from this machine: a config's plan, or one ad-hoc probe (--kind, --url)",
    )
    .option("-c, --config <file>", "config file (YAML or JSON): run its probes")
    .option("--site <id>", "only this site")
    .option("--provider <id>", "only this provider")
    .option("--kind <kind>", `one ad-hoc probe: ${probeKinds.join(" | ")}`)
    .option(
      "--url <url>",
      "what the ad-hoc probe checks (token: the token endpoint; okta-api: the org; graph-health: the Graph host)",
    )
    .option("--issuer <url>", "the issuer discovery and tokens must name")
    .option("--timeout-ms <n>", "hard timeout of each attempt, overriding the config", parseTimeout)
    .option("--client-id <id>", "token / graph-health: the client id")
    .option(
      "--secret-ref <NAME>",
      "token / graph-health: env variable with the client secret; okta-api: with the API token",
    )
    .option("--scope <scope>", "token: the scope to request")
    .option("--audience <aud>", "token: the audience the token must carry")
    .option("--tenant <id>", "graph-health: the Entra tenant id")
    .option("--login-url <url>", "graph-health: the Microsoft identity platform host (national clouds)")
    .option("--hostname <name>", "front-door: the login hostname (TLS SNI, HTTP Host, certificate name)")
    .option("--path <path>", "front-door: what to fetch (default /.well-known/openid-configuration)")
    .option("--expect-issuer <url>", "front-door: the issuer the apps trust, which the document must name")
    .option("--redirect-uri <url>", "interactive-sign-in: a redirect URI registered for --client-id")
    .option(
      "--expect <regex>",
      "interactive-sign-in: what the sign-in page must contain (default by --issuer's kind)",
    )
    .option("--region <label>", "region label on the results", "local")
    .option("--ca <file>", "PEM file of extra CA certificates to trust (as well as NODE_EXTRA_CA_CERTS)")
    .option("--json", "one JSON object per result and line")
    .action(async (options: ProbeOptions) => {
      const results = await runRequested(options, io.env);
      io.out(options.json ? formatJsonLines(results) : formatTable(results));
      const failed = results.filter((r) => !r.ok).length;
      if (failed > 0) throw new CliError(`${failed} of ${results.length} probe(s) failed`, 1);
    });
}

/** Options that describe an ad-hoc probe, and the flag each comes from. */
const adHocFlags = {
  url: "--url",
  issuer: "--issuer",
  clientId: "--client-id",
  secretRef: "--secret-ref",
  scope: "--scope",
  audience: "--audience",
  tenant: "--tenant",
  loginUrl: "--login-url",
  hostname: "--hostname",
  path: "--path",
  expectIssuer: "--expect-issuer",
  redirectUri: "--redirect-uri",
  expect: "--expect",
} as const satisfies Partial<Record<keyof ProbeOptions, string>>;

async function runRequested(options: ProbeOptions, env: CommandIo["env"]): Promise<ProbeResult[]> {
  if (options.config && options.kind) throw new CliError("use either --config or --kind, not both");
  if (!options.config && !options.kind)
    throw new CliError("say what to probe: --config FILE, or --kind K --url URL");
  const misplaced = options.kind
    ? (["site", "provider"] as const).filter((o) => options[o] !== undefined).map((o) => `--${o}`)
    : Object.entries(adHocFlags)
        .filter(([option]) => options[option as keyof typeof adHocFlags] !== undefined)
        .map(([, flag]) => flag);
  if (misplaced.length > 0) {
    throw new CliError(
      options.kind
        ? `${misplaced.join(", ")}: only with --config (they choose from its plan)`
        : `${misplaced.join(", ")}: only with --kind (they describe an ad-hoc probe)`,
    );
  }
  const ca = options.ca ? await readCaFile(options.ca, env) : undefined;
  const secrets = envSecrets(env);
  if (options.kind) {
    const spec = adHocSpec(options);
    const result = await runProbe(spec, {
      secrets,
      // A diagnosis of the IdP as it is now: one attempt, no confirm retries hiding a flaky answer.
      policy: { ...policySchema.parse({}), confirm: { retries: 0, delayMs: 0 } },
      region: options.region,
      now: Date.now,
      ...(ca ? { ca } : {}),
      // Without --issuer, discovery expects the issuer its URL names.
      ...(options.issuer ? { provider: { kind: "oidc", issuer: options.issuer } } : {}),
    });
    return [result];
  }
  const { config } = await loadConfig(options.config ?? "");
  const selection = selectTargets(config, options);
  const round = await runRegionRound(withTimeout(config, options.timeoutMs), {
    region: options.region,
    secrets,
    now: Date.now,
    // A probe by hand looks at every site it names, whatever the site's cadence.
    cadence: "all",
    ...(ca ? { ca } : {}),
    ...selection,
  });
  return [...round.results];
}

/** Builds and validates the ad-hoc probe's spec with the config's own schema. */
export function adHocSpec(options: ProbeOptions): ProbeSpec {
  const kind = options.kind ?? "";
  if (!(probeKinds as readonly string[]).includes(kind)) {
    throw new CliError(`unknown probe kind ${JSON.stringify(kind)}; one of ${probeKinds.join(", ")}`);
  }
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const url = options.url;
  const needUrl = kind !== "graph-health" && kind !== "oidc-discovery" && kind !== "interactive-sign-in";
  if (needUrl && !url) throw new CliError(`--kind ${kind} needs --url`);
  if (kind === "oidc-discovery" && !url && !options.issuer)
    throw new CliError("--kind oidc-discovery needs --url or --issuer");
  if (kind === "token" && !options.issuer)
    throw new CliError("--kind token needs --issuer (its keys verify the token)");
  const raw: Record<string, unknown> = { kind, ...timeout };
  switch (kind) {
    case "http":
    case "saml-metadata":
    case "jwks":
      raw.url = url;
      break;
    case "oidc-discovery":
      raw.url = url ? discoveryUrl(url) : discoveryUrl(options.issuer ?? "");
      break;
    case "token":
      Object.assign(raw, {
        tokenUrl: url,
        clientId: options.clientId,
        clientSecretRef: options.secretRef,
        scope: options.scope,
        ...(options.audience ? { audience: options.audience } : {}),
      });
      break;
    case "okta-api":
      Object.assign(raw, { orgUrl: url, auth: { mode: "token", tokenRef: options.secretRef } });
      break;
    case "front-door": {
      // The path is the issuer's discovery document unless said otherwise, as in a config.
      const issuerPath =
        options.expectIssuer && URL.canParse(options.expectIssuer)
          ? new URL(options.expectIssuer).pathname.replace(/\/$/, "")
          : "";
      Object.assign(raw, {
        url,
        hostname: options.hostname,
        path: options.path ?? `${issuerPath}/.well-known/openid-configuration`,
        ...(options.expectIssuer ? { expectIssuer: options.expectIssuer } : {}),
      });
      if (!options.hostname) throw new CliError("--kind front-door needs --hostname (the login hostname)");
      break;
    }
    case "interactive-sign-in":
      if (!url && !options.issuer)
        throw new CliError("--kind interactive-sign-in needs --url (the authorize endpoint) or --issuer");
      Object.assign(raw, {
        ...(url ? { authorizeUrl: url } : {}),
        clientId: options.clientId,
        redirectUri: options.redirectUri,
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.expect ? { expect: options.expect } : {}),
      });
      break;
    case "graph-health":
      Object.assign(raw, {
        tenantId: options.tenant,
        clientId: options.clientId,
        clientSecretRef: options.secretRef,
        ...(url ? { graphUrl: url } : {}),
        ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}),
      });
      break;
  }
  const parsed = probeSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.join(".");
      const flag = specFieldFlags[field];
      const given = issue.path.reduce<unknown>(
        (value, key) =>
          value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined,
        raw,
      );
      if (flag && given === undefined) return `  ${flag} is required`;
      return `  ${flag ?? (field || kind)}: ${issue.message}`;
    });
    throw new CliError(`the ${kind} probe cannot run:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** The flag that sets each spec field an ad-hoc probe takes from the command line. */
const specFieldFlags: Record<string, string> = {
  url: "--url",
  tokenUrl: "--url",
  orgUrl: "--url",
  graphUrl: "--url",
  clientId: "--client-id",
  clientSecretRef: "--secret-ref",
  "auth.tokenRef": "--secret-ref",
  scope: "--scope",
  audience: "--audience",
  tenantId: "--tenant",
  loginUrl: "--login-url",
  hostname: "--hostname",
  path: "--path",
  expectIssuer: "--expect-issuer",
  authorizeUrl: "--url",
  redirectUri: "--redirect-uri",
  expect: "--expect",
  timeoutMs: "--timeout-ms",
};

function selectTargets(config: Config, options: ProbeOptions): { sites?: string[]; providers?: string[] } {
  const sites = options.site ? [options.site] : undefined;
  if (options.site && !findSite(config, options.site)) {
    throw new CliError(
      `no site ${JSON.stringify(options.site)} in the config (sites: ${config.sites.map((s) => s.id).join(", ")})`,
    );
  }
  const inScope = config.sites.filter((s) => !sites || sites.includes(s.id));
  if (options.provider && !inScope.some((s) => s.providers.some((p) => p.id === options.provider))) {
    const known = [...new Set(inScope.flatMap((s) => s.providers.map((p) => p.id)))];
    throw new CliError(
      `no provider ${JSON.stringify(options.provider)} there (providers: ${known.join(", ")})`,
    );
  }
  return { ...(sites ? { sites } : {}), ...(options.provider ? { providers: [options.provider] } : {}) };
}

function withTimeout(config: Config, timeoutMs: number | undefined): Config {
  if (timeoutMs === undefined) return config;
  return {
    ...config,
    policy: { ...config.policy, probeTimeoutMs: timeoutMs },
    sites: config.sites.map((site) => ({
      ...site,
      providers: site.providers.map((p) => ({
        ...p,
        probes: p.probes.map((probe) => ({ ...probe, timeoutMs })),
      })),
    })),
  };
}

function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 60_000) {
    throw new InvalidArgumentError("a whole number of milliseconds between 1 and 60000");
  }
  return n;
}

/** A discovery URL as given, or an issuer's. */
function discoveryUrl(url: string): string {
  return url.includes("/.well-known/") ? url : discoveryUrlOf(url);
}

export function formatJsonLines(results: readonly ProbeResult[]): string {
  return results.map((r) => `${JSON.stringify(r)}\n`).join("");
}

export function formatTable(results: readonly ProbeResult[]): string {
  const header = ["SITE", "PROVIDER", "PROBE", "RESULT", "LATENCY", "STATUS", "TRIES", "DETAIL"];
  const rows = results.map((r) => [
    r.site,
    r.provider,
    r.probe,
    r.ok ? "ok" : "FAIL",
    `${r.latencyMs} ms`,
    r.status === undefined ? "-" : String(r.status),
    String(r.attempts ?? 1),
    r.error ? `${r.error.class}: ${r.error.message}` : "",
  ]);
  const failed = results.filter((r) => !r.ok).length;
  const first = results[0];
  const summary = `${results.length} probe(s), ${failed} failed${first ? ` (region ${first.region}, round ${first.at})` : ""}`;
  return `${columnLines(header, rows).join("\n")}\n${summary}\n`;
}
