import {
  type Config,
  type ConfigIssue,
  dataPlaneSites,
  defaultLambdaConcurrencyQuota,
  healthCheckQuotaIssue,
} from "./config.js";
import { functionSizing } from "./deployment-sizing.js";

/*
 * The account limits a deployment can run into before it runs: Route 53's health checks (per account)
 * and Lambda's concurrency (per region). `idpctl validate` and `idpctl cost` say them, warn before the
 * limit and say how to raise it; a deployment past one would fail mid-deploy (TooManyHealthChecks, or
 * "decreases account's UnreservedConcurrentExecution below its minimum value").
 *
 * Lambda facts, checked 2026-12-04 against the Lambda developer guide: "Lambda quotas" (concurrent
 * executions: 1,000 per region by default, raised in Service Quotas to tens of thousands; new accounts
 * start lower) and "Configuring reserved concurrency" (a function's reserved concurrency comes out of
 * the account's; you can reserve up to the unreserved concurrency minus 100, which stays for the
 * functions without a reservation).
 */

/** Concurrency Lambda keeps unreserved in every region, for the functions without a reservation. */
export const lambdaUnreservedMinimum = 100;

export const lambdaConcurrencyQuotaHint =
  "request a higher 'Concurrent executions' quota for AWS Lambda in the Service Quotas console, in each " +
  "region named (https://console.aws.amazon.com/servicequotas/home/services/lambda/quotas), then set " +
  "lambdaConcurrencyQuota to it";

export interface ReservedConcurrency {
  region: string;
  /** What each of the deployment's functions in the region reserves. */
  functions: Array<{ name: string; reserved: number }>;
  total: number;
  /** The account's quota in the region (`lambdaConcurrencyQuota`), and what stays unreserved. */
  quota: number;
  unreserved: number;
}

/** What the deployment reserves in each region it uses (the probe regions and the home region). */
export function reservedConcurrency(config: Config): ReservedConcurrency[] {
  const sizing = functionSizing(config);
  const quota = config.lambdaConcurrencyQuota ?? defaultLambdaConcurrencyQuota;
  const regions = [...new Set([...config.regions, config.homeRegion])];
  return regions.map((region) => {
    const probing = config.regions.includes(region);
    const functions = [
      ...(probing
        ? [
            { name: "probe", reserved: sizing.probe.reservedConcurrency ?? 0 },
            { name: "probe shard", reserved: sizing.probeShard?.reservedConcurrency ?? 0 },
            // The verdict endpoints are deployed only when a site has a data plane.
            {
              name: "verdict",
              reserved: dataPlaneSites(config).length > 0 ? (sizing.verdict.reservedConcurrency ?? 0) : 0,
            },
          ]
        : []),
      ...(region === config.homeRegion
        ? [{ name: "notify", reserved: sizing.notify.reservedConcurrency ?? 0 }]
        : []),
    ].filter((f) => f.reserved > 0);
    const total = functions.reduce((n, f) => n + f.reserved, 0);
    return { region, functions, total, quota, unreserved: quota - total };
  });
}

export type LimitIssue = ConfigIssue & { severity: "error" | "warning"; hint: string };

/**
 * The region whose reservations leave the least unreserved: an error when below Lambda's minimum
 * (the deploy would be refused), a warning when they take more than 80% of what may be reserved (the
 * account's other functions reserve from the same pool).
 */
export function lambdaConcurrencyIssue(config: Config): LimitIssue | undefined {
  const tightest = [...reservedConcurrency(config)].sort((a, b) => a.unreserved - b.unreserved)[0];
  if (!tightest) return undefined;
  const reservable = tightest.quota - lambdaUnreservedMinimum;
  const what = tightest.functions.map((f) => `${f.name} ${f.reserved}`).join(", ");
  const counted =
    `reserves ${tightest.total} concurrent executions in ${tightest.region} (${what}) of the account's ` +
    `Lambda quota of ${tightest.quota}, of which ${reservable} may be reserved (Lambda keeps ${lambdaUnreservedMinimum} unreserved)`;
  const path = "lambdaConcurrencyQuota";
  if (tightest.total > reservable) {
    return { path, severity: "error", message: counted, hint: lambdaConcurrencyQuotaHint };
  }
  if (tightest.total > reservable * 0.8) {
    return {
      path,
      severity: "warning",
      message: `${counted}; the account's other functions reserve from it too`,
      hint: lambdaConcurrencyQuotaHint,
    };
  }
  return undefined;
}

/** Every account limit the deployment is near or past: Route 53 health checks, Lambda concurrency. */
export function accountLimitIssues(config: Config): LimitIssue[] {
  const checks = healthCheckQuotaIssue(config);
  const lambda = lambdaConcurrencyIssue(config);
  return [
    ...(checks ? [{ path: "dataPlane.healthCheckQuota", ...checks }] : []),
    ...(lambda ? [lambda] : []),
  ];
}

/** How many sites are in each tier: health-checked by Route 53 (data plane), or control plane only. */
export function siteTiers(config: Config): { dataPlane: number; controlPlaneOnly: number } {
  const dataPlane = dataPlaneSites(config).length;
  return { dataPlane, controlPlaneOnly: config.sites.length - dataPlane };
}
