import { isoTime } from "@idp-failover/core";
import type { Command } from "commander";
import { type AwsCliOptions, siteCommand, withAwsOptions, withSite } from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { formatAudit } from "./status.js";

export interface HistoryOptions extends AwsCliOptions {
  site: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
}

export function registerHistory(program: Command, io: CommandIo): void {
  withAwsOptions(
    siteCommand(
      program,
      "history",
      "Show a site's audit trail (transitions, operator commands, refusals) and incidents",
    )
      .option("--since <when>", "start: a duration back from now (30m, 12h, 7d) or an ISO time (default 7d)")
      .option("--until <when>", "end: an ISO time (default now)")
      .option("--limit <n>", "most records to show, newest first (default 50)")
      .option("--json", "print { audit, incidents } as JSON"),
  ).action((options: HistoryOptions) => runHistory(options, io));
}

export async function runHistory(options: HistoryOptions, io: CommandIo): Promise<void> {
  const now = io.now();
  const from = parseWhen(options.since ?? "7d", now, "--since");
  const to = options.until === undefined ? now + 1 : parseWhen(options.until, now, "--until");
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new CliError(`--limit ${JSON.stringify(options.limit)}: a whole number 1..10000`, 2);
  }
  if (to <= from) throw new CliError("--until must be after --since", 2);
  await withSite(options, io, async (session, site) => {
    const [audit, incidents] = await Promise.all([
      session.adapters.store.listAudit(site.id, from, to, limit),
      session.adapters.store.listIncidents(site.id, from, to),
    ]);
    if (options.json) {
      io.out(
        `${JSON.stringify({ site: site.id, from: isoTime(from), to: isoTime(to), audit, incidents }, null, 2)}\n`,
      );
      return;
    }
    const lines = [
      `${site.id}: ${audit.length} record(s) from ${isoTime(from)} to ${isoTime(to)}, newest first`,
    ];
    for (const a of audit) lines.push(`  ${formatAudit(a)}`);
    if (incidents.length > 0) lines.push("incidents");
    for (const i of incidents) {
      lines.push(
        `  ${i.id}  ${i.provider}  ${i.start} .. ${i.endAt ?? "open"}` +
          `${i.failoverTo ? `  failed over to ${i.failoverTo}` : ""}` +
          `${i.dnsChangeId ? ` (change ${i.dnsChangeId}${i.insyncAt ? `, INSYNC ${i.insyncAt}` : ""})` : ""}` +
          `${i.approvedBy ? `  failback approved by ${i.approvedBy}` : ""}`,
      );
    }
    io.out(`${lines.join("\n")}\n`);
  });
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration back from now (`90s`, `30m`, `12h`, `7d`, `2w`) or an ISO-8601 time. */
export function parseWhen(text: string, now: number, flag: string): number {
  const duration = /^(\d+)([smhdw])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * (units[duration[2] ?? "d"] ?? 0);
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new CliError(
      `${flag} ${JSON.stringify(text)}: use a duration like 7d or 12h, or an ISO time like 2026-03-01T00:00:00Z`,
      2,
    );
  }
  return at;
}
