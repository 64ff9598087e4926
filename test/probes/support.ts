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
  type StandInFault,
  standInProbeSecrets,
  startCanaryStandIn,
  startEntraStandIn,
  startOktaStandIn,
  type TestCa,
} from "@idp-failover/stand-ins";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";

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

/** Runs one probe with the test secrets and policy, trusting `ca` (PEM); a fresh probe memory unless given one. */
export function runTestProbe(ca: string, spec: ProbeSpec, options: Partial<RunProbeOptions> = {}) {
  return runProbe(spec, { secrets, policy: testPolicy, ca, now: Date.now, ...options });
}

/** Runs one probe against the stand-ins with the test CA and policy. */
export function probe(idps: Idps, spec: ProbeSpec, options: Partial<RunProbeOptions> = {}) {
  return runTestProbe(idps.ca.certPem, spec, options);
}

/** What a table's probes share: the stand-in they are about, its fault, and the probe. */
export interface ProbeSetup {
  /** The probe runs as this stand-in's provider, and `fault` is set on it first (`useIdps` clears it after). */
  idp: "okta" | "entra";
  fault?: StandInFault;
  /** The probe; a function where it needs the stand-ins' URLs (they exist only inside a test). */
  spec: ProbeSpec | ((idps: Idps) => ProbeSpec);
}

/** A row: the test's name (the behaviour), what it changes in the table's setup, what the result must match. */
export type ProbeCase = readonly [
  title: string,
  setup: Partial<ProbeSetup>,
  expected: Record<string, unknown>,
];

/** A test per row of `cases`, each a probe run on `setup` with the row's changes, matched with `toMatchObject`. */
export function probeCases(idps: Idps, setup: ProbeSetup, cases: readonly ProbeCase[]): void {
  it.each(cases)("%s", async (_title, changes, expected) => {
    // Prepare
    const { idp, fault, spec } = { ...setup, ...changes };
    if (fault) await idps[idp].setFault(fault);
    const provider = idp === "okta" ? oktaProvider(idps) : entraProvider(idps);

    // Act
    const result = await probe(idps, typeof spec === "function" ? spec(idps) : spec, { provider });

    // Assess
    expect(result).toMatchObject(expected);
  });
}

/** What a failed probe's result must match: its class, and a message containing (or matching) `message`. */
export function failure(
  errorClass: string,
  { message, ...result }: { message?: string | RegExp; status?: number; attempts?: number } = {},
): Record<string, unknown> {
  const text =
    message === undefined
      ? {}
      : {
          message:
            typeof message === "string" ? expect.stringContaining(message) : expect.stringMatching(message),
        };
  return { ok: false, ...result, error: { class: errorClass, ...text } };
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
