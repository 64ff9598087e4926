import {
  accountLimitIssues,
  assumptions,
  type Config,
  type CostEstimate,
  estimateCost,
  freeAllowances,
  type HealthCheckBilling,
  type LimitIssue,
  prices,
  pricesCheckedOn,
  withSites,
} from "@idp-failover/core";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { loadConfig } from "../load-config.js";

/*
 * `idpctl cost --config FILE [--sites N] [--json]`: the monthly cost of the deployment the config
 * describes (or of N sites like its first one), with every line item, the account limits it comes
 * near, how it grows to 100 and 1,000 sites in each tier, and the two alternatives worth knowing (a
 * probe Lambda that sleeps between rounds; Route 53 ARC).
 */

export interface CostCommandOptions {
  config: string;
  json?: boolean;
  healthCheckBilling?: string;
  dnsQueries?: string;
  sites?: string;
  tier?: string;
}

export function registerCost(program: Command, io: CommandIo): void {
  program
    .command("cost")
    .description("Estimate the monthly AWS cost of the deployment a config describes (line items, growth)")
    .requiredOption("-c, --config <file>", "config file (YAML or JSON)")
    .option("--json", "print an object with the line items and totalUsdPerMonth")
    .option(
      "--health-check-billing <kind>",
      "how Route 53 bills checks on Lambda Function URLs: aws-endpoint (default) or non-aws-endpoint",
    )
    .option("--sites <n>", "price the config with this many sites, each like its first one")
    .option(
      "--tier <tier>",
      "with --sites: the copies' tier, data-plane or control-plane-only (default: the first site's)",
    )
    .option(
      "--dns-queries <n>",
      `queries per login hostname per month (default ${assumptions.dnsQueriesPerSitePerMonth})`,
    )
    .action(async (options: CostCommandOptions) => {
      io.out(await runCost(options));
    });
}

export interface CostReport extends CostEstimate {
  pricesCheckedOn: string;
  region: string;
  /** Sites like the first, in each tier: with a data plane, and control plane only. */
  growth: Array<{
    sites: number;
    tier: "data-plane" | "control-plane-only";
    totalUsdPerMonth: number;
    perSiteUsdPerMonth: number;
    healthChecks: number;
  }>;
  /** Account limits the deployment is near or past, each with how to raise it. */
  limits: LimitIssue[];
  /** The same deployment if Route 53 billed the verdict URLs as non-AWS endpoints. */
  totalIfNonAwsEndpointUsd: number;
  arcClusterUsdPerMonth: number;
  assumptions: typeof assumptions;
}

export async function runCost(options: CostCommandOptions): Promise<string> {
  const { config: loaded } = await loadConfig(options.config);
  const sites = parseSites(options.sites);
  const tier = parseTier(options.tier, sites);
  const config = sites === undefined ? loaded : withSites(loaded, sites, tier);
  const report = costReport(config, parseOptions(options));
  return options.json ? `${JSON.stringify(report, null, 2)}\n` : formatCost(report);
}

function parseOptions(options: CostCommandOptions): {
  healthCheckBilling: HealthCheckBilling;
  dnsQueriesPerSite?: number;
} {
  const billing = options.healthCheckBilling ?? "aws-endpoint";
  if (billing !== "aws-endpoint" && billing !== "non-aws-endpoint") {
    throw new CliError(
      `--health-check-billing ${JSON.stringify(billing)}: aws-endpoint or non-aws-endpoint`,
      2,
    );
  }
  if (options.dnsQueries === undefined) return { healthCheckBilling: billing };
  // Number("") is 0: an empty value must not quietly price no queries.
  const queries = options.dnsQueries.trim() === "" ? Number.NaN : Number(options.dnsQueries);
  if (!Number.isFinite(queries) || queries < 0) {
    throw new CliError(
      `--dns-queries ${JSON.stringify(options.dnsQueries)}: a number of queries, 0 or more`,
      2,
    );
  }
  return { healthCheckBilling: billing, dnsQueriesPerSite: queries };
}

function parseTier(value: string | undefined, sites: number | undefined): { dataPlane: boolean } | undefined {
  if (value === undefined) return undefined;
  if (sites === undefined) {
    throw new CliError("--tier sets the tier of the sites --sites makes: give --sites N too", 2);
  }
  if (value !== "data-plane" && value !== "control-plane-only") {
    throw new CliError(`--tier ${JSON.stringify(value)}: data-plane or control-plane-only`, 2);
  }
  return { dataPlane: value === "data-plane" };
}

