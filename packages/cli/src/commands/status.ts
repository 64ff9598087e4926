import type { WeightedSet } from "@idp-failover/aws";
import {
  type AuditRecord,
  describeActor,
  loadVerdicts,
  type ReadinessResult,
  readinessHeadline,
  type SiteState,
  type SiteSummary,
} from "@idp-failover/core";
import { readSiteOverview } from "@idp-failover/orchestration";
import type { Command } from "commander";
import {
  type AwsCliOptions,
  collectValues,
  formatWeights,
  type OperatorSession,
  requireSite,
  requireTagged,
  withAwsOptions,
  withSession,
} from "../aws-deps.js";
import { CliError } from "../cli-error.js";
import { columnLines } from "../columns.js";
import type { CommandIo } from "../command-io.js";

export interface StatusOptions extends AwsCliOptions {
  site?: string;
  /** Commander collects `--tag` given more than once: sites carrying every one. */
  tag?: string[];
  json?: boolean;
  transitions?: string;
}

/** One site as `status` shows it: the state machine, DNS as Route 53 holds it, verdicts, history. */
export interface SiteStatus {
  site: string;
  hostname: string;
  /** Undefined until the evaluator has run once for the site. */
  state?: Omit<SiteState, "rollup">;
  dns: { weights: Record<string, number>; set: WeightedSet } | { error: string };
  verdicts: Record<string, { verdict: string; mode?: string; regions: Record<string, string> }>;
  transitions: AuditRecord[];
  /** Effects of a decision not yet carried out (the last run could not publish or record them). */
  outboxWaiting: number;
  /** The last readiness run of a site with continuity (docs/readiness.md); null before the first. */
  readiness?: ReadinessResult | null | { error: string };
}

export function registerStatus(program: Command, io: CommandIo): void {
  withAwsOptions(
    program
      .command("status")
      .description(
        "Every site in one line, the ones that need someone first; with --site, one site in full: its state, " +
          "weights (state and Route 53), verdicts per region and last transitions",
      )
      .option("-s, --site <id>", "this site in full")
      .option(
        "-t, --tag <tag>",
        "only the sites with this tag (again for several: sites with all of them)",
        collectValues,
      )
      .option(
        "--transitions <n>",
        "with --site: how many recent transitions and commands to show (default 5)",
      )
      .option("--json", "print JSON: an array of one-line summaries, or with --site the site's full status"),
  ).action((options: StatusOptions) => runStatus(options, io));
}

export async function runStatus(options: StatusOptions, io: CommandIo): Promise<void> {
  const count = options.transitions === undefined ? 5 : Number(options.transitions);
  if (!Number.isInteger(count) || count < 0 || count > 500) {
    throw new CliError(`--transitions ${JSON.stringify(options.transitions)}: a whole number 0..500`, 2);
  }
  if (options.site && options.tag) throw new CliError("use --site or --tag, not both", 2);
  await withSession(options, io, async (session) => {
    const { config } = session;
    if (options.site) {
      const status = await collectStatus(session, requireSite(config, options.site).id, count);
      io.out(options.json ? `${JSON.stringify([status], null, 2)}\n` : formatStatus(status));
      return;
    }
    const tags = options.tag ?? [];
    const sites = requireTagged(config, tags);
    const summaries = await readSiteOverview(
      { store: session.adapters.store, readiness: session.adapters.readiness },
      config,
      { sites, now: io.now() },
    );
    io.out(options.json ? `${JSON.stringify(summaries, null, 2)}\n` : formatOverview(summaries, tags));
  });
}

const needs: Record<SiteSummary["level"], string> = { 3: "now", 2: "soon", 1: "look", 0: "-" };

