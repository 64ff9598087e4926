import type { AwsAdapters } from "@idp-failover/aws";
import {
  type Clock,
  type Config,
  findSite,
  type Notifier,
  notificationChannels,
  OutboxNotifier,
  type ReadinessResult,
  type ReadinessSnapshots,
  type ReadinessStore,
  readinessAlertDue,
  readinessLowIntent,
  type Site,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import type { SecretSource } from "@idp-failover/probes";
import {
  runReadiness,
  SecondaryState,
  type SiteReaders,
  siteReaders,
  unreadResult,
} from "@idp-failover/readiness";

/*
 * The daily readiness run of one site, as the readiness function (and the drill) runs it: yesterday's
 * Entra state in, an incremental (or full) run, the result and the new state stored, and the
 * readiness-low alert into the notification outbox when the score drops below the site's minimum or
 * the read was partial. Its own entry point (`@idp-failover/orchestration/readiness-run`): it brings
 * the vendor SDKs, which no other function should bundle.
 */

export interface ReadinessRunPorts {
  store: ReadinessStore & ReadinessSnapshots;
  notifier: Notifier;
  clock: Clock;
  readers(site: Site): SiteReaders;
}

export type SiteReadinessOutcome =
  | { site: string; result: ReadinessResult; alert?: "below-minimum" | "partial" }
  | { site: string; error: string };

/**
 * The ports on the home region's adapters and the deployment's secrets; the wall clock unless told
 * otherwise (the drill's runs faster), and an extra CA to trust when given one (the stand-ins').
 */
export function readinessPorts(
  config: Config,
  aws: Pick<AwsAdapters, "readiness" | "outbox">,
  secrets: SecretSource,
  options: { clock?: Clock; ca?: string } = {},
): ReadinessRunPorts {
  const clock = options.clock ?? { now: Date.now };
  const ca = options.ca ? { ca: options.ca } : {};
  return {
    store: aws.readiness,
    notifier: new OutboxNotifier(aws.outbox, notificationChannels(config), clock),
    clock,
    readers: (site) =>
      site.continuity
        ? siteReaders(site.continuity, { secrets, clock, ...ca })
        : { ok: false, missingSecrets: [] },
  };
}

/**
 * What starts a site's daily run: its schedule passes `{ site, scheduledAt }` (EventBridge Scheduler's
 * `<aws.scheduler.scheduled-time>`: the same on every retry of one firing, so it keys idempotency).
 */
export const readinessRunEventSchema = z.object({
  site: z.string().check(z.minLength(1)),
  scheduledAt: z.optional(z.iso.datetime()),
});

export async function runSiteReadiness(
  config: Config,
  siteId: string,
  ports: ReadinessRunPorts,
): Promise<SiteReadinessOutcome> {
  const site = findSite(config, siteId);
  if (!site?.continuity) return { site: siteId, error: `site ${siteId} has no continuity settings` };
  try {
    const previous = await ports.store.latest(site.id);
    const readers = ports.readers(site);
    let result: ReadinessResult;
    if (!readers.ok) {
      const reasons = readers.missingSecrets.map((ref) => ({
        what: "credentials",
        message: `secret ${ref} is not set`,
        hint: `set it (sst secret set ${ref} ...; see docs/readiness.md) and link it to the readiness function`,
      }));
      result = unreadResult(site, reasons, ports.clock);
    } else {
      try {
        const snapshot = await ports.store.loadSnapshot(site.id);
        const stored = snapshot ? SecondaryState.fromBytes(snapshot) : undefined;
        const outcome = await runReadiness(site, {
          primary: readers.primary,
          secondary: readers.secondary,
          clock: ports.clock,
          ...(stored ? { stored } : {}),
        });
        result = outcome.result;
        if (outcome.secondaryState) {
          await ports.store.saveSnapshot(site.id, outcome.secondaryState.toBytes(), Date.parse(result.at));
        }
      } finally {
        readers.close();
      }
    }
    await ports.store.putResult(result);
    const alert = readinessAlertDue(result, previous);
    if (alert) await ports.notifier.notify([readinessLowIntent(result)]);
    return { site: site.id, result, ...(alert ? { alert } : {}) };
  } catch (error) {
    return {
      site: site.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
