import { statSync } from "node:fs";
import {
  formatTimeline,
  parseScenario,
  type ReplayProgress,
  replay,
  replayLimits,
  spanDays,
} from "@idp-failover/core";
import { renderReport, reportFromReplay } from "@idp-failover/report";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { formatIssues, readDocument } from "../load-config.js";
import { parseFormat, writeAtomically } from "./report.js";

export function registerReplay(program: Command, io: CommandIo): void {
  program
    .command("replay")
    .description("Replay a scenario in virtual time through the real verdict engine and state machine")
    .requiredOption("-s, --scenario <file>", "scenario file (JSON or YAML), see docs/replay.md")
    .option("--json", "print the result object (transitions, dnsChanges, incidents, summary) as JSON")
    .option(
      "--report <format>",
      "what this period would have looked like: an SLA report (html, md, csv, json) instead of the timeline",
    )
    .option("-o, --out <file>", "with --report: write the report here, and print the usual output")
    .action(async (options: { scenario: string; json?: boolean; report?: string; out?: string }) => {
      if (options.out !== undefined && options.report === undefined) {
        throw new CliError("--out goes with --report", 2);
      }
      if (options.json && options.report !== undefined && options.out === undefined) {
        // Both would go to standard output: the report replaces the usual output unless it has a file.
        throw new CliError("--json with --report needs --out FILE for the report", 2);
      }
      const format = options.report === undefined ? undefined : parseFormat(options.report, "--report");
      refuseHugeFile(options.scenario);
      const parsed = parseScenario(await readDocument(options.scenario));
      if (!parsed.ok) {
        throw new CliError(
          `${options.scenario}: ${parsed.issues.length} problem(s)\n${formatIssues(parsed.issues)}`,
          2,
        );
      }
      const { scenario } = parsed;
      if (scenario.ignoredKeys.length > 0) {
        io.err(`note: ignoring unknown top-level key(s): ${scenario.ignoredKeys.join(", ")}\n`);
      }
      const printed = format === undefined || options.out !== undefined;
      const run = await replay(scenario, {
        timeline: printed && !options.json,
        ...(format ? { rollups: true } : {}),
        ...(spanDays(scenario) > replayLimits.progressAfterDays ? { onProgress: progressWriter(io) } : {}),
      });
      if (format) {
        const report = renderReport(reportFromReplay(run), format);
        if (options.out === undefined) {
          io.out(report);
          return;
        }
        await writeAtomically(options.out, report);
      }
      io.out(options.json ? `${JSON.stringify(run.result, null, 2)}\n` : formatTimeline(run));
    });
}

/** Refused before reading: a scenario file is data a person wrote, not megabytes of it. */
function refuseHugeFile(file: string): void {
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    return; // reading it says why, with the file's name
  }
  if (bytes > replayLimits.maxFileBytes) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    throw new CliError(
      `${file}: ${mib(bytes)}: a scenario file is at most ${mib(replayLimits.maxFileBytes)} (split the period into several scenarios)`,
      2,
    );
  }
}

/**
 * A long replay's progress, on standard error (standard output is the timeline, JSON or report):
 * a line at each tenth of the period and at the end.
 */
function progressWriter(io: CommandIo): (progress: ReplayProgress) => void {
  let tenth = 0;
  return ({ day, days, percent }) => {
    if (Math.floor(percent / 10) <= tenth && day < days) return;
    tenth = Math.floor(percent / 10);
    io.err(`replay: day ${day} of ${days} (${percent}%)\n`);
  };
}