/** One line a site, the ones that need someone first, under a header; a count at the end. */
export function formatOverview(summaries: readonly SiteSummary[], tags: readonly string[] = []): string {
  const rows = summaries.map((s) => [
    needs[s.level],
    s.site,
    s.state ?? "not evaluated",
    s.serving ?? "-",
    s.verdicts.map((v) => `${v.provider} ${v.verdict}${v.mode ? ` (${v.mode})` : ""}`).join(", "),
    s.incident ? `${s.incident.provider} since ${s.incident.start}` : "-",
    s.readiness ?? "-",
    s.troubles.length === 0
      ? ""
      : `${s.troubles[0]?.text}${s.troubles.length > 1 ? ` (+${s.troubles.length - 1} more)` : ""}`,
  ]);
  const header = ["NEEDS", "SITE", "STATE", "SERVING", "VERDICTS", "INCIDENT", "READINESS", "WHY"];
  const count = (level: SiteSummary["level"]) => summaries.filter((s) => s.level === level).length;
  const filter = tags.length > 0 ? ` with tag ${tags.join(" and ")}` : "";
  const monitor = summaries.find((s) => s.monitor)?.monitor;
  return [
    ...columnLines(header, rows),
    "",
    ...(monitor
      ? [
          `monitor impaired in ${monitor.regions.join(", ")} since ${monitor.since}: ${monitor.holding ? "fewer than a quorum of regions can judge, nothing moves automatically" : "those regions abstain"}`,
        ]
      : []),
    `${summaries.length} site(s)${filter}: ${count(3)} need someone now, ${count(2)} soon, ${count(1)} worth a look, ${count(0)} fine (idpctl status --site S for one in full)`,
    "",
  ].join("\n");
}

