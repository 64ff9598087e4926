/*
 * How numbers read in the human formats (Markdown, HTML, Slack): percentages to four decimals, the
 * precision an SLA of 99.99% needs; durations in the largest unit that keeps them readable.
 */

export function pctText(value: number | null): string {
  return value === null ? "no data" : `${value.toFixed(4)}%`;
}

/** 0 min, 4 min, 1 h 30 min, 2 d 3 h. */
export function minutesText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "";
  const m = Math.abs(minutes);
  if (m < 1 && m > 0) return `${sign}${Math.round(m * 60)} s`;
  if (m < 60) return `${sign}${Number.isInteger(m) ? m : m.toFixed(1)} min`;
  const whole = Math.round(m);
  const days = Math.floor(whole / 1440);
  const hours = Math.floor((whole % 1440) / 60);
  const rest = whole % 60;
  if (days > 0) return `${sign}${days} d${hours ? ` ${hours} h` : ""}`;
  return `${sign}${hours} h${rest ? ` ${rest} min` : ""}`;
}

/** 17.5 s, 2 min 30 s, 1 h 5 min. */
export function secondsText(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  return minutesText(seconds / 60);
}

/** `2026-10-03 10:00:17Z`. */
export function timeText(value: string | null): string {
  if (value === null) return "-";
  return value.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** A user as the approver is recorded (`slack:U0123`): shown as the Slack id. */
export function approverText(value: string | null): string {
  if (value === null) return "-";
  return value.replace(/^slack:/, "");
}
