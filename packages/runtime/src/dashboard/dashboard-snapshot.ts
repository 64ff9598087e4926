import {
  type Clock,
  type Config,
  loadVerdicts,
  type MessageRefs,
  type ReadinessResult,
  readinessHeadline,
  type Site,
  type SiteState,
  type Store,
  type Weights,
} from "@idp-failover/core";
import type { FeedEntry, FeedTone } from "../loop/loop-feed.js";
import type { LastRound } from "../loop/region-worker.js";
import { approvalMessage } from "./slack-approval.js";

/*
 * What the dashboard shows, as one JSON document: per site the state machine and its weights, the
 * region x provider grid, the latest SLA figures; the recent timeline; and whether the dashboard can
 * approve a failback (and as whom). Rebuilt from the store on demand, so it shows what is stored,
 * not what some cache believes.
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

export async function buildSnapshot(sources: SnapshotSources): Promise<DashboardSnapshot> {
  const { config, store, clock } = sources;
  const now = clock.now();
  const sites = await Promise.all(
    config.sites.map(async (site): Promise<SiteSnapshot> => {
      const [stored, verdicts] = await Promise.all([
        store.loadState(site.id),
        loadVerdicts(store, config, site, now),
      ]);
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
      const readiness = site.continuity ? await sources.readiness?.(site.id) : undefined;
      const approval = stored?.state.approval;
      const approvalInSlack =
        approval !== undefined && (await approvalMessage(sources.refs, site.id, approval.id)) !== undefined;
      return {
        id: site.id,
        hostname: site.hostname,
        ...(stored ? { state: stateView(stored.state, site, approvalInSlack) } : {}),
        providers,
        ...(sla ? { sla } : {}),
        ...(readiness ? { readiness: readinessView(readiness) } : {}),
      };
    }),
  );
  const banner = sources.banner?.();
  return {
    kind: sources.kind,
    title: sources.title,
    now: new Date(now).toISOString(),
    speed: clock.speed ?? 1,
    regions: config.regions,
    ...(banner ? { banner } : {}),
    approval: sources.approval,
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
