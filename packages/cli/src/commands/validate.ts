import {
  type Config,
  dataPlaneSettings,
  healthChecksNeeded,
  type NotificationTarget,
  notificationTargets,
  type ProbeFanout,
  probeFanout,
  reservedConcurrency,
  type Site,
  sameSettings,
  siteTiers,
} from "@idp-failover/core";
import type { Command } from "commander";
import { stringify } from "yaml";
import { requireSite } from "../aws-deps.js";
import type { CommandIo } from "../command-io.js";
import { formatIssues, loadConfig } from "../load-config.js";

export function registerValidate(program: Command, io: CommandIo): void {
  program
    .command("validate")
    .description("Check a config file; print every problem with a hint (exit 2), or the effective config")
    .requiredOption("-c, --config <file>", "config file (YAML or JSON)")
    .option(
      "-s, --site <id>",
      "print this site's effective config: its policy and alerting merged over the deployment's",
    )
    .option("--json", "print the effective config as JSON instead of YAML")
    .action(async (options: { config: string; site?: string; json?: boolean }) => {
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
      io.err(`${probeRoundLine(config.policy.cadenceSeconds, probeFanout(config))}\n`);
      if (config.sites.length > 1) io.err(`${sitesSummary(config)}\n`);
      io.err(`${channelsLine(config)}\n`);
      const printed = options.site ? requireSite(config, options.site) : effectiveConfig(config);
      io.out(options.json ? `${JSON.stringify(printed, null, 2)}\n` : stringify(printed));
    });
}

/**
 * The effective config: defaults applied; a site shows its policy and alerting only where they differ
 * from the deployment's (`--site` shows them whole). Printed, it parses to the same config again.
 */
function effectiveConfig(config: Config): unknown {
  const { eventBus: _bus, ...deploymentAlerting } = config.alerting;
  const ownSettings = ({ policy, alerting, ...site }: Site) => ({
    ...site,
    ...(sameSettings(policy, config.policy) ? {} : { policy }),
    ...(sameSettings(alerting, deploymentAlerting) ? {} : { alerting }),
  });
  return { ...config, sites: config.sites.map(ownSettings) };
}

/** How many sites, how many with settings of their own, and the tags: the shape of a deployment of many. */
function sitesSummary(config: Config): string {
  const { eventBus: _bus, ...deploymentAlerting } = config.alerting;
  const ownPolicy = config.sites.filter((s) => !sameSettings(s.policy, config.policy)).length;
  const ownAlerting = config.sites.filter((s) => !sameSettings(s.alerting, deploymentAlerting)).length;
  const tags = new Map<string, number>();
  for (const tag of config.sites.flatMap((s) => s.tags)) tags.set(tag, (tags.get(tag) ?? 0) + 1);
  const tagText = [...tags]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tag, n]) => `${tag} ${n}`)
    .join(", ");
  return `sites: ${config.sites.length} (${ownPolicy} with a policy of their own, ${ownAlerting} with their own alerting); tags: ${tagText || "none"}`;
}

/** Where notifications go: the deployment's channels with the secret each needs, then the sites' own. */
function channelsLine(config: Config): string {
  const targets = notificationTargets(config);
  const describe = (t: NotificationTarget): string => {
    switch (t.kind) {
      case "slack":
        return `${t.channel} ${t.slack.channel} (bot ${t.slack.botTokenRef})`;
      case "webhook":
        return `${t.channel} (secret ${t.webhook.secretRef})`;
      case "pagerduty":
        return `${t.channel} (routing key ${t.pagerduty.routingKeyRef})`;
      case "teams":
        return `${t.channel} (workflow URL ${t.teams.webhookUrlRef})`;
    }
  };
  const deployment = targets.filter((t) => !t.channel.includes("@")).map(describe);
  const own = targets.filter((t) => t.channel.includes("@"));
  const shown = own.slice(0, 5).map(describe);
  const more = own.length > shown.length ? `, and ${own.length - shown.length} more` : "";
  return (
    `Notification channels: ${deployment.join(", ") || "none (add alerting.slack, .pagerduty, .teams or .webhooks)"}` +
    (own.length > 0 ? `; the sites' own (${own.length}): ${shown.join(", ")}${more}` : "")
  );
}

/** How a region's probe round is run: by the probe function itself, or by shard workers it invokes. */
function probeRoundLine(cadenceSeconds: number, fanout: ProbeFanout): string {
  const probes = fanout.probesPerRound.toLocaleString("en");
  const within = `about ${(fanout.roundMs / 1000).toFixed(1)} s of the ${(fanout.budgetMs / 1000).toFixed(1)} s budget`;
  return fanout.shards === 1
    ? `Probe rounds: ${probes} probes a region every ${cadenceSeconds} s, in the probe function (${fanout.proberMemoryMb} MB; ${within})`
    : `Probe rounds: ${probes} probes a region every ${cadenceSeconds} s, in ${fanout.shards} shard workers of up to ${fanout.largestShardProbes} probes (${fanout.proberMemoryMb} MB; ${within})`;
}
