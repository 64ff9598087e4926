import type { NotificationIntent } from "@idp-failover/core";

/*
 * Where a notification goes in Slack. An incident is one thread: its first notification starts it,
 * everything after replies in it (the important ones also shown in the channel). Notifications
 * outside an incident group by subject (a manual failover and its failback, the monitor, one
 * provider, a freeze, a flapping pause), and such a thread stops collecting replies after a day. The
 * monitor's threads are the deployment's (`site` "*"), one per episode, whichever site raised it.
 */

export interface ThreadRule {
  /** Under which key (per site) the thread's first message is remembered. */
  key: string;
  /** Always start a new thread (a new subject), even when one is remembered under the key. */
  startsNew: boolean;
  /** When replying, also show the reply in the channel (`reply_broadcast`). */
  broadcast: boolean;
}

/** A non-incident thread collects replies for this long after it started. */
export const subjectThreadMs = 24 * 3600 * 1000;

const broadcastKinds = new Set<NotificationIntent["kind"]>([
  "failing-over",
  "both-down",
  "monitor-impaired",
  "flapping-paused",
  "incident-resolved",
  "provider-down",
  "failback-requested",
  "failback-done",
  "failback-aborted",
  "failover-held",
]);

export function threadRule(intent: NotificationIntent): ThreadRule {
  const broadcast =
    broadcastKinds.has(intent.kind) || (intent.kind === "dns-error" && intent.rejected === true);
  if (intent.incidentId) return { key: `incident:${intent.incidentId}`, startsNew: false, broadcast };
  switch (intent.kind) {
    case "monitor-impaired":
    case "monitor-restored":
      // Deployment-wide (site "*"): one thread per episode of the monitor's own trouble.
      return intent.since
        ? { key: `monitor:${intent.since}`, startsNew: false, broadcast }
        : { key: "monitor", startsNew: intent.kind === "monitor-impaired", broadcast };
    case "flapping-paused":
    case "flapping-resumed":
      return { key: "flapping", startsNew: intent.kind === "flapping-paused", broadcast };
    case "provider-degraded":
    case "provider-down":
    case "provider-recovered":
      return {
        key: `provider:${intent.provider}`,
        startsNew: intent.kind === "provider-degraded",
        broadcast,
      };
    case "readiness-low":
      return { key: "readiness", startsNew: true, broadcast };
    case "frozen":
    case "unfrozen":
      return { key: "freeze", startsNew: intent.kind === "frozen", broadcast };
    default:
      // Failover, failback and DNS trouble outside an incident (manual moves, adopted weights).
      return { key: "flow", startsNew: intent.kind === "failing-over", broadcast };
  }
}

/** Whether the intent replies in the remembered thread (started at `threadAt`) or starts its own. */
export function joinsThread(
  rule: ThreadRule,
  intent: NotificationIntent,
  threadAt: string | undefined,
): boolean {
  if (threadAt === undefined || rule.startsNew) return false;
  if (intent.incidentId || rule.key.startsWith("monitor:")) return true;
  return Date.parse(intent.at) - Date.parse(threadAt) < subjectThreadMs;
}