export async function collectStatus(
  session: OperatorSession,
  siteId: string,
  transitions: number,
): Promise<SiteStatus> {
  const { config, adapters, io } = session;
  const site = requireSite(config, siteId);
  const now = io.now();
  const [stored, dns, verdicts, audit, readiness] = await Promise.all([
    adapters.store.loadState(site.id),
    adapters.dns.readSet(site).then(
      (set) => ({ weights: Object.fromEntries(set.records.map((r) => [r.provider, r.weight])), set }),
      (error: unknown) => ({
        error: `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      }),
    ),
    loadVerdicts(adapters.store, config, site, now),
    transitions > 0 ? adapters.store.listAudit(site.id, 0, now + 1, transitions) : Promise.resolve([]),
    site.continuity
      ? adapters.readiness.latest(site.id).then(
          (result) => result ?? null,
          (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
        )
      : Promise.resolve(undefined),
  ]);
  const outbox = stored?.outbox;
  return {
    site: site.id,
    hostname: site.hostname,
    ...(stored ? { state: withoutRollup(stored.state) } : {}),
    dns,
    verdicts: Object.fromEntries(
      Object.entries(verdicts).map(([provider, v]) => [
        provider,
        {
          verdict: v.verdict,
          ...(v.mode ? { mode: v.mode } : {}),
          regions: Object.fromEntries(v.regions.map((r) => [r.region, r.verdict])),
        },
      ]),
    ),
    transitions: audit,
    outboxWaiting: outbox
      ? outbox.events.length +
        outbox.notifications.length +
        outbox.audit.length +
        outbox.rollups.length +
        (outbox.incident ? 1 : 0)
      : 0,
    ...(readiness !== undefined ? { readiness } : {}),
  };
}

export function formatStatus(s: SiteStatus): string {
  const lines: string[] = [];
  const state = s.state;
  lines.push(
    state
      ? `${s.site}  ${s.hostname}  ${state.state} since ${state.since} (version ${state.version})`
      : `${s.site}  ${s.hostname}  not evaluated yet`,
  );
  if (state) lines.push(`  serving    ${state.active}`);
  const dnsText = "error" in s.dns ? `unavailable (${s.dns.error})` : formatWeights(s.dns.weights);
  lines.push(`  weights    state: ${state ? formatWeights(state.weights) : "-"} | Route 53: ${dnsText}`);
  if (!("error" in s.dns)) {
    const { set, weights } = s.dns;
    if (set.missing.length > 0) lines.push(`  !          no weighted record for ${set.missing.join(", ")}`);
    if (set.foreign.length > 0)
      lines.push(`  !          records not in the config also answer: ${set.foreign.join(", ")}`);
    if (state && !state.dns && Object.entries(state.weights).some(([p, w]) => (weights[p] ?? 0) !== w)) {
      lines.push("  !          Route 53 does not carry the weights the state machine last applied");
    }
  }
  if (state?.dns) {
    const d = state.dns;
    const how = d.rejected
      ? `REJECTED by Route 53: ${d.lastError ?? ""}`
      : d.changeId
        ? `change ${d.changeId} submitted ${d.submittedAt ?? ""}, waiting for INSYNC`
        : `not accepted yet (attempt ${d.attempts}${d.lastError ? `, last error: ${d.lastError}` : ""}${d.retryAt ? `, retry at ${d.retryAt}` : ""})`;
    lines.push(`  dns        ${d.purpose} to ${formatWeights(d.weights)}: ${how}`);
  }
  if (state?.frozen)
    lines.push(`  frozen     by ${state.frozen.by} at ${state.frozen.at}: ${state.frozen.reason}`);
  if (state?.paused) {
    lines.push(
      `  paused     flapping: ${state.paused.changes} automatic DNS changes in an hour; automatic changes resume at ${state.paused.until} (or: idpctl resume --site ${s.site} --reason ...)`,
    );
  }
  const monitor = state?.alerts.monitor;
  if (monitor) {
    lines.push(
      `  monitor    impaired in ${monitor.regions.join(", ")} since ${monitor.since}${monitor.holding ? ": fewer than a quorum can judge, nothing moves automatically" : ": they abstain"}`,
    );
  }
  if (state?.approval)
    lines.push(
      `  approval   failback request ${state.approval.id} waiting, expires ${state.approval.expiresAt}`,
    );
  if (state?.failback)
    lines.push(`  failback   step ${state.failback.step + 1}, approved by ${state.failback.approvedBy}`);
  if (state?.incident) {
    const i = state.incident;
    lines.push(
      `  incident   ${i.id}: ${i.provider} failing since ${i.start}${i.failoverTo ? `, failed over to ${i.failoverTo}` : ""}${i.insyncAt ? ` (INSYNC ${i.insyncAt})` : ""}`,
    );
  }
  const width = Math.max(...Object.keys(s.verdicts).map((p) => p.length), 4);
  Object.entries(s.verdicts).forEach(([provider, v], i) => {
    const regions = Object.entries(v.regions)
      .map(([region, verdict]) => `${region} ${verdict}`)
      .join(", ");
    const mode = v.mode ? ` (${v.mode})` : "";
    lines.push(
      `  ${i === 0 ? "verdicts" : "        "}   ${provider.padEnd(width)}  ${`${v.verdict}${mode}`.padEnd(8)}  ${regions}`,
    );
  });
  if (s.readiness !== undefined) lines.push(`  readiness  ${readinessLine(s.readiness)}`);
  if (s.outboxWaiting > 0)
    lines.push(`  outbox     ${s.outboxWaiting} effect(s) of the last decision not carried out yet`);
  if (s.transitions.length > 0) {
    lines.push("  recent");
    for (const a of s.transitions) lines.push(`    ${formatAudit(a)}`);
  }
  return `${lines.join("\n")}\n`;
}

function readinessLine(readiness: NonNullable<SiteStatus["readiness"]> | null): string {
  if (readiness === null)
    return "not measured yet (the first daily run has not finished; idpctl readiness asks now)";
  if ("error" in readiness) return `unavailable (${readiness.error})`;
  const first = readiness.partial[0];
  return `${readinessHeadline(readiness)}, ${readiness.mode} read ${readiness.at}${first ? `; ${first.message}` : ""}`;
}

function withoutRollup({ rollup: _rollup, ...rest }: SiteState): Omit<SiteState, "rollup"> {
  return rest;
}

export function formatAudit(a: AuditRecord): string {
  const move = a.from && a.to ? `${a.from} -> ${a.to}` : a.action;
  const action = a.action === "transition" ? move : `${a.action}${a.from && a.to ? ` (${move})` : ""}`;
  return `${a.at}  ${describeActor(a)}  ${action}  ${a.reason}${a.weights ? `  [${formatWeights(a.weights)}]` : ""}`;
}
