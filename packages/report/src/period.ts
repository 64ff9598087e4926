/*
 * The period a report covers: a calendar month in UTC by default, or any [from, to). Everything is
 * UTC: days are 86,400 s (no DST), months are 28 to 31 days, minutes are whole.
 */

import { isoMonth, isoTimeCompact } from "@idp-failover/core";

export const minuteMs = 60_000;
export const dayMs = 86_400_000;

export interface ReportPeriod {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** `2026-10` for a calendar month, else `from .. to`. */
  label: string;
  /** The calendar month (`YYYY-MM`) when the period is exactly one. */
  month?: string;
}

export class PeriodInvalidError extends Error {
  override name = "PeriodInvalidError";
}

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The UTC calendar month `YYYY-MM`. */
export function monthPeriod(month: string): ReportPeriod {
  const match = monthPattern.exec(month);
  if (!match) throw new PeriodInvalidError(`${JSON.stringify(month)} is not a month (like 2026-10)`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return { from: Date.UTC(year, index, 1), to: Date.UTC(year, index + 1, 1), label: month, month };
}

/** The last whole UTC calendar month before `now`: what the scheduled report covers. */
export function previousMonth(now: number): string {
  const date = new Date(now);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  return isoMonth(first);
}

/** Any period; named as the month it is when it is exactly one. */
export function customPeriod(from: number, to: number): ReportPeriod {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new PeriodInvalidError("period bounds are not times");
  if (to <= from) throw new PeriodInvalidError("a period must end after it starts");
  const month = isoMonth(from);
  const asMonth = monthPeriod(month);
  if (asMonth.from === from && asMonth.to === to) return asMonth;
  return { from, to, label: `${isoTimeCompact(from)} .. ${isoTimeCompact(to)}` };
}

/** Start of each UTC day that overlaps the period, in order. */
export function daysOf(period: ReportPeriod): number[] {
  const days: number[] = [];
  for (let day = Math.floor(period.from / dayMs) * dayMs; day < period.to; day += dayMs) days.push(day);
  return days;
}

export function periodMinutes(period: ReportPeriod): number {
  return (period.to - period.from) / minuteMs;
}
