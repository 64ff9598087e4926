import type { NotificationIntent } from "./effects.js";
import type { Weights } from "./site-state.js";

/*
 * One line of plain text per notification: what `idpctl replay` lists as alerts and what a log line
 * says. Slack renders the same intents richly (packages/slack/src/messages.ts); this is the words
 * without the blocks, so replay shows an on-call engineer what they would have been told.
 */

const modeMeaning = {
  "read-only": "read-only: sign-ins work, changes do not",
  "backup-auth": "backup authentication: existing sessions only, no new sign-ins",
} as const;

export function notificationText(intent: NotificationIntent): string {
  switch (intent.kind) {
    case "failing-over":
      return `failing over ${intent.from} -> ${intent.to}: ${intent.reason}`;
    case "failed-over":
      return `failed over ${intent.from} -> ${intent.to} (DNS in sync)`;
    case "both-down": {
      const modes = Object.entries(intent.modes ?? {}).map(([id, mode]) => `${id} in ${mode}`);
      return modes.length > 0
        ? `both impaired: ${intent.providers.filter((p) => !(p in (intent.modes ?? {}))).join(", ")} down, ${modes.join(", ")}; no failover possible`
        : `all providers down (${intent.providers.join(", ")}): no failover possible`;
    }
    case "monitor-impaired": {
      const regions = [...(intent.impairedRegions ?? []), ...intent.staleRegions];
      const reasons = groupedReasons(intent.reasons ?? {});
      const hold = intent.holding
        ? "fewer than a quorum of regions can judge: nothing moves automatically"
        : "they abstain; the other regions still decide";
      return `monitor impaired in ${regions.join(", ") || "no region"}${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}: ${hold}`;
    }
    case "monitor-restored":
      return "monitor restored: every probe region judges again";
    case "provider-degraded":
      return `${intent.provider} degraded${intent.mode ? ` (${modeMeaning[intent.mode]})` : ""}`;
    case "provider-down":
      return `${intent.provider} (standby) down`;
    case "provider-recovered":
      return `${intent.provider} recovered (was ${intent.was})`;
    case "failback-requested":
      return `failback approval requested (expires ${intent.expiresAt})`;
    case "failback-started":
      return `failback started by ${intent.approvedBy}: ${weightsText(intent.weights)}`;
    case "failback-progress":
      return `failback step ${intent.step} of ${intent.steps} in sync: ${weightsText(intent.weights)}`;
    case "failback-done":
      return `failback done: all traffic on ${intent.primary}`;
    case "failback-aborted":
      return `failback aborted: ${intent.reason}`;
    case "failback-deferred":
      return `failback ${intent.outcome}: ${intent.reason}`;
    case "dns-error":
      return intent.message;
    case "dns-disagrees":
      return `public DNS for ${intent.hostname} from ${intent.region} answers ${intent.answers.join(", ") || intent.error || "nothing"} since ${intent.since}; the state expects ${intent.expected.join(", ") || "nothing"}`;
    case "flapping-paused":
      return `flapping: ${intent.changes} automatic DNS changes in an hour (limit ${intent.limit}); automatic changes paused until ${intent.until}, staying on ${intent.serving}`;
    case "flapping-resumed":
      return `automatic changes resumed (${intent.reason})`;
    case "incident-resolved":
      return `incident resolved: ${intent.provider} ${intent.start} .. ${intent.endAt}${intent.suppressed ? ` (${intent.suppressed} update(s) held back)` : ""}`;
    case "readiness-low":
      return intent.status === "partial"
        ? `readiness of ${intent.secondary} could not be read whole: ${intent.reasons.join("; ")}`
        : `${intent.secondary} is ${intent.readinessPct}% ready (minimum ${intent.minReadinessPct}%): ${intent.missingCount} of ${intent.primaryActive} users missing, ${intent.disabledCount} disabled`;
    case "failover-held":
      return `failover ${intent.from} -> ${intent.to} held by the readiness gate: ${intent.reason}`;
    case "frozen":
      return `frozen by ${intent.by}: ${intent.reason}`;
    case "unfrozen":
      return `unfrozen by ${intent.by}, resumed as ${intent.resumedAs}`;
  }
}

/** `us-east-1, us-west-2: canaries failing: ...`: regions that fail alike are named together. */
export function groupedReasons(reasons: Record<string, string>): string[] {
  const byReason = new Map<string, string[]>();
  for (const [region, why] of Object.entries(reasons))
    byReason.set(why, [...(byReason.get(why) ?? []), region]);
  return [...byReason].map(([why, regions]) => `${regions.join(", ")}: ${why}`);
}

/** `okta 0, entra 100`. */
export function weightsText(weights: Weights): string {
  return Object.entries(weights)
    .map(([id, weight]) => `${id} ${weight}`)
    .join(", ");
}
