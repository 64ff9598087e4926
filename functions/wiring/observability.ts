import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Redactor } from "@idp-failover/core/redaction";
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { functionRedactor } from "./linked-secrets.js";

/*
 * Powertools for every function, as Middy middleware: JSON logs with the Lambda context (and the
 * site or incident the handler appends), metrics as CloudWatch EMF under one namespace flushed after
 * each invocation, and whatever else a handler asks for (idempotency: see idempotency.ts). Metric names
 * are few on purpose: CloudWatch bills each name per region per month, so the one steady metric is
 * at home (ProbeResultAgeSeconds, which an alarm watches); the rest are published only when
 * something happens, and cost nothing in quiet months. Probe latency is a log line per round.
 */

export const metricsNamespace = "IdpFailover";
export const serviceName = "idp-failover";

export const metricNames = {
  regionVerdictChanges: "RegionVerdictChanges",
  transitions: "Transitions",
  dnsChangeSeconds: "DnsChangeSeconds",
  probeResultAgeSeconds: "ProbeResultAgeSeconds",
  /** Notifications given up on (refused address, refused by the vendor, out of attempts); an alarm watches it. */
  deliveriesAbandoned: "DeliveriesAbandoned",
} as const;

/**
 * The function's logger. Every string of every log line (message, attributes, errors and their
 * causes, as Powertools serialises them) goes through the redactor of the secrets linked to the
 * function: a secret an SDK or a vendor put into an error never reaches CloudWatch, in any form.
 */
export function createLogger(redactor: () => Redactor = functionRedactor): Logger {
  return new Logger({
    serviceName,
    jsonReplacerFn: (_key, value) => (typeof value === "string" ? redactor().text(value) : value),
  });
}

/**
 * Metrics flushed by the middleware after each invocation. Its warnings go to `logger`, except the
 * one every quiet invocation (a watchdog run, a round with nothing to report) would print.
 */
export function createMetrics(logger?: Logger): Metrics {
  const warn = (message: string, ...rest: unknown[]) => {
    if (!message.startsWith("No application metrics to publish")) logger?.warn(message, ...(rest as []));
  };
  return new Metrics({
    namespace: metricsNamespace,
    serviceName,
    ...(logger
      ? {
          logger: {
            debug: logger.debug.bind(logger),
            info: logger.info.bind(logger),
            warn,
            error: logger.error.bind(logger),
          },
        }
      : {}),
  });
}

export { MetricUnit };

export interface Powertools {
  logger: Logger;
  metrics?: Metrics;
  /** More middleware, run after the logger and metrics (idempotency). */
  use?: MiddlewareObj[];
}

/** A handler with the Powertools middleware this function needs: the logger always, metrics if any. */
export function lambdaHandler<E, R>(tools: Powertools, handler: (event: E, context: Context) => Promise<R>) {
  const wrapped = middy(handler).use(injectLambdaContext(tools.logger, { resetKeys: true }));
  if (tools.metrics) wrapped.use(logMetrics(tools.metrics));
  for (const middleware of tools.use ?? []) wrapped.use(middleware);
  return wrapped;
}
