import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/*
 * Powertools for every function: JSON logs with the site (and incident) in context, and metrics as
 * CloudWatch EMF under one namespace. Metric names are few on purpose: CloudWatch bills each name per
 * region per month, so the steady ones are one per probe region (ProbeLatency) and one at home
 * (ProbeResultAgeSeconds); the rest (RegionVerdictChanges, Transitions, DnsChangeSeconds) are only
 * published when something happens, and cost nothing in quiet months.
 */

export const metricsNamespace = "IdpFailover";
export const serviceName = "idp-failover";

export const metricNames = {
  probeLatency: "ProbeLatency",
  regionVerdictChanges: "RegionVerdictChanges",
  transitions: "Transitions",
  dnsChangeSeconds: "DnsChangeSeconds",
  probeResultAgeSeconds: "ProbeResultAgeSeconds",
} as const;

export function createLogger(): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: metricsNamespace, serviceName });
}

export { MetricUnit };
