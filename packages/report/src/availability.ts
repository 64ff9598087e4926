import type { MinuteRollup, VerdictSeconds } from "@idp-failover/core";
import { dayMs, minuteMs, type ReportPeriod } from "./period.js";

/*
 * Availability from minute rollups, the rule the reports use (docs/design.md, "Reports"):
 *
 * - Seconds are summed per verdict: up, degraded, down, unknown (monitor impaired or region stale).
 *   Seconds no rollup covers are "no data". Unknown and no data are neither up nor down: they are left
 *   out of the measured time, which is the denominator.
 * - Downtime is counted in whole minutes, as both vendors' SLAs count it: each down episode (a run of
 *   consecutive minutes with down seconds) counts as its length rounded to the nearest minute. The
 *   verdict sees both ends of an outage late (down ~10-20 s after onset, up ~20-35 s after the end),
 *   so the episode's clock times are shifted but its length is right to within the difference of the
 *   two delays, under half a minute: a 90-minute outage is 90 downtime minutes, whatever the probe
 *   phase. An episode shorter than 30 s is below what the monitor can time and counts as 0 (its
 *   seconds still show in `downSeconds`).
 * - An episode cut by a day or by the period's edge is still rounded whole, and its minutes are
 *   shared between the parts in proportion to their seconds: the parts add up to the whole, so an
 *   outage across midnight of the last day of a month is 45 + 45 minutes, not 45 + 46. To see an
 *   episode whole, the fold is given rollups a little beyond the period (`margin`); only the part
 *   inside the period is counted.
 * - availability = (measured minutes - downtime minutes) / measured minutes.
 * Degraded time counts as available (a slow IdP still signs people in) and is reported beside it,
 * in minutes by the same episode rule.
 *
 * The fold is streaming and allocation-free for the common case: whole minutes up everywhere are only
 * counted, so a year of rollups for many sites goes through it quickly.
 */

/** How far beyond the period a report reads rollups, to see the episodes that cross its edges whole. */
export const episodeMarginMs = dayMs;

export interface VerdictTotals {
  up: number;
  degraded: number;
  down: number;
  unknown: number;
}

/** Seconds and episode-rounded minutes of one series over a span (the period, or one day of it). */
export interface SeriesTotals {
  seconds: VerdictTotals;
  downtimeMinutes: number;
  degradedMinutes: number;
  /** Down episodes credited with at least one minute in the span. */
  downEpisodes: number;
}

/**
 * Counts the episodes of one verdict in a series of minutes. Each piece of an episode is keyed (the
 * day it falls in, or -1 outside the period); when the episode ends its rounded minutes are shared out
 * to the pieces' keys.
 */
class EpisodeCounter {
  private total = 0;
  private lastMinute = Number.NEGATIVE_INFINITY;
  private readonly pieceKeys: number[] = [];
  private readonly pieceSeconds: number[] = [];
  readonly minutesByKey: number[];
  readonly episodesByKey: number[];
  episodes = 0;

  constructor(keys: number) {
    this.minutesByKey = new Array(keys).fill(0);
    this.episodesByKey = new Array(keys).fill(0);
  }

  add(minute: number, seconds: number, key: number): void {
    if (seconds > 0) {
      if (this.total > 0 && minute !== this.lastMinute + minuteMs) this.close();
      this.total += seconds;
      this.lastMinute = minute;
      const last = this.pieceKeys.length - 1;
      if (last >= 0 && this.pieceKeys[last] === key)
        this.pieceSeconds[last] = (this.pieceSeconds[last] ?? 0) + seconds;
      else {
        this.pieceKeys.push(key);
        this.pieceSeconds.push(seconds);
      }
    } else if (this.total > 0) {
      this.close();
    }
  }

  close(): void {
    if (this.total <= 0) return;
    const whole = Math.round(this.total / 60);
    let before = 0;
    let credited = false;
    for (let i = 0; i < this.pieceKeys.length; i++) {
      const seconds = this.pieceSeconds[i] ?? 0;
      const minutes =
        Math.round((whole * (before + seconds)) / this.total) - Math.round((whole * before) / this.total);
      before += seconds;
      const key = this.pieceKeys[i] ?? -1;
      if (key < 0 || minutes === 0) continue;
      this.minutesByKey[key] = (this.minutesByKey[key] ?? 0) + minutes;
      this.episodesByKey[key] = (this.episodesByKey[key] ?? 0) + 1;
      credited = true;
    }
    if (credited) this.episodes += 1;
    this.total = 0;
    this.pieceKeys.length = 0;
    this.pieceSeconds.length = 0;
  }
}

