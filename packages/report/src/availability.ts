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
 *   verdict sees both ends of an outage late (down ~10-20 s after onset, up ~20-30 s after the end),
 *   so the episode's clock times are shifted but its length is right to within the difference of the
 *   two delays, well under half a minute: a 90-minute outage is 90 downtime minutes, whatever the
 *   probe phase. An episode shorter than 30 s is below what the monitor can time and counts as 0 (its
 *   seconds still show in `downSeconds`).
 * - availability = (measured minutes - downtime minutes) / measured minutes.
 * Degraded time counts as available (a slow IdP still signs people in) and is reported beside it,
 * in minutes by the same episode rule.
 *
 * The fold is streaming and allocation-free per rollup: a year of minute rollups for many sites goes
 * through it without being held in memory.
 */

export interface VerdictTotals {
  up: number;
  degraded: number;
  down: number;
  unknown: number;
}

/** Seconds and episode-rounded minutes of one series (a provider's global verdict, one region, one day). */
export interface SeriesTotals {
  seconds: VerdictTotals;
  downtimeMinutes: number;
  degradedMinutes: number;
  /** Down episodes that counted as at least one minute. */
  downEpisodes: number;
}

/** Counts episodes of one verdict in a series of minutes and rounds each to whole minutes. */
class EpisodeCounter {
  private running = 0;
  private lastMinute = Number.NEGATIVE_INFINITY;
  minutes = 0;
  episodes = 0;

  add(minute: number, seconds: number): void {
    if (seconds > 0) {
      if (this.running > 0 && minute !== this.lastMinute + minuteMs) this.close();
      this.running += seconds;
      this.lastMinute = minute;
    } else if (this.running > 0) {
      this.close();
    }
  }

  close(): void {
    if (this.running <= 0) return;
    const whole = Math.round(this.running / 60);
    this.minutes += whole;
    if (whole > 0) this.episodes += 1;
    this.running = 0;
  }
}

class SeriesAccumulator {
  readonly seconds: VerdictTotals = { up: 0, degraded: 0, down: 0, unknown: 0 };
  private readonly down = new EpisodeCounter();
  private readonly degraded = new EpisodeCounter();

  add(minute: number, s: VerdictSeconds | undefined): void {
    const up = s?.up ?? 0;
    const degraded = s?.degraded ?? 0;
    const down = s?.down ?? 0;
    const unknown = s?.unknown ?? 0;
    this.seconds.up += up;
    this.seconds.degraded += degraded;
    this.seconds.down += down;
    this.seconds.unknown += unknown;
    this.down.add(minute, down);
    this.degraded.add(minute, degraded);
  }

  /** `minutes` whole minutes up: every episode ends. */
  addUp(minutes: number): void {
    this.seconds.up += minutes * 60;
    this.down.close();
    this.degraded.close();
  }

  finish(): SeriesTotals {
    this.down.close();
    this.degraded.close();
    return {
      seconds: { ...this.seconds },
      downtimeMinutes: this.down.minutes,
      degradedMinutes: this.degraded.minutes,
      downEpisodes: this.down.episodes,
    };
  }
}

export interface ProviderTotals {
  global: SeriesTotals;
  regions: Record<string, SeriesTotals>;
  /** One per UTC day of the period (see `daysOf`), global verdict. */
  daily: SeriesTotals[];
  /** Rollups read (inside the period). */
  minutes: number;
}

/**
 * Folds a provider's rollups, in minute order as the stores return them, into totals for the
 * period, each region and each UTC day. Whole minutes up everywhere (nearly all of them) are only
 * counted, and added in one go when the run ends: that keeps a year of rollups fast.
 */
export class ProviderFold {
  private readonly global = new SeriesAccumulator();
  private readonly regionAccumulators: SeriesAccumulator[];
  private readonly daily: SeriesAccumulator[];
  private readonly firstDay: number;
  private minutes = 0;
  private dayPrefix = "";
  private dayStart = 0;
  /** The run of all-up minutes not yet added: its length, its day, and the minute after it. */
  private run = 0;
  private runDay = 0;
  private runNext = 0;

