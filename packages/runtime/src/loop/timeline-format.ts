import type { FeedEntry, FeedKind, FeedTone } from "./loop-feed.js";

/*
 * The terminal timeline: one line per feed entry, the loop clock's time and the time since start,
 * a tag, and the text. Colour only on a terminal (and never with NO_COLOR).
 */

export interface TimelineStyle {
  color: boolean;
  /** Epoch ms the elapsed column counts from. */
  startedAt: number;
  /** Show the site on each line (more than one site). */
  showSite: boolean;
}

const tags: Record<FeedKind, string> = {
  phase: "PHASE",
  region: "region",
  verdict: "VERDICT",
  state: "STATE",
  dns: "DNS",
  message: "MESSAGE",
  approval: "APPROVAL",
  command: "COMMAND",
  alert: "ALERT",
  problem: "PROBLEM",
  note: "note",
  check: "CHECK",
};

const colours: Record<FeedTone, string> = {
  info: "",
  good: "\u001b[32m",
  warn: "\u001b[33m",
  bad: "\u001b[31m",
};
const bold = "\u001b[1m";
const dim = "\u001b[2m";
const reset = "\u001b[0m";

export function formatEntry(entry: FeedEntry, style: TimelineStyle): string {
  const time = new Date(entry.at).toISOString().slice(11, 19);
  const elapsed = elapsedText(entry.at - style.startedAt);
  const tag = tags[entry.kind].padEnd(8);
  const site = style.showSite && entry.site ? `[${entry.site}] ` : "";
  const line = `${site}${entry.text}`;
  if (!style.color) return `${time}  ${elapsed}  ${tag}  ${line}`;
  const colour = colours[entry.tone];
  const emphasis = entry.kind === "phase" || entry.kind === "state" || entry.kind === "check" ? bold : "";
  return `${dim}${time}  ${elapsed}${reset}  ${colour}${emphasis}${tag}${reset}  ${colour}${emphasis}${line}${reset}`;
}

/** `+m:ss` (or `+h:mm:ss`) since start. */
export function elapsedText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `+${h}:${String(m).padStart(2, "0")}:${s}` : `+${String(m).padStart(2, "0")}:${s}`;
}

/** Colour when writing to a terminal that wants it. */
export function wantsColour(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}
