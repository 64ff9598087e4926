import { readFile } from "node:fs/promises";
import * as tls from "node:tls";
import { type Config, type ConfigIssue, parseConfig } from "@idp-failover/core";
import { parse as parseYaml } from "yaml";
import { CliError } from "./cli-error.js";

/** Reads a text file named on the command line; a missing or unreadable one is bad input (exit 2). */
export async function readTextFile(file: string, what = file): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2, {
      cause: error,
    });
  }
}

/**
 * The --ca file: PEM certificates, or bad input (a file without one would silently trust nothing).
 * Before Node 22.15 (no `tls.getCACertificates`) a CA passed to TLS replaces the store that
 * NODE_EXTRA_CA_CERTS extends, so that file's certificates are passed along too: --ca adds trust,
 * it never takes any away. An unreadable NODE_EXTRA_CA_CERTS is skipped, as Node itself does.
 */
export async function readCaFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const pem = await readTextFile(file, `--ca ${file}`);
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new CliError(`--ca ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (!extra || "getCACertificates" in tls) return pem;
  const extraPem = await readFile(extra, "utf8").catch(() => "");
  return extraPem ? `${pem}\n${extraPem}` : pem;
}

/** Reads a YAML or JSON document; a syntax error names the file and the line. */
export async function readDocument(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return file.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new CliError(
      `${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`,
      2,
      {
        cause: error,
      },
    );
  }
}

export class ConfigInvalidError extends CliError {
  override name = "ConfigInvalidError";
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${file}: ${issues.length} problem(s)\n${formatIssues(issues)}`, 2);
  }
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? `\n    hint: ${i.hint}` : ""}`).join("\n");
}

/** Loads and validates a config file; throws ConfigInvalidError listing every problem. */
export async function loadConfig(file: string): Promise<{ config: Config; warnings: ConfigIssue[] }> {
  const parsed = parseConfig(await readDocument(file));
  if (!parsed.ok) throw new ConfigInvalidError(file, parsed.issues);
  return { config: parsed.config, warnings: parsed.warnings };
}
