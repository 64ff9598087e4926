import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import type { Site } from "@idp-failover/core";
import { describeAwsError } from "./aws-errors.js";

/*
 * Taking over a login hostname that already has a record (a plain CNAME or A record users sign in
 * through today): one ChangeResourceRecordSets batch that DELETEs the records in the way and CREATEs
 * the site's weighted set (the primary at 100, the others at 0), which Route 53 applies all or none.
 * Deleting first and creating after, as two changes, leaves a window in which the name does not exist
 * (NXDOMAIN, and negative caching keeps it longer). `sst deploy` afterwards adopts the weighted
 * records as they are (an UPSERT) and attaches the primary's health check.
 *
 * Refused rather than guessed: records at the name with another routing policy or a set identifier
 * no provider owns (they would get traffic beside ours), NS or SOA records (a delegation or the zone
 * apex), and a CNAME site at a name that holds other record types.
 */

export type TakeoverPlan =
  | { kind: "takeover"; changes: Change[]; deleting: string[]; creating: string[] }
  | { kind: "nothing-to-do"; reason: string }
  | { kind: "refused"; reason: string; hint: string };

export function planTakeover(site: Site, atName: readonly ResourceRecordSet[]): TakeoverPlan {
  const ours = new Set(site.providers.map((p) => p.setIdentifier));
  const foreign = atName.filter((r) => r.SetIdentifier !== undefined && !ours.has(r.SetIdentifier));
  if (foreign.length > 0) {
    return {
      kind: "refused",
      reason: `${site.hostname} has records no provider owns: ${foreign.map(describe).join(", ")}`,
      hint: "delete them, or give a provider that setIdentifier in the config",
    };
  }
  const delegation = atName.filter((r) => r.Type === "NS" || r.Type === "SOA");
  if (delegation.length > 0) {
    return {
      kind: "refused",
      reason: `${site.hostname} holds ${delegation.map((r) => r.Type).join(" and ")} records: it is a zone apex or a delegation`,
      hint: "use a name below the zone apex (login.example.com), in the zone that holds it",
    };
  }
  const weighted = atName.filter(
    (r) => r.SetIdentifier !== undefined && r.Type === site.recordType && r.Weight !== undefined,
  );
  const wrongType = atName.filter((r) => r.SetIdentifier !== undefined && r.Type !== site.recordType);
  if (wrongType.length > 0) {
    return {
      kind: "refused",
      reason: `${site.hostname} has weighted records of another type: ${wrongType.map(describe).join(", ")}`,
      hint: `set the site's recordType to ${wrongType[0]?.Type}, or delete those records`,
    };
  }
  // What stands in the way of the weighted set: every plain record a CNAME cannot live beside, or
  // the plain records of our type (and a CNAME) for an A or AAAA site.
  const inTheWay = atName.filter(
    (r) =>
      r.SetIdentifier === undefined &&
      (site.recordType === "CNAME" || r.Type === site.recordType || r.Type === "CNAME"),
  );
  const missing = site.providers.filter((p) => !weighted.some((r) => r.SetIdentifier === p.setIdentifier));
  if (inTheWay.length === 0 && missing.length === 0) {
    return { kind: "nothing-to-do", reason: `${site.hostname} already carries the site's weighted records` };
  }
  if (inTheWay.length > 0 && weighted.length > 0) {
    return {
      kind: "refused",
      reason: `${site.hostname} mixes plain and weighted records, which Route 53 does not hold: ${atName.map(describe).join(", ")}`,
      hint: "look at the zone by hand: this is not a state idpctl left it in",
    };
  }
  const primary = site.providers[0]?.id;
  const created: ResourceRecordSet[] = missing.map((p) => ({
    Name: site.hostname,
    Type: site.recordType,
    SetIdentifier: p.setIdentifier,
    Weight: p.id === primary ? 100 : 0,
    TTL: site.ttl,
    ResourceRecords: [{ Value: p.dnsTarget }],
  }));
  return {
    kind: "takeover",
    changes: [
      ...inTheWay.map((record): Change => ({ Action: "DELETE", ResourceRecordSet: record })),
      ...created.map((record): Change => ({ Action: "CREATE", ResourceRecordSet: record })),
    ],
    deleting: inTheWay.map(describe),
    creating: created.map(describe),
  };
}

function describe(r: ResourceRecordSet): string {
  const target = r.AliasTarget?.DNSName ?? (r.ResourceRecords ?? []).map((v) => v.Value).join(" ");
  const weight = r.Weight !== undefined ? ` weight ${r.Weight}` : "";
  return `${r.Type}${r.SetIdentifier !== undefined ? ` [${r.SetIdentifier}]` : ""}${weight} -> ${target}`;
}

export type TakeoverOutcome = { kind: "submitted"; changeId: string } | { kind: "rejected"; message: string };

export class Route53LoginTakeover {
  private readonly client: Route53Client;

  constructor(options: { client?: Route53Client } = {}) {
    this.client = options.client ?? new Route53Client({ region: "us-east-1", maxAttempts: 4 });
  }

  /** Every record at the site's hostname, whatever its type (paginated). */
  async recordsAt(site: Site): Promise<ResourceRecordSet[]> {
    const name = normalizeName(site.hostname);
    const found: ResourceRecordSet[] = [];
    let start: { name: string; type?: string; identifier?: string } | undefined = { name: site.hostname };
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: site.hostedZoneId,
          StartRecordName: start.name,
          ...(start.type ? { StartRecordType: start.type as never } : {}),
          ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
          MaxItems: 100,
        }),
      );
      for (const record of page.ResourceRecordSets ?? []) {
        if (normalizeName(record.Name ?? "") !== name) return found;
        found.push(record);
      }
      start =
        page.IsTruncated && page.NextRecordName && normalizeName(page.NextRecordName) === name
          ? {
              name: page.NextRecordName,
              ...(page.NextRecordType ? { type: page.NextRecordType } : {}),
              ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}),
            }
          : undefined;
    }
    return found;
  }

  async plan(site: Site): Promise<TakeoverPlan> {
    return planTakeover(site, await this.recordsAt(site));
  }

  /** Submits the plan's batch: one change, applied by Route 53 all or none. */
  async apply(site: Site, plan: Extract<TakeoverPlan, { kind: "takeover" }>): Promise<TakeoverOutcome> {
    try {
      const answer = await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: site.hostedZoneId,
          ChangeBatch: {
            Comment: `idp-failover: take over ${site.hostname} for site ${site.id}`,
            Changes: plan.changes,
          },
        }),
      );
      return { kind: "submitted", changeId: (answer.ChangeInfo?.Id ?? "").replace(/^\/change\//, "") };
    } catch (error) {
      return { kind: "rejected", message: describeAwsError(error) };
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}
