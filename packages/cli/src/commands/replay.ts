import { formatTimeline, parseScenario, replay } from "@idp-failover/core";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { formatIssues, readDocument } from "../load-config.js";

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("Replay a scenario in virtual time through the real verdict engine and state machine")
    .requiredOption("-s, --scenario <file>", "scenario file (JSON or YAML), see docs/replay.md")
    .option("--json", "print the result object (transitions, dnsChanges, incidents, summary) as JSON")
    .action(async (options: { scenario: string; json?: boolean }) => {
      const parsed = parseScenario(await readDocument(options.scenario));
      if (!parsed.ok) {
        throw new CliError(
          `${options.scenario}: ${parsed.issues.length} problem(s)\n${formatIssues(parsed.issues)}`,
          2,
        );
      }
      const { scenario } = parsed;
      if (scenario.ignoredKeys.length > 0) {
        process.stderr.write(`note: ignoring unknown top-level key(s): ${scenario.ignoredKeys.join(", ")}\n`);
      }
      const run = await replay(scenario, { timeline: !options.json });
      process.stdout.write(options.json ? `${JSON.stringify(run.result, null, 2)}\n` : formatTimeline(run));
    });
}
