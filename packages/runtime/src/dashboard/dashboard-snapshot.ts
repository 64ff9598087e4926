import {
  type Clock,
  type Config,
  loadVerdicts,
  type MessageRefs,
  type ReadinessResult,
  readHeartbeats,
  readinessHeadline,
  type Site,
  type SiteState,
  type SiteSummary,
  type Store,
  sitesTagged,
  summarizeSite,
  troubleFirst,
  type Weights,
} from "@idp-failover/core";
import type { FeedEntry, FeedTone } from "../loop/loop-feed.js";
import type { LastRound } from "../loop/region-worker.js";
import { approvalMessage } from "./slack-approval.js";

/*
 * What the dashboard shows, as one JSON document: per site the state machine and its weights, the
 * region x provider grid, the latest SLA figures; the recent timeline; and whether the dashboard can
 * approve a failback (and as whom). Rebuilt from the store on demand, so it shows what is stored,
 * not what some cache believes. With many sites it shows a page of them at a time: those with the
 * tags asked for, the ones that need someone first (core's site-overview.ts, as `idpctl status`).
 * Every site of the filter is read for the order (its state and trackers); only the page's are
 * read in full (SLA figures, the approval message).
 */

export interface GridCell {
  region: string;
  verdict: string;
  /** ISO time of the region's last completed round. */
  lastRoundAt?: string;
  latencyMs?: number;
  ok?: number;
  failed?: number;
  /** What the last unhealthy round showed. */
  evidence?: string;
}

export interface ProviderRow {
  id: string;
  role: "primary" | "secondary";
  verdict: string;
  regions: GridCell[];
}

export interface SlaFigures {
  from: string;
  to: string;
  loginAvailabilityPct: number | null;
  primaryAvailabilityPct: number | null;
  failoverSavedMinutes: number | null;
  loginDowntimeSeconds: number;
  providers: Array<{
    id: string;
    availabilityPct: number | null;
    downtimeMinutes: number;
    degradedMinutes: number;
  }>;
  incidents: number;
}

export interface SiteSnapshot {
  id: string;
  hostname: string;
  tags: string[];
  /** How much the site needs someone (3 now .. 0 fine), and why: the order of the page. */
  level: SiteSummary["level"];
  troubles: SiteSummary["troubles"];
  /** Undefined until the first evaluation. */
  state?: {
    name: SiteState["state"];
    since: string;
    version: number;
    active: string;
    weights: Weights;
    dns?: {
      weights: Weights;
      purpose: string;
      changeId?: string;
      status: "waiting" | "submitted" | "rejected";
      lastError?: string;
    };
    /** `inSlack`: the request's message is posted, so its Approve failback button can be pressed. */
    approval?: { id: string; requestedAt: string; expiresAt: string; inSlack: boolean };
    failback?: { step: number; steps: number; approvedBy: string };
    frozen?: { by: string; reason: string; at: string };
    /** Automatic DNS changes paused for flapping until `until` (or `idpctl resume`). */
    paused?: { since: string; until: string; changes: number };
    incident?: {
      id: string;
      provider: string;
      start: string;
      detectedAt: string;
      insyncAt?: string;
      recoveredAt?: string;
    };
  };
  providers: ProviderRow[];
  sla?: SlaFigures;
  /** The last continuity readiness run (docs/readiness.md), for a site with continuity. */
  readiness?: ReadinessView;
}

export interface ReadinessView {
  headline: string;
  status: ReadinessResult["status"];
  readinessPct: number | null;
  minReadinessPct: number;
  at: string;
  /** Drift people act on, the worst first. */
  drift: string[];
}

/** Which sites a page shows: those with every one of `tags`, page `page` (from 1). */
export interface SnapshotView {
  tags: string[];
  page: number;
}

export const firstPage: SnapshotView = { tags: [], page: 1 };

/** Sites shown in full on one page. */
export const sitesPerPage = 12;

