import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { shardLabel } from "@idp-failover/core";
import {
  dnsChangeSeconds,
  oldestResultAgeSeconds,
  type SiteOutcome,
} from "@idp-failover/orchestration/evaluate-sites";
import type { ProbeMessageOutcome } from "@idp-failover/orchestration/probe-round";
import type { DeliveryReport } from "@idp-failover/slack";
import { MetricUnit, metricNames } from "./observability.js";

/*
 * What each use case's outcome means in logs and metrics. The handlers stay wiring; the words and
 * figures an operator reads in CloudWatch are decided here, in one place.
 */

export function recordProbeMessage(outcome: ProbeMessageOutcome, logger: Logger, metrics: Metrics): void {
  switch (outcome.kind) {
    case "malformed":
      logger.error("dropping a malformed tick message", { body: outcome.body });
      return;
    case "failed":
      logger.error("probe round failed", { tick: outcome.tick, error: outcome.error });
      return;
    case "duplicate":
      return;
    case "probed": {
      // Latency goes to the log, summarised per round (Logs Insights reads percentiles from it):
      // a custom metric per probe region would cost more than the rest of CloudWatch together.
      const silent = outcome.shards.filter((s) => s.kind === "silent");
      const slowest = outcome.shards.reduce<(typeof outcome.shards)[number] | undefined>(
        (worst, s) => (s.kind === "recorded" && (!worst || s.answeredMs > worst.answeredMs) ? s : worst),
        undefined,
      );
      logger.info("probe round", {
        ...roundSummary(outcome.results),
        shards: outcome.shards.length,
        // How close the round comes to its cadence: the shard that answered last.
        ...(slowest && outcome.shards.length > 1
          ? { slowestShard: shardLabel(slowest.shard), slowestShardMs: slowest.answeredMs }
          : {}),
        ...(silent.length > 0 ? { silentShards: silent.length } : {}),
      });
      // A silent shard's sites get no heartbeat: they go stale alone if it stays silent.
      for (const shard of silent)
        logger.error("probe shard silent", {
          shard: shardLabel(shard.shard),
          sites: shard.shard.sites.length,
          afterMs: shard.answeredMs,
          error: shard.error,
        });
      if (outcome.changes.length > 0)
        metrics.addMetric(metricNames.regionVerdictChanges, MetricUnit.Count, outcome.changes.length);
      for (const shard of outcome.shards)
        if (shard.kind === "recorded" && shard.wakeError)
          logger.warn("could not wake the evaluator", { error: shard.wakeError });
    }
  }
}

/** Logs each site's transitions and deferred effects; publishes the evaluator's figures. Returns the failed sites. */
export function recordEvaluations(
  outcomes: readonly SiteOutcome[],
  now: number,
  logger: Logger,
  metrics: Metrics,
): string[] {
  let oldest = 0;
  const failed: string[] = [];
  for (const outcome of outcomes) {
    if ("error" in outcome) {
      logger.error("evaluation failed", { site: outcome.site, error: outcome.error });
      failed.push(outcome.site);
      continue;
    }
    const { report } = outcome;
    const keys = { site: report.site, incident: report.state.incident?.id };
    for (const step of report.steps)
      if (step.transition) logger.info("transition", { ...keys, ...step.transition });
    for (const error of report.effectErrors) logger.warn("effect deferred", { ...keys, error });
    const transitions = report.steps.filter((s) => s.transition).length;
    if (transitions > 0) metrics.addMetric(metricNames.transitions, MetricUnit.Count, transitions);
    const dnsSeconds = dnsChangeSeconds(report);
    if (dnsSeconds !== undefined)
      metrics.addMetric(metricNames.dnsChangeSeconds, MetricUnit.Seconds, dnsSeconds);
    oldest = Math.max(oldest, oldestResultAgeSeconds(report.verdicts, now));
  }
  metrics.addMetric(metricNames.probeResultAgeSeconds, MetricUnit.Seconds, oldest);
  return failed;
}

/** A round's latencies in a few numbers, for one log line: however many sites, the line stays small. */
export function roundSummary(
  results: ReadonlyArray<{ latencyMs: number; ok: boolean; site: string; provider: string; probe: string }>,
) {
  const sorted = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const slowest = results.reduce<(typeof results)[number] | undefined>(
    (worst, r) => (worst && worst.latencyMs >= r.latencyMs ? worst : r),
    undefined,
  );
  return {
    probes: results.length,
    failed: results.filter((r) => !r.ok).length,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: at(1),
    ...(slowest ? { slowest: `${slowest.site}/${slowest.provider}/${slowest.probe}` } : {}),
  };
}

/**
 * A delivery run in the log and metrics. A retry is a warning (the outbox tries again); an abandoned
 * delivery is an error and a count the NotificationsAbandoned alarm watches, because nobody else will
 * hear of it: a webhook pointed at a private address, a card Teams refused, an alert out of attempts.
 */
export function recordDeliveries(report: DeliveryReport, logger: Logger, metrics: Metrics): void {
  let abandoned = 0;
  for (const result of report.results) {
    if (result.outcome === "retry") logger.warn("delivery not done", { ...result });
    if (result.outcome === "abandoned") {
      abandoned += 1;
      logger.error("delivery abandoned", { ...result });
    }
  }
  if (abandoned > 0) metrics.addMetric(metricNames.deliveriesAbandoned, MetricUnit.Count, abandoned);
}
