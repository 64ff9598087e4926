import { principalName, type RegionEvidence, type Weights } from "@idp-failover/core";
import { clip, escapeMrkdwn } from "./block-kit.js";

/*
 * The phrases messages are made of: times, people, durations, weights and what regions saw. Pure and
 * small, so each message reads the same wherever it is rendered (deliverer or interaction handler).
 */

/** `2026-01-01 10:05 UTC`: for plain text, where Slack's date tokens do not render. */
export function utcMinute(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A Slack date token: every reader sees the time in their own zone; the fallback is UTC. */
export function slackTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const seconds = Math.floor(ms / 1000);
  const fallback = `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return `<!date^${seconds}^{date_short_pretty} {time_secs}|${fallback}>`;
}

/** Who did something, as Slack shows people: `slack:U123` mentions the user. */
export function actorText(actor: string): string {
  if (actor.startsWith("slack:")) {
    const id = actor.slice("slack:".length);
    if (/^[UW][A-Z0-9]+$/.test(id)) return `<@${id}>`;
  }
  // A verified operator is an ARN (the audit trail keeps it whole); people read the principal's name.
  if (actor.startsWith("operator:"))
    return `*${escapeMrkdwn(principalName(actor.slice("operator:".length)))}*`;
  if (actor === "evaluator") return "the monitor";
  return escapeMrkdwn(actor);
}

/** `3600` -> `1 h`, `90` -> `2 min`, `86400` -> `1 day`. */
export function durationText(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) {
    const days = seconds / 86_400;
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}

/** `okta 10% · entra 90%`, in the order given (the site's provider order). */
export function weightsText(weights: Weights, order: readonly string[]): string {
  const ids = [
    ...order.filter((id) => id in weights),
    ...Object.keys(weights).filter((id) => !order.includes(id)),
  ];
  const total = ids.reduce((sum, id) => sum + (weights[id] ?? 0), 0);
  return ids
    .map((id) => {
      const w = weights[id] ?? 0;
      const pct = total > 0 ? Math.round((w * 100) / total) : 0;
      return `${escapeMrkdwn(id)} ${pct}%`;
    })
    .join(" · ");
}

const verdictMark: Record<RegionEvidence["verdict"], string> = {
  up: ":large_green_circle:",
  degraded: ":large_orange_circle:",
  down: ":red_circle:",
  stale: ":white_circle:",
  impaired: ":large_yellow_circle:",
};

/**
 * What each region saw: its verdict, then per failing probe the error class, HTTP status, latency
 * and the probe's message (cut short: the full text is in the audit trail).
 */
export function evidenceLines(regions: readonly RegionEvidence[]): string[] {
  return regions.map((r) => {
    const head = `${verdictMark[r.verdict]} *${escapeMrkdwn(r.region)}*: ${r.verdict}`;
    if (r.verdict === "stale") return `${head} (no recent report: abstains)`;
    if (r.verdict === "impaired") return `${head} (its own canaries fail: abstains)`;
    if (r.evidence.length === 0) return head;
    const probes = r.evidence.map((e) => {
      const status = e.status !== undefined ? ` ${e.status}` : "";
      const message = e.message ? `: ${escapeMrkdwn(clip(e.message, 160))}` : "";
      return `   • \`${escapeMrkdwn(e.probe)}\` ${e.class}${status} in ${Math.round(e.latencyMs)} ms${message}`;
    });
    return [head, ...probes].join("\n");
  });
}
