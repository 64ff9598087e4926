import { readFile } from "node:fs/promises";
import * as tls from "node:tls";
import type { Config, ConfigIssue } from "@idp-failover/core";
import { ConfigFileError, loadConfigFile, readDocumentFile } from "@idp-failover/orchestration/config-file";
import { CliError } from "./cli-error.js";

export { formatIssues } from "@idp-failover/orchestration/config-file";

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

/** Reads a YAML or JSON document; a syntax error names the file and the line (exit 2). */
export async function readDocument(file: string): Promise<unknown> {
  return asCliError(() => readDocumentFile(file));
}

/** Loads and validates a config file; every problem listed with its path and hint (exit 2). */
export async function loadConfig(file: string): Promise<{ config: Config; warnings: ConfigIssue[] }> {
  const { config, warnings } = asCliError(() => loadConfigFile(file));
  return { config, warnings };
}

function asCliError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigFileError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}