  constructor(
    private readonly period: ReportPeriod,
    private readonly regions: readonly string[],
  ) {
    this.regionAccumulators = regions.map(() => new SeriesAccumulator());
    this.firstDay = Math.floor(period.from / dayMs) * dayMs;
    const days = Math.ceil((period.to - this.firstDay) / dayMs);
    this.daily = Array.from({ length: days }, () => new SeriesAccumulator());
  }

  add(rollup: MinuteRollup): void {
    const minute = this.minuteOf(rollup.minute);
    if (!(minute >= this.period.from && minute < this.period.to)) return;
    this.minutes += 1;
    const day = Math.floor((minute - this.firstDay) / dayMs);
    if (this.allUp(rollup)) {
      if (this.run > 0 && (day !== this.runDay || minute !== this.runNext)) this.flushRun();
      if (this.run === 0) this.runDay = day;
      this.run += 1;
      this.runNext = minute + minuteMs;
      return;
    }
    this.flushRun();
    this.global.add(minute, rollup.global);
    const regional = rollup.regions;
    for (let i = 0; i < this.regions.length; i++) {
      this.regionAccumulators[i]?.add(minute, regional[this.regions[i] as string]);
    }
    this.daily[day]?.add(minute, rollup.global);
  }

  addAll(rollups: readonly MinuteRollup[]): this {
    for (let i = 0; i < rollups.length; i++) this.add(rollups[i] as MinuteRollup);
    return this;
  }

  finish(): ProviderTotals {
    this.flushRun();
    const regions: Record<string, SeriesTotals> = {};
    this.regions.forEach((region, i) => {
      const accumulator = this.regionAccumulators[i];
      if (accumulator) regions[region] = accumulator.finish();
    });
    return {
      global: this.global.finish(),
      regions,
      daily: this.daily.map((d) => d.finish()),
      minutes: this.minutes,
    };
  }

  /** A whole minute up, globally and in every region (a minute has at most 60 s, so nothing else). */
  private allUp(rollup: MinuteRollup): boolean {
    if ((rollup.global.up ?? 0) < 60) return false;
    const regional = rollup.regions;
    // for-in over the rollup's own regions is faster than a lookup per configured region; a
    // configured region the rollup lacks makes the count fall short.
    let present = 0;
    for (const region in regional) {
      if ((regional[region]?.up ?? 0) < 60) return false;
      present += 1;
    }
    return present >= this.regions.length;
  }

  private flushRun(): void {
    if (this.run === 0) return;
    this.global.addUp(this.run);
    for (const accumulator of this.regionAccumulators) accumulator.addUp(this.run);
    this.daily[this.runDay]?.addUp(this.run);
    this.run = 0;
  }

  /**
   * Epoch ms of a rollup's minute (`YYYY-MM-DDTHH:MM:...Z`). Rollups of one day share its date, so the
   * date is parsed once a day and compared digit by digit after that (a string compare per rollup
   * is measurably slower over millions of them).
   */
  private minuteOf(text: string): number {
    const prefix = this.dayPrefix;
    if (
      prefix !== "" &&
      text.length === 24 &&
      text.charCodeAt(9) === prefix.charCodeAt(9) &&
      text.charCodeAt(8) === prefix.charCodeAt(8) &&
      text.charCodeAt(6) === prefix.charCodeAt(6) &&
      text.charCodeAt(5) === prefix.charCodeAt(5) &&
      text.charCodeAt(3) === prefix.charCodeAt(3) &&
      text.charCodeAt(2) === prefix.charCodeAt(2) &&
      text.charCodeAt(1) === prefix.charCodeAt(1) &&
      text.charCodeAt(0) === prefix.charCodeAt(0)
    ) {
      return this.dayStart + twoDigits(text, 11) * 3_600_000 + twoDigits(text, 14) * minuteMs;
    }
    const ms = Date.parse(text);
    if (text.length === 24 && text.charCodeAt(10) === 84 /* T */ && text.endsWith("Z") && !Number.isNaN(ms)) {
      this.dayPrefix = text.slice(0, 11);
      this.dayStart = Math.floor(ms / dayMs) * dayMs;
    }
    return ms;
  }
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