export interface DashboardSnapshot {
  kind: "drill" | "run";
  title: string;
  /** The loop's clock, ISO. */
  now: string;
  speed: number;
  regions: string[];
  banner?: { text: string; tone: FeedTone };
  /** Whom the Approve button clicks as, or why it cannot. */
  approval: { as: string } | { unavailable: string };
  /**
   * The monitor's own trouble, the deployment's (any site's state carries it): probe regions impaired
   * or silent since `since`; `holding` when too few can judge and nothing moves automatically.
   */
  monitor?: { regions: string[]; since: string; holding: boolean };
  /** The page: the filter, where it is, how many sites match and how many need someone. */
  view: {
    tags: string[];
    page: number;
    pages: number;
    sites: number;
    matching: number;
    /** Every tag of the config with its number of sites, for the filter. */
    allTags: Array<{ tag: string; sites: number }>;
    /** Matching sites by level: now, soon, worth a look, fine. */
    levels: { now: number; soon: number; look: number; fine: number };
  };
  /** The page's sites, the ones that need someone first. */
  sites: SiteSnapshot[];
  timeline: FeedEntry[];
}

export interface SnapshotSources {
  kind: "drill" | "run";
  title: string;
  config: Config;
  store: Store;
  /** Where the Slack deliverer records the messages it posted (the approval request's among them). */
  refs: Pick<MessageRefs, "recall">;
  clock: Clock & { speed?: number };
  recent: () => FeedEntry[];
  lastRound: (region: string, site: string, provider: string) => LastRound | undefined;
  approval: DashboardSnapshot["approval"];
  banner?: () => DashboardSnapshot["banner"];
  sla?: (site: string) => Promise<SlaFigures | undefined>;
  readiness?: (site: string) => Promise<ReadinessResult | undefined>;
}

export async function buildSnapshot(
  sources: SnapshotSources,
  view: SnapshotView = firstPage,
): Promise<DashboardSnapshot> {
  const { config, store, clock } = sources;
  const now = clock.now();
  const heartbeats = await readHeartbeats(store, config);
  const matching = sitesTagged(config, view.tags);
  const read = await Promise.all(
    matching.map(async (site) => {
      const [stored, verdicts, readiness] = await Promise.all([
        store.loadState(site.id),
        loadVerdicts(store, config, site, now, heartbeats),
        site.continuity ? sources.readiness?.(site.id) : undefined,
      ]);
      const summary = summarizeSite(
        site,
        stored,
        verdicts,
        site.continuity ? (readiness ?? null) : undefined,
      );
      return { site, stored, verdicts, readiness, level: summary.level, summary };
    }),
  );
  const ordered = troubleFirst(read);
  const pages = Math.max(1, Math.ceil(ordered.length / sitesPerPage));
  const page = Math.min(Math.max(1, view.page), pages);
  const shown = ordered.slice((page - 1) * sitesPerPage, page * sitesPerPage);
  const sites = await Promise.all(
    shown.map(async ({ site, stored, verdicts, readiness, summary }): Promise<SiteSnapshot> => {
      const providers = site.providers.map((provider): ProviderRow => {
        const verdict = verdicts[provider.id];
        return {
          id: provider.id,
          role: provider.role,
          verdict: verdict?.verdict ?? "impaired",
          regions: config.regions.map((region) => {
            const view = verdict?.regions.find((r) => r.region === region);
            const last = sources.lastRound(region, site.id, provider.id);
            const evidence = view?.evidence[0] ?? last?.evidence;
            return {
              region,
              verdict: view?.verdict ?? "stale",
              ...(view?.lastRoundAt !== undefined
                ? { lastRoundAt: new Date(view.lastRoundAt).toISOString() }
                : {}),
              ...(last ? { latencyMs: last.latencyMs, ok: last.ok, failed: last.failed } : {}),
              ...(evidence && view?.verdict !== "up"
                ? {
                    evidence: `${evidence.probe}: ${evidence.class}${evidence.status ? ` ${evidence.status}` : ""}, ${evidence.latencyMs} ms`,
                  }
                : {}),
            };
          }),
        };
      });
      const sla = await sources.sla?.(site.id);
      const approval = stored?.state.approval;
      const approvalInSlack =
        approval !== undefined && (await approvalMessage(sources.refs, site.id, approval.id)) !== undefined;
      return {
        id: site.id,
        hostname: site.hostname,
        tags: site.tags,
        level: summary.level,
        troubles: summary.troubles,
        ...(stored ? { state: stateView(stored.state, site, approvalInSlack) } : {}),
        providers,
        ...(sla ? { sla } : {}),
        ...(readiness ? { readiness: readinessView(readiness) } : {}),
      };
    }),
  );
  const banner = sources.banner?.();
  const monitor = read.map((r) => r.summary.monitor).find((m) => m !== undefined);
  const count = (level: SiteSummary["level"]) => read.filter((r) => r.level === level).length;
  const tagCounts = new Map<string, number>();
  for (const tag of config.sites.flatMap((s) => s.tags)) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
  return {
    kind: sources.kind,
    title: sources.title,
    now: new Date(now).toISOString(),
    speed: clock.speed ?? 1,
    regions: config.regions,
    ...(banner ? { banner } : {}),
    approval: sources.approval,
    ...(monitor ? { monitor } : {}),
    view: {
      tags: view.tags,
      page,
      pages,
      sites: config.sites.length,
      matching: matching.length,
      allTags: [...tagCounts].sort(([a], [b]) => a.localeCompare(b)).map(([tag, sites]) => ({ tag, sites })),
      levels: { now: count(3), soon: count(2), look: count(1), fine: count(0) },
    },
    sites,
    timeline: sources.recent(),
  };
}

