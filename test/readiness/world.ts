import { type Config, parseConfig, type Site } from "@idp-failover/core";
import {
  type OktaReaderAuth,
  type ReadinessRunOutcome,
  runReadiness,
  type SecondaryState,
  siteReaders,
  type Wait,
} from "@idp-failover/readiness";
import {
  createTestCa,
  type DirectorySpec,
  type EntraStandIn,
  type EntraStandInOptions,
  entraStandInDefaults,
  type OktaStandIn,
  type OktaStandInOptions,
  oktaStandInDefaults,
  seedDirectories,
  startEntraStandIn,
  startOktaStandIn,
  type TestCa,
} from "@idp-failover/stand-ins";

/*
 * A readiness world for tests: an Okta org and an Entra tenant (the stand-ins, over HTTPS with a test
 * CA) seeded from a compact directory description, a config whose site points at them, and a clock
 * the rate-limit waits move instead of sleeping.
 */

export interface ReadinessWorld {
  ca: TestCa;
  okta: OktaStandIn;
  entra: EntraStandIn;
  /** The config as a file would hold it (before defaults). */
  configInput: Record<string, unknown>;
  config: Config;
  site: Site;
  clock: { t: number; now(): number };
  /** Every wait the readers asked for, in ms. */
  waits: number[];
  secrets: Record<string, string>;
  run(options?: { stored?: SecondaryState; full?: boolean; site?: Site }): Promise<ReadinessRunOutcome>;
  close(): Promise<void>;
}

export interface WorldOptions {
  continuity?: Record<string, unknown>;
  okta?: Pick<OktaStandInOptions, "directoryRateLimit" | "serviceApps">;
  entra?: Pick<EntraStandInOptions, "graphRateLimit" | "clients">;
  /** Okta credentials: the SSWS token (default) or a service app's key. */
  oktaAuth?: Record<string, unknown>;
  /** Secrets besides the default two. */
  secrets?: Record<string, string>;
}

export async function startReadinessWorld(
  spec: DirectorySpec,
  options: WorldOptions = {},
): Promise<ReadinessWorld> {
  const ca = await createTestCa({ commonName: "readiness test CA" });
  const clock = { t: Date.parse("2026-03-02T06:00:00Z"), now: () => clock.t };
  const directories = seedDirectories(spec);
  const okta = await startOktaStandIn({ ca, directory: directories.okta, now: clock.now, ...options.okta });
  const entra = await startEntraStandIn({
    ca,
    directory: directories.entra,
    now: clock.now,
    ...options.entra,
  });
  const configInput = {
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
    sites: [
      {
        id: "acme",
        hostname: "login.acme.com",
        hostedZoneId: "Z0123456789ABC",
        providers: [
          { id: "okta", kind: "okta", issuer: `${okta.url}/oauth2/default`, dnsTarget: "acme.okta.com" },
          {
            id: "entra",
            kind: "entra",
            tenantId: entraStandInDefaults.tenantId,
            dnsTarget: "acme.azurefd.net",
          },
        ],
        continuity: {
          apps: (spec.apps ?? []).map((app, a) => ({
            okta: `0oa${a.toString(36).padStart(17, "0")}`,
            entra: `30000000-0000-4000-8000-${a.toString(16).padStart(12, "0")}`,
            name: app.name,
          })),
          okta: {
            orgUrl: okta.url,
            auth: options.oktaAuth ?? { mode: "token", tokenRef: "OKTA_READINESS_TOKEN" },
          },
          entra: {
            clientId: entraStandInDefaults.readinessClient.clientId,
            clientSecretRef: "ENTRA_READINESS_SECRET",
            graphBaseUrl: entra.graphUrl,
            authorityHost: entra.url,
          },
          ...options.continuity,
        },
      },
    ],
  };
  const parsed = parseConfig(configInput);
  if (!parsed.ok) throw new Error(`readiness world config: ${JSON.stringify(parsed.issues)}`);
  const config = parsed.config;
  const site = config.sites[0] as Site;
  const waits: number[] = [];
  const wait: Wait = async (ms) => {
    waits.push(ms);
    clock.t += ms;
  };
  const secrets: Record<string, string> = {
    OKTA_READINESS_TOKEN: oktaStandInDefaults.apiToken,
    ENTRA_READINESS_SECRET: entraStandInDefaults.readinessClient.clientSecret,
    ...options.secrets,
  };
  return {
    ca,
    okta,
    entra,
    configInput,
    config,
    site,
    clock,
    waits,
    secrets,
    async run(runOptions = {}) {
      const target = runOptions.site ?? site;
      const continuity = target.continuity;
      if (!continuity) throw new Error("no continuity");
      const readers = siteReaders(continuity, {
        secrets: (ref) => secrets[ref],
        clock,
        ca: ca.certPem,
        wait,
      });
      if (!readers.ok) throw new Error(`missing secrets ${readers.missingSecrets.join(", ")}`);
      try {
        return await runReadiness(target, {
          primary: readers.primary,
          secondary: readers.secondary,
          clock,
          ...(runOptions.stored ? { stored: runOptions.stored } : {}),
          ...(runOptions.full ? { full: true } : {}),
        });
      } finally {
        readers.close();
      }
    },
    async close() {
      await okta.close();
      await entra.close();
    },
  };
}

export type { OktaReaderAuth };
