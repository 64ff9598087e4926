import { dataPlaneSettings, healthChecksNeeded, reservedConcurrency, siteTiers } from "@idp-failover/core";
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
      const tiers = siteTiers(config);
      io.err(
        `Route 53 health checks: ${checks.total} (${checks.https} HTTPS, ${checks.calculated} calculated) of the account's quota of ${dataPlaneSettings(config).healthCheckQuota}` +
          ` (sites: ${tiers.dataPlane} with a data plane, ${tiers.controlPlaneOnly} control plane only)\n`,
      );
      // The region that reserves the most, and so comes nearest the account's Lambda quota.
      const [busiest] = [...reservedConcurrency(config)].sort((a, b) => b.total - a.total);
      if (busiest) {
        io.err(
          `Lambda concurrency reserved: ${busiest.total} in ${busiest.region} (${busiest.functions.map((f) => `${f.name} ${f.reserved}`).join(", ")}) of the account's quota of ${busiest.quota}; Lambda keeps 100 unreserved\n`,
        );
      }
      io.out(options.json ? `${JSON.stringify(config, null, 2)}\n` : stringify(config));
    });
}
