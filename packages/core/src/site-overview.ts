import type { Config, Site } from "./config.js";
import { formatReadinessPct, type ReadinessResult } from "./continuity.js";
import type { StoredState } from "./ports.js";
import type { SiteState } from "./site-state.js";
import type { SiteVerdicts } from "./verdict.js";

/*
 * Many sites at a glance (`idpctl status` without --site, the dashboard): each site in one line,
 * the ones that need someone first. What "needs someone" means is said here once, so the command
 * line and the page agree on the order.
 */

/** How much a site needs someone: 3 now (users may fail to sign in), 2 soon, 1 worth a look, 0 fine. */
export type TroubleLevel = 0 | 1 | 2 | 3;

export interface Trouble {
  level: Exclude<TroubleLevel, 0>;
  text: string;
}

/** The last readiness of a site with continuity: a result, not measured yet, or why it cannot be read. */
export type ReadinessLook = ReadinessResult | null | { error: string };

export interface SiteSummary {
  site: string;
  hostname: string;
  tags: string[];
  /** Undefined before the site's first evaluation. */
  state?: SiteState["state"];
  since?: string;
  /** The provider serving (or being moved to). */
  serving?: string;
  primary: string;
  verdicts: Array<{ provider: string; verdict: string; mode?: string }>;
  incident?: { id: string; provider: string; start: string; failoverTo?: string };
  /** A site with continuity: its secondary's last readiness, in short ("98.4%", "not measured yet"). */
  readiness?: string;
  /**
   * The monitor's own trouble as this site's state has it: probe regions impaired or silent. It is the
   * deployment's, not the site's (every site's state carries it), so it is said once, not as a trouble.
   */
  monitor?: { regions: string[]; since: string; holding: boolean };
  /** The worst of `troubles`: what orders the sites. */
  level: TroubleLevel;
  /** What needs someone, the worst first; empty when the site is fine. */
  troubles: Trouble[];
}

/** One site's summary from what the store holds: its state, its verdicts, its last readiness. */
export function summarizeSite(
  site: Site,
  stored: StoredState | undefined,
  verdicts: SiteVerdicts,
  readiness?: ReadinessLook,
): SiteSummary {
  const state = stored?.state;
  const primary = site.providers[0]?.id ?? "";
  const troubles: Trouble[] = [];
  const add = (level: Trouble["level"], text: string) => troubles.push({ level, text });
  const serving = state?.active ?? primary;
  const verdictOf = (provider: string) => verdicts[provider]?.verdict;

  if (state?.incident && !state.incident.endAt) {
    add(3, `incident: ${state.incident.provider} failing since ${state.incident.start}`);
  }
  if (verdictOf(serving) === "down") add(3, `${serving} serves and is down`);
  if (state?.dns?.rejected) add(3, `DNS change rejected by Route 53: ${state.dns.lastError ?? ""}`.trim());
  if (state && state.state !== "primary-active" && !(state.state === "frozen" && serving === primary)) {
    add(2, `${state.state}: ${serving} serves, not ${primary}`);
  }
  if (state?.frozen) add(2, `frozen by ${state.frozen.by}: ${state.frozen.reason}`);
  if (state?.paused) add(2, `automatic changes paused (flapping) until ${state.paused.until}`);
  if (state?.approval) add(2, `failback approval waiting, expires ${state.approval.expiresAt}`);
  if (state?.dns && !state.dns.rejected) add(2, `DNS change waiting (${state.dns.purpose})`);
  for (const provider of site.providers) {
    const verdict = verdicts[provider.id];
    if (!verdict || verdict.verdict === "up") continue;
    if (verdict.verdict === "down") {
      if (provider.id !== serving) add(1, `${provider.id} down (standby)`);
      continue;
    }
    const mode = verdict.mode ? ` (${verdict.mode})` : "";
    add(verdict.verdict === "impaired" ? 2 : 1, `${provider.id} ${verdict.verdict}${mode}`);
  }
  if (stored?.outbox) add(1, "effects of the last decision not carried out yet");
  if (!state) add(1, "not evaluated yet");
  const readinessText = readiness === undefined ? undefined : readinessLine(readiness);
  if (readiness && !("error" in readiness)) {
    if (readiness.status === "partial") add(1, "readiness: partial read");
    else if (readiness.readinessPct !== null && readiness.readinessPct < readiness.minReadinessPct) {
      add(1, `readiness below ${readiness.minReadinessPct}%`);
    }
  } else if (readiness && "error" in readiness) add(1, `readiness unreadable: ${readiness.error}`);

  troubles.sort((a, b) => b.level - a.level);
  const incident = state?.incident && !state.incident.endAt ? state.incident : undefined;
  return {
    site: site.id,
    hostname: site.hostname,
    tags: site.tags,
    ...(state ? { state: state.state, since: state.since, serving: state.active } : {}),
    primary,
    verdicts: site.providers.map((p) => {
      const v = verdicts[p.id];
      return { provider: p.id, verdict: v?.verdict ?? "impaired", ...(v?.mode ? { mode: v.mode } : {}) };
    }),
    ...(incident
      ? {
          incident: {
            id: incident.id,
            provider: incident.provider,
            start: incident.start,
            ...(incident.failoverTo ? { failoverTo: incident.failoverTo } : {}),
          },
        }
      : {}),
    ...(readinessText ? { readiness: readinessText } : {}),
    ...(state?.alerts.monitor
      ? {
          monitor: {
            regions: state.alerts.monitor.regions,
            since: state.alerts.monitor.since,
            holding: state.alerts.monitor.holding,
          },
        }
      : {}),
    level: troubles[0]?.level ?? 0,
    troubles,
  };
}

function readinessLine(readiness: ReadinessLook): string {
  if (readiness === null) return "not measured yet";
  if ("error" in readiness) return "unavailable";
  if (readiness.status === "partial" || readiness.readinessPct === null) return "unknown (partial read)";
  return formatReadinessPct(readiness.readinessPct);
}

/** The sites that need someone first (the worst first), in the config's order otherwise. */
export function troubleFirst<T extends { level: TroubleLevel }>(summaries: readonly T[]): T[] {
  return summaries
    .map((summary, index) => ({ summary, index }))
    .sort((a, b) => b.summary.level - a.summary.level || a.index - b.index)
    .map(({ summary }) => summary);
}

/** The sites carrying every one of `tags` (all sites for none), in the config's order. */
export function sitesTagged(config: Pick<Config, "sites">, tags: readonly string[]): Site[] {
  return config.sites.filter((site) => tags.every((tag) => site.tags.includes(tag)));
}
