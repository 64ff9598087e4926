import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
  type RRType,
} from "@aws-sdk/client-route-53";
import {
  type DnsApplyOutcome,
  type DnsChangeStatus,
  type DnsWeights,
  isServable,
  type Site,
  type Weights,
} from "@idp-failover/core";
import { describeAwsError, isRetryableAwsError, realSleep, type Sleep } from "./aws-errors.js";

/*
 * The login hostname's weighted records in Route 53: one record per provider, told apart by its
 * SetIdentifier. A change only ever moves weights: each record is UPSERTed as it is (TTL, type,
 * values or alias target, health check) with its new weight, every provider in ONE change batch, so
 * Route 53 applies all of it or none of it. A provider without a record yet gets one from the site's
 * config (its dnsTarget, the site's type and TTL).
 *
 * Outcomes for the state machine: `already-applied` when the records carry the weights already (the
 * retry after a crash), `retry` for throttling / PriorRequestNotComplete / 5xx / network, `rejected`
 * for what retrying cannot fix (InvalidChangeBatch, AccessDenied, NoSuchHostedZone, a set that is not
 * a weighted set). The SDK client retries throttling a few times itself before we see it.
 */

export interface Route53DnsWeightsOptions {
  /** Defaults to a client with the SDK's standard retries (Route 53 is global; the region only signs). */
  client?: Route53Client;
  /** Read the records back after a change and compare. Default true. */
  verify?: boolean;
}

/** What Route 53 holds for one provider of the site. */
export interface WeightedRecord {
  provider: string;
  setIdentifier: string;
  weight: number;
  type: string;
  ttl?: number;
  values: string[];
  aliasTarget?: string;
  healthCheckId?: string;
}

export interface WeightedSet {
  /** One entry per configured provider that has a record. */
  records: WeightedRecord[];
  /** Providers with no record for the hostname. */
  missing: string[];
  /** Records of the same name and type that belong to no configured provider (they get traffic too). */
  foreign: string[];
}

export type InsyncWait =
  | { kind: "insync"; waitedMs: number }
  | { kind: "timeout"; waitedMs: number; last: string };

export class Route53DnsWeights implements DnsWeights {
  private readonly client: Route53Client;
  private readonly verify: boolean;

  constructor(options: Route53DnsWeightsOptions = {}) {
    this.client = options.client ?? new Route53Client({ region: "us-east-1", maxAttempts: 4 });
    this.verify = options.verify ?? true;
  }

  async read(site: Site): Promise<Weights> {
    return weightsOf(site, await this.listGroup(site));
  }

  /** The weighted set as Route 53 holds it, per provider (for `idpctl status`). */
  async readSet(site: Site): Promise<WeightedSet> {
    return describeSet(site, await this.listGroup(site));
  }

  async apply(site: Site, weights: Weights): Promise<DnsApplyOutcome> {
    const target = targetWeights(site, weights);
    if (!isServable(target)) {
      return {
        kind: "rejected",
        message: "refusing a weighted set whose weights are all 0 (Route 53 would split traffic equally)",
      };
    }
    let current: ResourceRecordSet[];
    try {
      current = await this.listGroup(site);
    } catch (error) {
      return failure(error, "reading the weighted records");
    }
    const plan = planWeightChange(site, current, target);
    if (plan.kind !== "change") return plan;

    let changeId: string;
    try {
      const out = await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: site.hostedZoneId,
          ChangeBatch: { Comment: plan.comment, Changes: plan.changes },
        }),
      );
      changeId = stripPrefix(out.ChangeInfo?.Id ?? "", "/change/");
      if (!changeId)
        return { kind: "retry", message: "Route 53 accepted the change but returned no change id" };
    } catch (error) {
      return failure(error, "changing the weighted records");
    }

    if (this.verify) {
      const readBack = await this.listGroup(site).catch(() => undefined);
      // An unreadable set after an accepted change is reported by the INSYNC poll, not guessed at here.
      if (readBack) {
        const seen = weightsOf(site, readBack);
        const differs = site.providers.filter((p) => (seen[p.id] ?? 0) !== (target[p.id] ?? 0));
        if (differs.length > 0) {
          return {
            kind: "retry",
            message: `records read back after change ${changeId} differ from what was written (${differs
              .map((p) => `${p.id}: ${seen[p.id] ?? 0} != ${target[p.id] ?? 0}`)
              .join(", ")}): another writer?`,
          };
        }
      }
    }
    return { kind: "submitted", changeId };
  }

  async status(changeId: string): Promise<DnsChangeStatus> {
    try {
      const out = await this.client.send(new GetChangeCommand({ Id: stripPrefix(changeId, "/change/") }));
      const status = out.ChangeInfo?.Status;
      if (status === "INSYNC") return { kind: "insync" };
      if (status === "PENDING") return { kind: "pending" };
      return { kind: "retry", message: `unexpected change status ${String(status)}` };
    } catch (error) {
      return { kind: "retry", message: describeAwsError(error) };
    }
  }

  /**
   * Polls a change until INSYNC, for at most `timeoutMs` (for operators waiting at a terminal). `now`
   * only measures the wait (a stopwatch: performance.now() unless the caller passes its clock).
   */
  async waitForInsync(
    changeId: string,
    options: { timeoutMs?: number; intervalMs?: number; sleep?: Sleep; now?: () => number } = {},
  ): Promise<InsyncWait> {
    const {
      timeoutMs = 120_000,
      intervalMs = 5_000,
      sleep = realSleep,
      now = () => performance.now(),
    } = options;
    const started = now();
    for (;;) {
      const status = await this.status(changeId);
      const waitedMs = now() - started;
      if (status.kind === "insync") return { kind: "insync", waitedMs };
      if (waitedMs + intervalMs > timeoutMs) {
        return { kind: "timeout", waitedMs, last: status.kind === "retry" ? status.message : "PENDING" };
      }
      await sleep(intervalMs);
    }
  }

  /** Every record of the hostname and type, whatever its set identifier (paginated). */
  private async listGroup(site: Site): Promise<ResourceRecordSet[]> {
    const name = normalizeName(site.hostname);
    const found: ResourceRecordSet[] = [];
    let start: { name: string; type: RRType; identifier?: string } | undefined = {
      name: site.hostname,
      type: site.recordType,
    };
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: site.hostedZoneId,
          StartRecordName: start.name,
          StartRecordType: start.type,
          ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
          MaxItems: 100,
        }),
      );
      for (const record of page.ResourceRecordSets ?? []) {
        // Listing starts at our name and type and goes on in order: the first other one ends the group.
        if (normalizeName(record.Name ?? "") !== name || record.Type !== site.recordType) return found;
        found.push(record);
      }
      const next: string | undefined = page.IsTruncated ? page.NextRecordName : undefined;
      start =
        next && normalizeName(next) === name && page.NextRecordType === site.recordType
          ? {
              name: next,
              type: page.NextRecordType,
              ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}),
            }
          : undefined;
    }
    return found;
  }
}