function parseSites(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const sites = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(sites) || sites < 1 || sites > 100_000) {
    throw new CliError(`--sites ${JSON.stringify(value)}: a whole number of sites, 1 to 100000`, 2);
  }
  return sites;
}

export function costReport(
  config: Config,
  options: { healthCheckBilling?: HealthCheckBilling; dnsQueriesPerSite?: number } = {},
): CostReport {
  const estimate = estimateCost(config, options);
  const tiers = [
    { tier: "data-plane", dataPlane: true },
    { tier: "control-plane-only", dataPlane: false },
  ] as const;
  const growth = [1, 100, 1000].flatMap((sites) =>
    tiers.map(({ tier, dataPlane }) => {
      const grown = estimateCost(withSites(config, sites, { dataPlane }), options);
      return {
        sites,
        tier,
        totalUsdPerMonth: grown.totalUsdPerMonth,
        perSiteUsdPerMonth: grown.perSiteUsdPerMonth,
        healthChecks: grown.healthChecks.needed,
      };
    }),
  );
  return {
    ...estimate,
    pricesCheckedOn,
    region: "us-east-1 list prices, free allowances not deducted",
    growth,
    limits: accountLimitIssues(config),
    totalIfNonAwsEndpointUsd: estimateCost(config, { ...options, healthCheckBilling: "non-aws-endpoint" })
      .totalUsdPerMonth,
    arcClusterUsdPerMonth: Math.round(prices.arcCluster.usd * 730),
    assumptions,
  };
}

export function formatCost(report: CostReport): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const width = Math.max(...report.lineItems.map((i) => `${i.service}: ${i.item}`.length));
  const tiers = `${report.tiers.dataPlane} with a data plane, ${report.tiers.controlPlaneOnly} control plane only`;
  const lines = [
    `Monthly cost of ${report.sites} site(s) (${tiers}), ${report.providers} provider(s), ${report.regions} probe region(s), ` +
      `a round every ${report.cadenceSeconds} s (${formatQuantity(Math.round(report.probesPerRound * 10) / 10)} probes a round` +
      `${report.probeRound.shards > 1 ? ` in ${report.probeRound.shards} shards` : ""}, ${report.probeRound.roundMs} ms of a ${report.probeRound.budgetMs} ms budget)`,
    `Prices: ${report.region}, checked ${report.pricesCheckedOn} (packages/core/src/cost-prices.ts)`,
    "",
    ...report.lineItems.flatMap((i) => [
      `${`${i.service}: ${i.item}`.padEnd(width)}  ${usd(i.usdPerMonth).padStart(9)}   ${formatQuantity(i.quantity)} ${i.unit}`,
      `    ${i.basis}`,
    ]),
    `${"Total".padEnd(width)}  ${usd(report.totalUsdPerMonth).padStart(9)}`,
    `${"A site".padEnd(width)}  ${usd(report.perSiteUsdPerMonth).padStart(9)}`,
    "",
    "Free allowances per account and month, not deducted above (whatever else the account runs uses them too):",
    ...freeAllowances.map((f) => `  ${f.service}: ${f.allowance}`),
    "",
    "Account limits:",
    `  Route 53 health checks: ${report.healthChecks.needed} of the account's quota of ${report.healthChecks.quota}`,
    ...report.lambdaConcurrency.map(
      (r) =>
        `  Lambda concurrency in ${r.region}: ${r.total} reserved (${r.functions.map((f) => `${f.name} ${f.reserved}`).join(", ")}) of ${r.quota}, ${r.unreserved} unreserved (at least 100 must be)`,
    ),
    ...report.limits.map(
      (l) => `  ${l.severity}: ${l.message}
    how to raise it: ${l.hint}`,
    ),
    "",
    `If Route 53 bills the verdict URLs as non-AWS endpoints: ${usd(report.totalIfNonAwsEndpointUsd)} a month.`,
    `A probe Lambda sleeping between rounds instead of the SQS tick chain: ${usd(report.sleepingProbeUsd)} a month for the probe clock alone.`,
    `For scale: Route 53 ARC is about $${report.arcClusterUsdPerMonth} a month per cluster.`,
    "",
    "Growth (same regions and policy, sites like the first, in each tier):",
    ...report.growth.map(
      (g) =>
        `  ${String(g.sites).padStart(5)} site(s) ${g.tier.padEnd(18)}  ${usd(g.totalUsdPerMonth).padStart(10)} a month, ${usd(g.perSiteUsdPerMonth).padStart(6)} a site, ${g.healthChecks} health checks`,
    ),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

function formatQuantity(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString("en-US") : String(n);
}