/** One series (a provider's global verdict, or one region) kept per day of the period. */
class Series {
  readonly up: number[];
  readonly degraded: number[];
  readonly down: number[];
  readonly unknown: number[];
  private readonly downEpisodes: EpisodeCounter;
  private readonly degradedEpisodes: EpisodeCounter;

  constructor(private readonly days: number) {
    this.up = new Array(days).fill(0);
    this.degraded = new Array(days).fill(0);
    this.down = new Array(days).fill(0);
    this.unknown = new Array(days).fill(0);
    this.downEpisodes = new EpisodeCounter(days);
    this.degradedEpisodes = new EpisodeCounter(days);
  }

  /** One minute; `day` is its day in the period, or -1 outside the period (episodes only). */
  add(minute: number, s: VerdictSeconds | undefined, day: number): void {
    const down = s?.down ?? 0;
    const degraded = s?.degraded ?? 0;
    if (day >= 0) {
      this.up[day] = (this.up[day] ?? 0) + (s?.up ?? 0);
      this.degraded[day] = (this.degraded[day] ?? 0) + degraded;
      this.down[day] = (this.down[day] ?? 0) + down;
      this.unknown[day] = (this.unknown[day] ?? 0) + (s?.unknown ?? 0);
    }
    this.downEpisodes.add(minute, down, day);
    this.degradedEpisodes.add(minute, degraded, day);
  }

  /** `minutes` whole minutes up (or outside the period when `day` is -1): every episode ends. */
  addUp(minutes: number, day: number): void {
    if (day >= 0) this.up[day] = (this.up[day] ?? 0) + minutes * 60;
    this.downEpisodes.close();
    this.degradedEpisodes.close();
  }

  finish(): { total: SeriesTotals; daily: SeriesTotals[] } {
    this.downEpisodes.close();
    this.degradedEpisodes.close();
    const daily: SeriesTotals[] = [];
    for (let d = 0; d < this.days; d++) {
      daily.push({
        seconds: {
          up: this.up[d] ?? 0,
          degraded: this.degraded[d] ?? 0,
          down: this.down[d] ?? 0,
          unknown: this.unknown[d] ?? 0,
        },
        downtimeMinutes: this.downEpisodes.minutesByKey[d] ?? 0,
        degradedMinutes: this.degradedEpisodes.minutesByKey[d] ?? 0,
        downEpisodes: this.downEpisodes.episodesByKey[d] ?? 0,
      });
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return {
      total: {
        seconds: {
          up: sum(this.up),
          degraded: sum(this.degraded),
          down: sum(this.down),
          unknown: sum(this.unknown),
        },
        downtimeMinutes: sum(this.downEpisodes.minutesByKey),
        degradedMinutes: sum(this.degradedEpisodes.minutesByKey),
        downEpisodes: this.downEpisodes.episodes,
      },
      daily,
    };
  }
}

export interface ProviderTotals {
  global: SeriesTotals;
  regions: Record<string, SeriesTotals>;
  /** One per UTC day of the period (see `daysOf`), global verdict. */
  daily: SeriesTotals[];
}

/**
 * Folds a provider's rollups, in minute order as the stores return them, into totals for the
 * period, each region and each UTC day. Rollups outside the period only complete the episodes that
 * cross its edges. Whole minutes up everywhere (nearly all of them) are only counted, and added in
 * one go when the run ends.
 */
export class ProviderFold {
  private readonly global: Series;
  private readonly regionSeries: Series[];
  private readonly firstDay: number;
  /** The day `minuteOf` last parsed (YYYYMMDD, -1 for none) and its start. */
  private dayKey = -1;
  private dayStart = 0;
  /** The run of all-up minutes not yet added: its length, its day (-1 outside), and the minute after it. */
  private run = 0;
  private runDay = 0;
  private runNext = 0;

  constructor(
    private readonly period: ReportPeriod,
    private readonly regions: readonly string[],
  ) {
    this.firstDay = Math.floor(period.from / dayMs) * dayMs;
    const days = Math.ceil((period.to - this.firstDay) / dayMs);
    this.global = new Series(days);
    this.regionSeries = regions.map(() => new Series(days));
  }

