import type { Clock, Config, JournalStore } from "@idp-failover/core";
import { customPeriod, minuteMs, reportFromStore, type SiteReport } from "@idp-failover/report";
import type { SlaFigures } from "./dashboard-snapshot.js";

/*
 * The dashboard's "SLA so far": the report model (the same arithmetic as the monthly report) over the
 * minutes rolled up since the loop started, recomputed at most every `refreshMs` of real time (the
 * `real` clock: in the drill the loop's clock runs many times faster).
 */

export function slaFiguresOf(site: SiteReport, from: number, to: number): SlaFigures {
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    loginAvailabilityPct: site.loginAvailabilityPct,
    primaryAvailabilityPct: site.primaryAvailabilityPct,
    failoverSavedMinutes: site.failoverSavedMinutes,
    loginDowntimeSeconds: site.loginDowntimeSeconds,
    providers: site.providers.map((p) => ({
      id: p.id,
      availabilityPct: p.availabilityPct,
      downtimeMinutes: p.downtimeMinutes,
      degradedMinutes: p.degradedMinutes,
    })),
    incidents: site.incidents.length,
  };
}

export class SlaFiguresCache {
  private figures = new Map<string, SlaFigures>();
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<JournalStore, "listRollups" | "listIncidents">,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly real: Clock,
    /** Epoch ms on the loop's clock: the figures cover [from, now). */
    private readonly from: number,
    private readonly refreshMs = 3000,
  ) {}

  async of(site: string): Promise<SlaFigures | undefined> {
    if (this.real.now() - this.refreshedAt > this.refreshMs) await this.refresh();
    return this.figures.get(site);
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.compute().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async compute(): Promise<void> {
    this.refreshedAt = this.real.now();
    const now = this.clock.now();
    const from = Math.floor(this.from / minuteMs) * minuteMs;
    // Only whole minutes are rolled up: the open one would count as "no data".
    const to = Math.floor(now / minuteMs) * minuteMs;
    if (to <= from) return;
    try {
      // Open incidents count up to the period's end, like the minutes do: one edge for every figure.
      const report = await reportFromStore(this.store, this.config, customPeriod(from, to), { now: to });
      this.figures = new Map(report.sites.map((s) => [s.site, slaFiguresOf(s, from, to)]));
    } catch {
      // Figures are a convenience: a store hiccup leaves the last ones up.
    }
  }
}
