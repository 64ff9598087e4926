import {
  type DnsApplyOutcome,
  type DnsChangeStatus,
  type DnsWeights,
  isServable,
  type Site,
  sameWeights,
  type Weights,
  weightsServing,
} from "@idp-failover/core";

/*
 * `idpctl run --dns dry-run`: the weighted records as the state machine would set them, without
 * calling Route 53. Every change is described (the records it would UPSERT) and then treated as
 * applied and in sync at once, so the rest of the loop (failback steps, messages) runs as it would.
 * Weights start all on the primary, as an operator's records would.
 */
export class DryRunDnsWeights implements DnsWeights {
  private readonly weights = new Map<string, Weights>();
  private changes = 0;

  constructor(private readonly describe: (site: Site, change: string) => void) {}

  async read(site: Site): Promise<Weights> {
    return { ...(this.weights.get(site.id) ?? weightsServing(site, site.providers[0]?.id ?? "")) };
  }

  async apply(site: Site, weights: Weights): Promise<DnsApplyOutcome> {
    if (!isServable(weights)) {
      return { kind: "rejected", message: "refusing a weighted set whose weights are all 0" };
    }
    if (sameWeights(await this.read(site), weights)) return { kind: "already-applied" };
    this.changes += 1;
    this.weights.set(site.id, { ...weights });
    this.describe(site, describeChange(site, weights));
    return { kind: "submitted", changeId: `dry-run-${this.changes}` };
  }

  async status(_changeId: string): Promise<DnsChangeStatus> {
    return { kind: "insync" };
  }
}

/** The change Route 53 would be sent, in words: one UPSERT per provider's weighted record. */
export function describeChange(site: Site, weights: Weights): string {
  const records = site.providers.map(
    (p) => `${p.setIdentifier} weight ${weights[p.id] ?? 0} -> ${p.dnsTarget}`,
  );
  return `would UPSERT ${site.hostname} ${site.recordType} (TTL ${site.ttl}) in zone ${site.hostedZoneId}: ${records.join("; ")}`;
}
