import { dataPlaneSettings, healthChecksNeeded } from "@idp-failover/core";
import type { Command } from "commander";
import { stringify } from "yaml";
import type { CommandIo } from "../command-io.js";
import { formatIssues, loadConfig } from "../load-config.js";

export function registerValidate(program: Command, io: CommandIo): void {
  program
    .command("validate")
    .description("Check a config file; print every problem with a hint (exit 2), or the effective config")
    .requiredOption("-c, --config <file>", "config file (YAML or JSON)")
    .option("--json", "print the effective config as JSON instead of YAML")
    .action(async (options: { config: string; json?: boolean }) => {
      const { config, warnings } = await loadConfig(options.config);
      if (warnings.length > 0) io.err(`warnings:\n${formatIssues(warnings)}\n`);
      // Always said, not only near the quota: the account's other health checks count too.
      const checks = healthChecksNeeded(config);
      io.err(
        `Route 53 health checks: ${checks.total} (${checks.https} HTTPS, ${checks.calculated} calculated) of the account's quota of ${dataPlaneSettings(config).healthCheckQuota}\n`,
      );
      io.out(options.json ? `${JSON.stringify(config, null, 2)}\n` : stringify(config));
    });
}