  add(rollup: MinuteRollup): void {
    const minute = this.minuteOf(rollup.minute);
    if (Number.isNaN(minute)) return;
    const inside = minute >= this.period.from && minute < this.period.to;
    const day = inside ? Math.floor((minute - this.firstDay) / dayMs) : -1;
    if (this.allUp(rollup)) {
      if (this.run > 0 && (day !== this.runDay || minute !== this.runNext)) this.flushRun();
      if (this.run === 0) this.runDay = day;
      this.run += 1;
      this.runNext = minute + minuteMs;
      return;
    }
    this.flushRun();
    this.global.add(minute, rollup.global, day);
    const regional = rollup.regions;
    for (let i = 0; i < this.regions.length; i++) {
      this.regionSeries[i]?.add(minute, regional[this.regions[i] as string], day);
    }
  }

  addAll(rollups: readonly MinuteRollup[]): this {
    for (let i = 0; i < rollups.length; i++) this.add(rollups[i] as MinuteRollup);
    return this;
  }

  finish(): ProviderTotals {
    this.flushRun();
    const global = this.global.finish();
    const regions: Record<string, SeriesTotals> = {};
    this.regions.forEach((region, i) => {
      const series = this.regionSeries[i];
      if (series) regions[region] = series.finish().total;
    });
    return { global: global.total, regions, daily: global.daily };
  }

  /** A whole minute up, globally and in every configured region (a minute has at most 60 s, so nothing else). */
  private allUp(rollup: MinuteRollup): boolean {
    if ((rollup.global.up ?? 0) < 60) return false;
    const regional = rollup.regions;
    const regions = this.regions;
    for (let i = 0; i < regions.length; i++) {
      if ((regional[regions[i] as string]?.up ?? 0) < 60) return false;
    }
    return true;
  }

  private flushRun(): void {
    if (this.run === 0) return;
    this.global.addUp(this.run, this.runDay);
    for (const series of this.regionSeries) series.addUp(this.run, this.runDay);
    this.run = 0;
  }

  /**
   * Epoch ms of a rollup's minute (`YYYY-MM-DDTHH:MM:...Z`). Rollups of one day share its date, so the
   * date is parsed once a day and after that only read as the number YYYYMMDD and compared (a string
   * compare, or comparing digit by digit with the day's text, is measurably slower over millions).
   */
  private minuteOf(text: string): number {
    if (text.length === 24 && dateKey(text) === this.dayKey) {
      return this.dayStart + twoDigits(text, 11) * 3_600_000 + twoDigits(text, 14) * minuteMs;
    }
    const ms = Date.parse(text);
    if (text.length === 24 && text.charCodeAt(10) === 84 /* T */ && text.endsWith("Z") && !Number.isNaN(ms)) {
      this.dayKey = dateKey(text);
      this.dayStart = Math.floor(ms / dayMs) * dayMs;
    }
    return ms;
  }
}

/** The date of `YYYY-MM-DD...` as the number YYYYMMDD. */
function dateKey(text: string): number {
  return (
    ((twoDigits(text, 0) * 100 + twoDigits(text, 2)) * 100 + twoDigits(text, 5)) * 100 + twoDigits(text, 8)
  );
}

function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48);
}

export interface Availability {
  /** Null when nothing was measured. */
  availabilityPct: number | null;
  measuredSeconds: number;
  downtimeMinutes: number;
  degradedMinutes: number;
  downSeconds: number;
  degradedSeconds: number;
  unknownSeconds: number;
  noDataSeconds: number;
}

/** The availability of a series over a span of `spanSeconds` (the period, or one day of it). */
export function availabilityOf(totals: SeriesTotals, spanSeconds: number): Availability {
  const { up, degraded, down, unknown } = totals.seconds;
  const measured = up + degraded + down;
  const covered = measured + unknown;
  return {
    availabilityPct:
      measured > 0 ? (100 * Math.max(0, measured - totals.downtimeMinutes * 60)) / measured : null,
    measuredSeconds: measured,
    downtimeMinutes: totals.downtimeMinutes,
    degradedMinutes: totals.degradedMinutes,
    downSeconds: down,
    degradedSeconds: degraded,
    unknownSeconds: unknown,
    noDataSeconds: Math.max(0, spanSeconds - covered),
  };
}
