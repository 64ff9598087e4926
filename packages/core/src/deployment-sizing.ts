import { type Config, worstRoundMs } from "./config.js";

/*
 * How big each function is, decided once from the config so the stacks deploy exactly what
 * `idpctl cost` prices. The probe gets 256 MB only when a probe kind loads a vendor SDK (Okta's
 * management SDK, Microsoft Graph); discovery, JWKS and token probes run in 128 MB. Lambda bills
 * memory x duration, so the probe (every 10 s in every region) is sized down first.
 */

export interface FunctionSize {
  memoryMb: number;
  timeoutSeconds: number;
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

export function functionSizing(config: Config): FunctionSizing {
  const heavy = config.sites.some((site) =>
    site.providers.some((p) =>
      p.probes.some((probe) => probe.kind === "okta-api" || probe.kind === "graph-health"),
    ),
  );
  return {
    probe: {
      memoryMb: heavy ? 256 : 128,
      timeoutSeconds: Math.ceil(worstRoundMs(config.policy) / 1000) + 15,
    },
    verdict: { memoryMb: 128, timeoutSeconds: 5 },
    evaluate: { memoryMb: 256, timeoutSeconds: 60 },
    notify: { memoryMb: 256, timeoutSeconds: 60 },
    slackInteractions: { memoryMb: 256, timeoutSeconds: 10 },
    report: { memoryMb: 512, timeoutSeconds: 300 },
    readiness: { memoryMb: 1024, timeoutSeconds: 900 },
  };
}
