import { weightsText as weights } from "../notification-text.js";
import { isoTime } from "../time.js";
import type { ReplayRun, TimelineEntry } from "./replay.js";

/** The readable form of a replay: one line per thing that happened, in time order, then a summary. */
export function formatTimeline(run: ReplayRun): string {
  const { result, timeline, config } = run;
  const s = result.summary;
  const lines: string[] = [];
  lines.push(`Replay: ${s.name}`);
  lines.push(
    `${s.start.replace(".000Z", "Z")} .. ${s.end.replace(".000Z", "Z")}  regions ${s.regions.join(", ")}  cadence ${s.cadenceSeconds}s  quorum ${(config.sites[0]?.policy ?? config.policy).quorum}  seed ${s.seed}`,
  );
  lines.push("");
  const entries = [...timeline]
    .filter(worthALine)
    .sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
  // Always with milliseconds, so the columns line up.
  for (const entry of entries) lines.push(`${isoTime(entry.at)}  ${describe(entry)}`);
  lines.push("");
  lines.push(
    `Summary: ${s.failovers} failover(s), ${s.failbacks} failback(s) completed, ${s.failbackAborts} aborted, ` +
      `${result.dnsChanges.length} DNS change(s); ended ${s.finalState} (${weights(s.finalWeights)}).`,
  );
  for (const fault of s.faults) {
    const detected =
      fault.detectionSeconds !== undefined
        ? `DNS change ${fault.detectionSeconds.toFixed(1)} s after onset`
        : "no DNS change away from it";
    lines.push(
      `  fault ${fault.index + 1} (${fault.provider} ${fault.mode}, ${fault.from} .. ${fault.to}): ${detected}`,
    );
  }
  for (const incident of result.incidents) {
    const parts = [
      `incident ${incident.id}: ${incident.provider} from ${incident.start}`,
      `detected ${seconds(incident.start, incident.detectedAt)}`,
      incident.dnsSubmittedAt
        ? `DNS submitted ${seconds(incident.start, incident.dnsSubmittedAt)}`
        : undefined,
      incident.insyncAt ? `INSYNC ${seconds(incident.start, incident.insyncAt)}` : undefined,
      incident.approvedBy ? `failback approved by ${incident.approvedBy}` : undefined,
      incident.endAt ? `ended ${incident.endAt}` : "still open",
    ];
    lines.push(`  ${parts.filter(Boolean).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A region flickering between up and degraded is noise in a timeline; down and stale are news. */
function worthALine(entry: TimelineEntry): boolean {
  if (entry.kind !== "region") return true;
  const notable = (v: string) => v === "down" || v === "stale" || v === "impaired";
  return notable(entry.from) || notable(entry.to);
}

/** Within one instant: cause before effect (a verdict, the transition it caused, its DNS change, the alert). */
const order: Record<TimelineEntry["kind"], number> = {
  fault: 0,
  approval: 1,
  region: 2,
  verdict: 3,
  transition: 4,
  dns: 5,
  alert: 6,
};

function describe(entry: TimelineEntry): string {
  switch (entry.kind) {
    case "fault":
      return `FAULT     ${entry.text}`;
    case "region": {
      const seen = entry.evidence[0];
      const why = entry.impairment
        ? ` (${entry.impairment})`
        : seen && entry.to !== "up"
          ? ` (${seen.probe}: ${seen.class}${seen.status ? ` ${seen.status}` : ""}, ${seen.latencyMs} ms)`
          : "";
      return `region    ${entry.region} sees ${entry.provider} ${entry.from} -> ${entry.to}${why}`;
    }
    case "verdict": {
      const regions = Object.entries(entry.regions)
        .map(([r, v]) => `${r} ${v}`)
        .join(", ");
      const mode = entry.mode ? ` (${entry.mode})` : "";
      return `VERDICT   ${entry.provider} ${entry.from} -> ${entry.to}${mode}  [${regions}]`;
    }
    case "transition":
      return `STATE     ${entry.transition.from} -> ${entry.transition.to}: ${entry.transition.reason}`;
    case "dns":
      return `DNS       change ${entry.change.changeId} submitted: ${weights(entry.change.weights)} (INSYNC ${entry.change.insyncAt.slice(11, 19)})`;
    case "alert":
      return `ALERT     ${entry.alert.message}`;
    case "approval":
      return `APPROVAL  ${entry.approval.user} pressed Approve failback: ${entry.approval.outcome}${entry.approval.reason ? ` (${entry.approval.reason})` : ""}`;
  }
}

function seconds(from: string, to: string): string {
  return `+${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(0)} s`;
}
