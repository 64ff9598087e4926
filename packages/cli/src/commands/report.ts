import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import type { Provider, Site } from "@idp-failover/core";
import {
  customPeriod,
  entraAttainmentSourceFor,
  isReportFormat,
  monthPeriod,
  PeriodInvalidError,
  previousMonth,
  type ReportFormat,
  type ReportPeriod,
  renderReport,
  reportFormats,
  reportFromStore,
  type VendorAttainmentSource,
} from "@idp-failover/report";
import type { Command } from "commander";
import {
  type AwsCliOptions,
  collectValues,
  requireSite,
  requireTagged,
  withAwsOptions,
  withSession,
} from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

export interface ReportCliOptions extends AwsCliOptions {
  site?: string;
  /** Commander collects `--tag` given more than once: the sites carrying every one. */
  tag?: string[];
  month?: string;
  from?: string;
  to?: string;
  format?: string;
  out?: string;
  /** Commander's `--no-vendor`. */
  vendor?: boolean;
}

export function registerReport(program: Command, io: CommandIo): void {
  withAwsOptions(
    program
      .command("report")
      .description(
        "SLA attainment report from the store: each provider's availability (globally and per region) against " +
          "its SLA, the login hostname's availability thanks to failover, and the incidents",
      )
      .option("-s, --site <id>", "only this site (default: every site)")
      .option(
        "-t, --tag <tag>",
        "the sites with this tag (again for several: with all of them), and their figures together",
        collectValues,
      )
      .option("-m, --month <YYYY-MM>", "a UTC calendar month (default: the last whole month)")
      .option(
        "--from <time>",
        "instead of --month: the period's start, an ISO date or time (UTC unless it names a zone)",
      )
      .option("--to <time>", "with --from: the period's end (exclusive)")
      .option(
        "-f, --format <format>",
        `${reportFormats.join(", ")} (see docs/report-schema.md for json)`,
        "md",
      )
      .option("-o, --out <file>", "write the report to this file instead of standard output")
      .option("--no-vendor", "do not ask Microsoft Graph for Microsoft's own SLA attainment figure"),
  ).action((options: ReportCliOptions) => runReport(options, io));
}

export async function runReport(options: ReportCliOptions, io: CommandIo): Promise<void> {
  const format = parseFormat(options.format);
  const period = parsePeriod(options, io.now());
  if (options.site && options.tag) throw new CliError("use --site or --tag, not both", 2);
  await withSession(options, io, async (session) => {
    const tags = options.tag;
    const tagged = tags ? requireTagged(session.config, tags).map((s) => s.id) : undefined;
    const sites = options.site ? [requireSite(session.config, options.site).id] : tagged;
    const cache = new Map<string, VendorAttainmentSource>();
    const secretOf = (ref: string) => {
      const value = io.env[ref];
      return value === undefined || value === "" ? undefined : value;
    };
    const report = await reportFromStore(session.adapters.store, session.config, period, {
      now: io.now(),
      ...(sites ? { sites } : {}),
      ...(tags ? { tags } : {}),
      ...(options.vendor === false
        ? {}
        : {
            vendorSource: (_site: Site, provider: Provider) =>
              entraAttainmentSourceFor(provider, secretOf, { cache, clock: { now: () => io.now() } }),
          }),
    });
    const text = renderReport(report, format);
    if (options.out) {
      await writeAtomically(options.out, text);
      io.err(
        `wrote ${format} report for ${report.period.label} (${report.sites.length} site(s)) to ${options.out}\n`,
      );
    } else {
      io.out(text);
    }
  });
}

/** `flag` names the option the value came from, for the error. */
export function parseFormat(value: string | undefined, flag = "--format"): ReportFormat {
  const format = value ?? "md";
  if (!isReportFormat(format)) {
    throw new CliError(`${flag} ${JSON.stringify(format)}: one of ${reportFormats.join(", ")}`, 2);
  }
  return format;
}

function parsePeriod(options: ReportCliOptions, now: number): ReportPeriod {
  try {
    if (options.from !== undefined || options.to !== undefined) {
      if (options.month !== undefined) throw new CliError("use --month or --from/--to, not both", 2);
      if (options.from === undefined || options.to === undefined) {
        throw new CliError("--from and --to go together", 2);
      }
      return customPeriod(parseTime(options.from, "--from"), parseTime(options.to, "--to"));
    }
    return monthPeriod(options.month ?? previousMonth(now));
  } catch (error) {
    if (error instanceof PeriodInvalidError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

/**
 * An ISO date or time. Without a zone it is UTC, as every report period is: `Date.parse` would read
 * `2026-10-01T00:00` in the machine's local time zone.
 */
function parseTime(text: string, flag: string): number {
  const withoutZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const at = Date.parse(withoutZone ? `${text}Z` : text);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new CliError(`${flag} ${JSON.stringify(text)}: an ISO time like 2026-10-01T00:00:00Z`, 2);
  }
  return at;
}

/** Writes the whole file or nothing: a temporary file beside it, then a rename. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, text, "utf8");
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2, {
      cause: error,
    });
  }
}
