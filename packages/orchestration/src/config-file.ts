import { readFileSync } from "node:fs";
import { type Config, type ConfigIssue, lambdaConcurrencyIssue, parseConfig } from "@idp-failover/core";
import { parse as parseYaml } from "yaml";

/*
 * Reading the documents people write (the deployment config, replay scenarios, drill policies):
 * YAML, or JSON by the `.json` ending. One reader for `idpctl` and the SST stacks, so a file that
 * `idpctl validate` accepts is the file a deploy accepts. Every failure names the file and says
 * what to do; a config's problems come with their paths and hints.
 */

export class ConfigFileError extends Error {
  override name = "ConfigFileError";
  constructor(
    message: string,
    readonly file: string,
    /** The config's problems, when it parsed as YAML or JSON but is not a valid config. */
    readonly issues: readonly ConfigIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reads a YAML or JSON document; an unreadable file or a syntax error names the file (and the line). */
export function readDocumentFile(file: string, what = file): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigFileError(`cannot read ${what}: ${code}`, file, [], { cause: error });
  }
  const json = file.endsWith(".json");
  try {
    return json ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigFileError(`${file} is not valid ${json ? "JSON" : "YAML"}: ${message}`, file, [], {
      cause: error,
    });
  }
}

export interface ConfigFile {
  file: string;
  /** The document as written (YAML parsed): the stacks link it into the functions. */
  document: unknown;
  config: Config;
  warnings: ConfigIssue[];
}

/** Reads and validates a config file; throws ConfigFileError listing every problem. */
export function loadConfigFile(file: string): ConfigFile {
  const document = readDocumentFile(file);
  const parsed = parseConfig(document);
  // The Lambda concurrency the deployment reserves is sized from the parsed config (deployment-sizing),
  // so it is checked here rather than in parseConfig: a deploy past the quota would be refused midway.
  const lambda = parsed.ok ? lambdaConcurrencyIssue(parsed.config) : undefined;
  const issues = parsed.ok ? (lambda?.severity === "error" ? [lambda] : []) : parsed.issues;
  if (!parsed.ok || issues.length > 0) {
    throw new ConfigFileError(`${file}: ${issues.length} problem(s)\n${formatIssues(issues)}`, file, issues);
  }
  const warnings = lambda ? [...parsed.warnings, lambda] : parsed.warnings;
  return { file, document, config: parsed.config, warnings };
}

/** Sites named in full under a repeated problem before the rest are counted. */
const sitesNamed = 3;

/**
 * Problems one a line, each with its hint beneath. A problem repeated at the same place in many sites
 * (a thousand customers copied from one template) is said once, with the other sites it occurs in,
 * so the one that is different is not lost in the list.
 */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  const groups = new Map<string, { first: ConfigIssue; others: string[] }>();
  for (const issue of issues) {
    const inSite = /^sites\.(\d+)\.(.+)$/.exec(issue.path);
    const key = inSite ? `sites.*.${inSite[2]}\u0000${issue.hint ?? ""}` : `\u0001${groups.size}`;
    const group = groups.get(key);
    if (group) group.others.push(issue.path);
    else groups.set(key, { first: issue, others: [] });
  }
  return [...groups.values()]
    .map(({ first, others }) => {
      const line = `  ${first.path}: ${first.message}${first.hint ? `\n    hint: ${first.hint}` : ""}`;
      if (others.length === 0) return line;
      const named = others.slice(0, sitesNamed).join(", ");
      const more = others.length > sitesNamed ? ` and ${others.length - sitesNamed} more` : "";
      return `${line}\n    the same at ${others.length} more site(s): ${named}${more}`;
    })
    .join("\n");
}