/** Weight per provider, every provider of the site present (missing ones 0). */
export function targetWeights(site: Site, weights: Weights): Weights {
  return Object.fromEntries(site.providers.map((p) => [p.id, weights[p.id] ?? 0]));
}

export function weightsOf(site: Site, records: readonly ResourceRecordSet[]): Weights {
  return Object.fromEntries(
    site.providers.map((p) => [p.id, records.find((r) => r.SetIdentifier === p.setIdentifier)?.Weight ?? 0]),
  );
}

export function describeSet(site: Site, records: readonly ResourceRecordSet[]): WeightedSet {
  const known = new Set(site.providers.map((p) => p.setIdentifier));
  const out: WeightedSet = { records: [], missing: [], foreign: [] };
  for (const provider of site.providers) {
    const record = records.find((r) => r.SetIdentifier === provider.setIdentifier);
    if (!record) {
      out.missing.push(provider.id);
      continue;
    }
    out.records.push({
      provider: provider.id,
      setIdentifier: provider.setIdentifier,
      weight: record.Weight ?? 0,
      type: record.Type ?? site.recordType,
      ...(record.TTL !== undefined ? { ttl: record.TTL } : {}),
      values: (record.ResourceRecords ?? []).map((r) => r.Value ?? ""),
      ...(record.AliasTarget?.DNSName ? { aliasTarget: record.AliasTarget.DNSName } : {}),
      ...(record.HealthCheckId ? { healthCheckId: record.HealthCheckId } : {}),
    });
  }
  for (const record of records) {
    if (!known.has(record.SetIdentifier ?? "")) out.foreign.push(record.SetIdentifier ?? "(simple record)");
  }
  return out;
}

export type WeightChangePlan =
  | { kind: "change"; changes: Change[]; comment: string }
  | { kind: "already-applied" }
  | { kind: "rejected"; message: string };

/**
 * The one change batch that gives every provider its target weight, keeping everything else about
 * each existing record. Pure, so the rules are testable without a server.
 */
export function planWeightChange(
  site: Site,
  current: readonly ResourceRecordSet[],
  target: Weights,
): WeightChangePlan {
  const unweighted = current.find((r) => r.Weight === undefined || r.SetIdentifier === undefined);
  if (unweighted) {
    return {
      kind: "rejected",
      message: `${site.hostname} ${site.recordType} has a record that is not weighted (${unweighted.SetIdentifier ?? "simple routing"}); make every record of the name weighted first`,
    };
  }
  const records = site.providers.map((provider) => ({
    provider,
    existing: current.find((r) => r.SetIdentifier === provider.setIdentifier),
    weight: target[provider.id] ?? 0,
  }));
  if (records.every((r) => r.existing && r.existing.Weight === r.weight)) return { kind: "already-applied" };
  const changes: Change[] = records.map(({ provider, existing, weight }) => ({
    Action: "UPSERT",
    ResourceRecordSet: existing
      ? { ...existing, Weight: weight }
      : {
          Name: site.hostname,
          Type: site.recordType,
          SetIdentifier: provider.setIdentifier,
          Weight: weight,
          TTL: site.ttl,
          ResourceRecords: [{ Value: provider.dnsTarget }],
        },
  }));
  const summary = records.map((r) => `${r.provider.id}=${r.weight}`).join(" ");
  return { kind: "change", changes, comment: `idp-failover ${site.id}: ${summary}` };
}

function failure(error: unknown, doing: string): Extract<DnsApplyOutcome, { kind: "retry" | "rejected" }> {
  const detail = describeAwsError(error);
  const messages =
    error !== null && typeof error === "object" && "messages" in error ? error.messages : undefined;
  const extra = Array.isArray(messages)
    ? messages.filter((m) => typeof m === "string" && !detail.includes(m))
    : [];
  const message = `${doing}: ${[detail, ...extra].join("; ")}`;
  return isRetryableAwsError(error) ? { kind: "retry", message } : { kind: "rejected", message };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "").replace(/\\052/g, "*");
}

function stripPrefix(id: string, prefix: string): string {
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}
