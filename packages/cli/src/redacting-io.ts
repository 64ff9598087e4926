import { createRedactor, parseConfig, type Redactor, secretRefsOf } from "@idp-failover/core";
import { readDocumentFile } from "@idp-failover/orchestration/config-file";
import type { CommandIo } from "./command-io.js";

/*
 * What idpctl prints loses the secrets it can read. A command learns its secrets from its command
 * line: the config file it names (every `...Ref` in it, valid or not) and any `--...-ref NAME` flag,
 * each read from the environment, which is where the commands themselves read them. The redactor
 * then stands in front of `out` and `err`: results, errors, help, whatever a command adds later.
 */

export interface RedactingIo extends CommandIo {
  /** Adds the secrets named by a command's options (`config`, `...Ref`), read from the environment. */
  learn(options: Record<string, unknown>): void;
}

export function redactingIo(io: CommandIo): RedactingIo {
  const refs = new Set<string>();
  let redactor: Redactor = createRedactor([]);
  const learn = (options: Record<string, unknown>) => {
    const before = refs.size;
    for (const [name, value] of Object.entries(options)) {
      if (typeof value !== "string") continue;
      if (name === "config") for (const ref of refsInConfigFile(value)) refs.add(ref);
      if (/Ref$/.test(name)) refs.add(value);
    }
    if (refs.size !== before) redactor = createRedactor([...refs].map((ref) => io.env[ref]));
  };
  return {
    ...io,
    out: (text) => io.out(redactor.text(text)),
    err: (text) => io.err(redactor.text(text)),
    learn,
  };
}

/**
 * The secret references of a config file: those written in it, and the defaults the schema fills in
 * (`SLACK_BOT_TOKEN`) when it parses; none when it cannot be read (the command will say why).
 */
function refsInConfigFile(file: string): string[] {
  try {
    const document = readDocumentFile(file);
    const parsed = parseConfig(document);
    return [...secretRefsOf(document), ...(parsed.ok ? secretRefsOf(parsed.config) : [])];
  } catch {
    return [];
  }
}
