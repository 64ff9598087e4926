import type { StateName, Weights } from "@idp-failover/core";

/*
 * Whether the drill met its expectations: it failed over within the policy's bound once the outage
 * began, it never flipped when it should not have (before the outage, during trouble the policy must
 * ride out, or back and forth), and failback completed with Route 53 holding all weight on the
 * primary. Pure: the drill collects the record (transitions from the audit trail, records from Route
 * 53) and the exit code follows from this.
 */

export interface RecordedTransition {
  /** Epoch ms. */
  at: number;
  from: StateName;
  to: StateName;
  reason: string;
}

export interface DrillRecord {
  primary: string;
  transitions: readonly RecordedTransition[];
  /** When the outage that must fail over began (epoch ms); undefined if the drill never got there. */
  outageAt?: number;
  failoverBoundMs: number;
  finalState?: StateName;
  /** What the weighted records hold at the end. */
  route53Weights: Weights;
  /** The game day stopped early: why. */
  stoppedEarly?: string;
}

export interface DrillCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DrillVerdict {
  ok: boolean;
  checks: DrillCheck[];
}

export function checkDrill(record: DrillRecord): DrillVerdict {
  const checks = [failedOverInTime(record), noFalseFlip(record), failbackCompleted(record)];
  if (record.stoppedEarly) {
    checks.unshift({ name: "game day ran to its end", ok: false, detail: record.stoppedEarly });
  }
  return { ok: checks.every((c) => c.ok), checks };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function failedOverInTime(record: DrillRecord): DrillCheck {
  const name = "failed over within the policy's bound";
  const { outageAt, transitions } = record;
  if (outageAt === undefined) return { name, ok: false, detail: "the outage never began" };
  const start = transitions.find((t) => t.to === "failing-over" && t.at >= outageAt);
  if (!start) return { name, ok: false, detail: "no failover after the outage began" };
  const done = transitions.find(
    (t) => t.from === "failing-over" && t.to === "secondary-active" && t.at >= start.at,
  );
  if (!done) {
    return {
      name,
      ok: false,
      detail: `failover started +${seconds(start.at - outageAt)} but never got in sync`,
    };
  }
  const took = done.at - outageAt;
  return {
    name,
    ok: took <= record.failoverBoundMs,
    detail: `decided +${seconds(start.at - outageAt)}, DNS in sync +${seconds(took)} after the outage began (bound ${seconds(record.failoverBoundMs)})`,
  };
}

function noFalseFlip(record: DrillRecord): DrillCheck {
  const name = "no false flip";
  const failovers = record.transitions.filter((t) => t.to === "failing-over");
  const outageAt = record.outageAt ?? Number.POSITIVE_INFINITY;
  const early = failovers.filter((t) => t.at < outageAt);
  const aborts = record.transitions.filter((t) => t.from === "failing-back" && t.to === "secondary-active");
  const problems = [
    ...early.map((t) => `failed over before the outage: ${t.reason}`),
    ...(failovers.length > 1 ? [`${failovers.length} failovers where one was expected`] : []),
    ...aborts.map((t) => `failback aborted: ${t.reason}`),
  ];
  return problems.length === 0
    ? {
        name,
        ok: true,
        detail: `${failovers.length} failover, no failover before the outage, no failback abort`,
      }
    : { name, ok: false, detail: problems.join("; ") };
}

function failbackCompleted(record: DrillRecord): DrillCheck {
  const name = "failback completed";
  const done = record.transitions.find((t) => t.from === "failing-back" && t.to === "primary-active");
  const weights = Object.entries(record.route53Weights);
  const allOnPrimary =
    weights.length > 0 &&
    weights.every(([provider, weight]) => (provider === record.primary ? weight === 100 : weight === 0));
  const held = weights.map(([p, w]) => `${p} ${w}`).join(", ") || "nothing";
  if (!done)
    return {
      name,
      ok: false,
      detail: `no completed failback (state ${record.finalState ?? "unknown"}, Route 53: ${held})`,
    };
  if (record.finalState !== "primary-active" || !allOnPrimary) {
    return {
      name,
      ok: false,
      detail: `failback finished but the site ended ${record.finalState ?? "unknown"} with Route 53 holding ${held}`,
    };
  }
  return { name, ok: true, detail: `${done.reason}; Route 53 holds ${held}` };
}