function readinessView(result: ReadinessResult): ReadinessView {
  const drift = [
    ...result.apps.items
      .filter((a) => a.notCoveredCount > 0)
      .map((a) => ({
        n: a.notCoveredCount,
        text: `${a.name}: ${a.notCoveredCount} of ${a.assignedInPrimary} cannot sign in`,
      })),
    {
      n: result.users.missingCount,
      text: `${result.users.missingCount} without an account in ${result.secondary}`,
    },
    {
      n: result.users.disabledInSecondaryCount,
      text: `${result.users.disabledInSecondaryCount} disabled in ${result.secondary}`,
    },
    {
      n: result.groups.membershipDrift,
      text: `${result.groups.membershipDrift} group membership(s) missing`,
    },
  ]
    .filter((d) => d.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((d) => d.text);
  return {
    headline: readinessHeadline(result),
    status: result.status,
    readinessPct: result.readinessPct,
    minReadinessPct: result.minReadinessPct,
    at: result.at,
    drift: [...result.partial.map((p) => p.message), ...drift].slice(0, 6),
  };
}

function stateView(
  state: SiteState,
  site: Site,
  approvalInSlack: boolean,
): NonNullable<SiteSnapshot["state"]> {
  const dns = state.dns;
  const incident = state.incident;
  return {
    name: state.state,
    since: state.since,
    version: state.version,
    active: state.active,
    weights: state.weights,
    ...(dns
      ? {
          dns: {
            weights: dns.weights,
            purpose: dns.purpose,
            ...(dns.changeId ? { changeId: dns.changeId } : {}),
            status: dns.rejected ? "rejected" : dns.changeId ? "submitted" : "waiting",
            ...(dns.lastError ? { lastError: dns.lastError } : {}),
          },
        }
      : {}),
    ...(state.approval
      ? {
          approval: {
            id: state.approval.id,
            requestedAt: state.approval.requestedAt,
            expiresAt: state.approval.expiresAt,
            inSlack: approvalInSlack,
          },
        }
      : {}),
    ...(state.failback
      ? {
          failback: {
            step: state.failback.step + 1,
            steps: site.policy.failback.steps.length,
            approvedBy: state.failback.approvedBy,
          },
        }
      : {}),
    ...(state.frozen ? { frozen: state.frozen } : {}),
    ...(state.paused ? { paused: state.paused } : {}),
    ...(incident
      ? {
          incident: {
            id: incident.id,
            provider: incident.provider,
            start: incident.start,
            detectedAt: incident.detectedAt,
            ...(incident.insyncAt ? { insyncAt: incident.insyncAt } : {}),
            ...(incident.recoveredAt ? { recoveredAt: incident.recoveredAt } : {}),
          },
        }
      : {}),
  };
}
