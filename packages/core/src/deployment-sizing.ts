import { type Config, dataPlaneSettings, worstRoundMs } from "./config.js";

/*
 * How big each function is, decided once from the config so the stacks deploy exactly what
 * `idpctl cost` prices. The probe gets 256 MB only when a probe kind loads a vendor SDK (Okta's
 * management SDK, Microsoft Graph); discovery, JWKS and token probes run in 128 MB. Lambda bills
 * memory x duration, so the probe (every 10 s in every region) is sized down first.
 */

/*
 * The Lambda runtime every function runs on, and the esbuild target that matches it. Checked
 * 2026-12-04 against the Lambda developer guide's "Lambda runtimes" table: Node.js 24 (`nodejs24.x`,
 * Amazon Linux 2023, arm64 and x86_64) is supported and deprecates 2028-04-30; Node.js 22 deprecates
 * 2027-04-30 and Node.js 20 was deprecated 2026-04-30 (new functions blocked from 2027-02-01). SST
 * bundles with esbuild's `esnext` target whatever the runtime (no syntax lowering), which Node 24 runs
 * as is; our own bundles (tests, benchmarks) name `node24` so they fail if code needs something newer.
 * Update the three together, with package.json's `engines` and docs/deploy.md.
 */
export const lambdaRuntime = {
  runtime: "nodejs24.x",
  architecture: "arm64",
  esbuildTarget: "node24",
  checkedOn: "2026-12-04",
} as const;

export interface FunctionSize {
  memoryMb: number;
  timeoutSeconds: number;
  /** Concurrency reserved for (and capping) the function; none when absent. */
  reservedConcurrency?: number;
}

export interface FunctionSizing {
  probe: FunctionSize;
  verdict: FunctionSize;
  evaluate: FunctionSize;
  notify: FunctionSize;
  slackInteractions: FunctionSize;
  report: FunctionSize;
  /** A site's daily continuity readiness run: Lambda's longest timeout, CPU for the comparison. */
  readiness: FunctionSize;
}

/**
 * The verdict function's reserved concurrency, per region. Reserved, it cannot take the account's
 * concurrency from the probe and the evaluator however hard it is flooded, and it always has this
 * much; a flood beyond it is throttled (429), which the inverted checks read as "keep". Route 53's
 * checks need little: every check's checkers poll each endpoint once per interval, and an answer
 * takes milliseconds, so ten times the steady need (at least 5) leaves room for their bursts.
 */
export function verdictConcurrency(config: Config): number {
  const settings = dataPlaneSettings(config);
  const checks = config.sites.length;
  const checkers = settings.checkerRegions.length * 2;
  const perSecond = (checks * checkers) / settings.healthCheckIntervalSeconds;
  return Math.min(100, Math.max(5, Math.ceil(perSecond * 0.05 * 10)));
}

export function functionSizing(config: Config): FunctionSizing {
  const heavy = config.sites.some((site) =>
    site.providers.some((p) =>
      p.probes.some((probe) => probe.kind === "okta-api" || probe.kind === "graph-health"),
    ),
  );
  return {
    probe: {
      memoryMb: heavy ? 256 : 128,
      // The round waits for its slowest site: the longest policy among them.
      timeoutSeconds:
        Math.ceil(
          Math.max(worstRoundMs(config.policy), ...config.sites.map((s) => worstRoundMs(s.policy))) / 1000,
        ) + 15,
    },
    verdict: { memoryMb: 128, timeoutSeconds: 5, reservedConcurrency: verdictConcurrency(config) },
    evaluate: { memoryMb: 256, timeoutSeconds: 60 },
    notify: { memoryMb: 256, timeoutSeconds: 60 },
    slackInteractions: { memoryMb: 256, timeoutSeconds: 10 },
    report: { memoryMb: 512, timeoutSeconds: 300 },
    readiness: { memoryMb: 1024, timeoutSeconds: 900 },
  };
}
