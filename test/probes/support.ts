import { type Config, type ProbeSpec, parseConfig, policySchema } from "@idp-failover/core";
import { envSecrets, type ProbePolicy, type RunProbeOptions, runProbe } from "@idp-failover/probes";
import {
  type CanaryStandIn,
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  entraStandInProvider,
  type OktaStandIn,
  oktaStandInDefaults,
  oktaStandInProvider,
  standInProbeSecrets,
  startCanaryStandIn,
  startEntraStandIn,
  startOktaStandIn,
  type TestCa,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll } from "vitest";

/*
 * Shared set-up for the probe tests: a test CA, an Okta and an Entra stand-in over HTTPS, the
 * secrets they accept, and a policy with short budgets so failure tests stay fast.
 */

export interface Idps {
  ca: TestCa;
  okta: OktaStandIn;
  entra: EntraStandIn;
  /** The probe regions' canaries, answered on this machine (their defaults are AWS endpoints). */
  canary: CanaryStandIn;
  close(): Promise<void>;
}

export async function startIdps(): Promise<Idps> {
  const ca = await createTestCa();
  const [okta, entra, canary] = await Promise.all([
    startOktaStandIn({
      ca,
      clients: [
        oktaStandInDefaults.client,
        {
          clientId: "0oa1postclient",
          clientSecret: "post-secret-0123456789",
          tokenEndpointAuthMethod: "client_secret_post",
        },
      ],
    }),
    startEntraStandIn({ ca }),
    startCanaryStandIn(),
  ]);
  return {
    ca,
    okta,
    entra,
    canary,
    close: async () => {
      await Promise.all([okta.close(), entra.close(), canary.close()]);
    },
  };
}

/**
 * The stand-in IdPs for one test file: started before its tests, faults cleared after each test,
 * closed after all. Read its fields inside tests and hooks (they exist once the file's tests start).
 */
export function useIdps(): Idps {
  let started: Idps | undefined;
  const current = (): Idps => {
    if (!started) throw new Error("the stand-in IdPs start before the file's tests: use them inside a test");
    return started;
  };
  beforeAll(async () => {
    started = await startIdps();
  });
  afterEach(async () => {
    await Promise.all([current().okta.clearFault(), current().entra.clearFault()]);
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get ca() {
      return current().ca;
    },
    get okta() {
      return current().okta;
    },
    get entra() {
      return current().entra;
    },
    get canary() {
      return current().canary;
    },
    close: () => current().close(),
  };
}

export const secretValues = {
  ...standInProbeSecrets,
  OKTA_POST_CLIENT_SECRET: "post-secret-0123456789",
  WRONG_SECRET: "not-the-right-secret-42",
};

export const secrets = envSecrets(secretValues);

/** Short budgets: fast failure tests, with room for a loaded CI machine. */
export const testPolicy: ProbePolicy = policySchema.parse({
  probeTimeoutMs: 4000,
  slowMs: 1500,
  confirm: { retries: 1, delayMs: 10 },
});

export const tenantId = entraStandInDefaults.tenantId;

/** Runs one probe against the stand-ins with the test CA and policy. */
export function probe(idps: Idps, spec: ProbeSpec, options: Partial<RunProbeOptions> = {}) {
  return runProbe(spec, { secrets, policy: testPolicy, ca: idps.ca.certPem, now: Date.now, ...options });
}

export function oktaProvider(idps: Idps, authorizationServer = "default") {
  return { id: "okta", kind: "okta" as const, issuer: idps.okta.issuer(authorizationServer) };
}

export function entraProvider(idps: Idps) {
  return { id: "entra", kind: "entra" as const, issuer: idps.entra.issuer(tenantId) };
}

/** A parsed config with one site per entry, Okta primary and Entra secondary, every probe kind. */
export function standInConfig(
  idps: Idps,
  siteIds: string[] = ["example"],
  policy: Record<string, unknown> = {},
): Config {
  const parsed = parseConfig(standInConfigInput(idps, siteIds, policy));
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.issues)}`);
  return parsed.config;
}

/** The same config as a document, as a config file would hold it. */
export function standInConfigInput(
  idps: Idps,
  siteIds: string[] = ["example"],
  policy: Record<string, unknown> = {},
) {
  return {
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
    policy: { probeTimeoutMs: 4000, slowMs: 1500, confirm: { retries: 1, delayMs: 10 }, ...policy },
    monitor: { canaries: idps.canary.canaries() },
    sites: siteIds.map((id, i) => ({
      id,
      hostname: `login${i}.example.com`,
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      providers: [oktaStandInProvider(idps.okta.url), entraStandInProvider(idps.entra.url)],
    })),
  };
}
