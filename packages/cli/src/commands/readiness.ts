import { type ReadinessResult, readinessHeadline, type Site } from "@idp-failover/core";
import { envSecrets } from "@idp-failover/probes";
import { runReadiness, siteReaders } from "@idp-failover/readiness";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";
import { loadConfig, readCaFile } from "../load-config.js";

/*
 * `idpctl readiness --config FILE [--site S] [--json]`: reads each site's Okta primary and Entra
 * secondary in full and says how many of the primary's active users could sign in through the
 * secondary to their apps (docs/readiness.md). Exit 0 when every site is complete and at or above its
 * minimum, 1 when one is below it or could not be read whole, 2 on bad input. Secrets come from the
 * environment (the names in `continuity`); nothing secret is printed.
 */

interface ReadinessOptions {
  config: string;
  site?: string;
  json?: boolean;
  ca?: string;
}

export function registerReadiness(program: Command, io: CommandIo): void {
  program
    .command("readiness")
    .description(
      "Compare each site's Okta primary with its Entra secondary: who could sign in through the secondary, and what drifted",
    )
    .requiredOption("-c, --config <file>", "config file (YAML or JSON) with sites[].continuity")
    .option("-s, --site <id>", "only this site")
    .option("--ca <file>", "PEM file of extra CA certificates to trust (as well as NODE_EXTRA_CA_CERTS)")
    .option("--json", 'print {"sites": [...]}, one result per site (docs/readiness.md)')
    .action(async (options: ReadinessOptions) => {
      const results = await runReadinessCommand(options, io.env);
      io.out(
        options.json
          ? `${JSON.stringify({ sites: results }, null, 2)}\n`
          : results.map(formatReadiness).join("\n"),
      );
      const short = results.filter(
        (r) => r.status !== "complete" || r.readinessPct === null || r.readinessPct < r.minReadinessPct,
      );
      if (short.length > 0) {
        throw new CliError(`${short.map((r) => r.site).join(", ")}: below the minimum or not read whole`, 1);
      }
    });
}

export async function runReadinessCommand(
  options: ReadinessOptions,
  env: CommandIo["env"],
): Promise<ReadinessResult[]> {
  const { config } = await loadConfig(options.config);
  const sites = selectSites(config.sites, options.site);
  const ca = options.ca ? await readCaFile(options.ca, env) : undefined;
  const clock = { now: () => Date.now() };
  const results: ReadinessResult[] = [];
  for (const site of sites) {
    const continuity = site.continuity;
    if (!continuity) continue;
    const readers = siteReaders(continuity, { secrets: envSecrets(env), clock, ...(ca ? { ca } : {}) });
    if (!readers.ok) {
      throw new CliError(
        `site ${site.id}: set ${readers.missingSecrets.join(" and ")} in the environment (the secrets continuity names)`,
        2,
      );
    }
    try {
      const { result } = await runReadiness(site, {
        primary: readers.primary,
        secondary: readers.secondary,
        clock,
      });
      results.push(result);
    } finally {
      readers.close();
    }
  }
  return results;
}

function selectSites(sites: readonly Site[], wanted: string | undefined): Site[] {
  if (wanted) {
    const site = sites.find((s) => s.id === wanted);
    if (!site)
      throw new CliError(
        `no site ${JSON.stringify(wanted)} in the config (sites: ${sites.map((s) => s.id).join(", ")})`,
        2,
      );
    if (!site.continuity)
      throw new CliError(`site ${wanted} has no continuity settings (see docs/readiness.md)`, 2);
    return [site];
  }
  const withContinuity = sites.filter((s) => s.continuity);
  if (withContinuity.length === 0) {
    throw new CliError("no site has continuity settings: add sites[].continuity (see docs/readiness.md)", 2);
  }
  return withContinuity;
}

/** A site's result for people: the headline, then every drift, the worst first. */
export function formatReadiness(result: ReadinessResult): string {
  const lines = [`${result.site}  ${readinessHeadline(result)}`];
  lines.push(
    `  read     ${result.mode}, ${result.startedAt} to ${result.at}; ${result.requests.okta} Okta and ${result.requests.graph} Graph request(s)${
      result.requests.throttled > 0 ? `, ${result.requests.throttled} throttled and retried` : ""
    }`,
  );
  for (const reason of result.partial) {
    lines.push(`  !        ${reason.message}`);
    if (reason.hint) lines.push(`           fix: ${reason.hint}`);
  }
  const u = result.users;
  lines.push(
    `  users    ${u.primaryActive} active in ${result.primary}: ${u.matched} matched in ${result.secondary}, ${u.missingCount} missing, ${u.disabledInSecondaryCount} disabled; ${u.ready} ready`,
  );
  const g = result.groups;
  lines.push(
    `  groups   ${g.primary} in ${result.primary}, ${g.mapped} mapped by ${g.match}, ${g.unmappedCount} without a counterpart; ${g.membershipDrift} membership(s) missing in ${g.withDrift} group(s)`,
  );
  lines.push(
    `  apps     ${result.apps.mapped} mapped: ${result.apps.coveredInSecondary} of ${result.apps.assignedInPrimary} assignment(s) covered in ${result.secondary}`,
  );
  const drift: Array<{ count: number; text: string }> = [];
  const sample = (names: readonly string[], count: number) =>
    `${names.slice(0, 5).join(", ")}${count > 5 ? `, … (${count - 5} more)` : ""}`;
  for (const app of result.apps.items) {
    if (app.notCoveredCount > 0) {
      const groups =
        app.groupsNotAssigned.length > 0
          ? `; groups not assigned in ${result.secondary}: ${app.groupsNotAssigned.join(", ")}`
          : "";
      drift.push({
        count: app.notCoveredCount,
        text: `app ${app.name}: ${app.notCoveredCount} of ${app.assignedInPrimary} assigned user(s) cannot sign in (${sample(app.notCovered, app.notCoveredCount)})${groups}`,
      });
    }
  }
  if (u.missingCount > 0)
    drift.push({
      count: u.missingCount,
      text: `no ${result.secondary} account: ${u.missingCount} (${sample(u.missing, u.missingCount)})`,
    });
  if (u.disabledInSecondaryCount > 0) {
    drift.push({
      count: u.disabledInSecondaryCount,
      text: `disabled in ${result.secondary}: ${u.disabledInSecondaryCount} (${sample(u.disabledInSecondary, u.disabledInSecondaryCount)})`,
    });
  }
  for (const group of g.worst) {
    drift.push({
      count: group.missingInSecondary,
      text: `group ${group.name}: ${group.missingInSecondary} of ${group.primaryMembers} member(s) missing in ${result.secondary}, ${group.extraInSecondary} extra`,
    });
  }
  if (g.unmappedCount > 0) {
    drift.push({
      count: g.unmappedCount,
      text: `groups without a ${result.secondary} counterpart: ${g.unmappedCount} (${sample(g.unmapped, g.unmappedCount)})`,
    });
  }
  drift.sort((a, b) => b.count - a.count);
  if (drift.length > 0) {
    lines.push("  drift, worst first");
    for (const d of drift) lines.push(`    ${d.text}`);
  }
  return `${lines.join("\n")}\n`;
}
