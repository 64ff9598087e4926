import { formatTimeline, parseScenario, replay } from "@idp-failover/core";
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
