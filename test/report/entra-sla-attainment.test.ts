import type { Config, Provider } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { NodeHttpClient } from "@idp-failover/http";
import { entraGraphCredentials } from "@idp-failover/http/graph";
import {
  entraAttainmentSourceFor,
  GraphEntraSlaAttainment,
  monthPeriod,
  renderHtml,
  reportFromStore,
} from "@idp-failover/report";
import {
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  startEntraStandIn,
  type TestCa,
} from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { novemberStore } from "../../packages/report/src/test-support.js";
import { type GraphSlaStandIn, startGraphSlaStandIn } from "./graph-sla-stand-in.js";

/*
 * Microsoft's own SLA attainment figure, read with the real Graph SDK from a local HTTPS Graph (test
 * CA) with an app token from the Entra stand-in: shown when Graph answers, "not available" with the
 * reason when it cannot (permission, not published yet, bad credentials, unreachable).
 */

const tenantId = entraStandInDefaults.tenantId;
const clock = { now: () => Date.now() };
const { clientId, clientSecret } = entraStandInDefaults.client;
let ca: TestCa;
let entra: EntraStandIn;
let graph: GraphSlaStandIn;

beforeAll(async () => {
  ca = await createTestCa();
  [entra, graph] = await Promise.all([startEntraStandIn({ ca }), startGraphSlaStandIn(ca)]);
  graph.attainments.push(
    { startDate: "2026-10-01", endDate: "2026-10-31", score: 99.998 },
    { startDate: "2026-09-01", endDate: "2026-09-30", score: 99.999 },
  );
});
afterAll(async () => {
  await Promise.all([entra?.close(), graph?.close()]);
});

function source(secret = clientSecret, graphUrl = graph.url) {
  const http = new NodeHttpClient({ ca: ca.certPem });
  const tokens = entraGraphCredentials(
    { tenantId, clientId, clientSecret: secret, loginUrl: entra.url, graphUrl },
    { http, clock },
  );
  return new GraphEntraSlaAttainment({ http, tokens, graphUrl });
}

describe("Microsoft-reported SLA attainment (Graph beta reports/sla/azureADAuthentication)", () => {
  it("returns the month's score with an app token minted for Graph", async () => {
    const figure = await source().monthlyAttainment("2026-10");
    expect(figure).toEqual({
      kind: "reported",
      scorePct: 99.998,
      startDate: "2026-10-01",
      endDate: "2026-10-31",
    });
    expect(graph.requests.at(-1)).toEqual({
      path: "/beta/reports/sla/azureADAuthentication",
      authorized: true,
    });
  });

  it("says a month is not published yet, naming the latest one", async () => {
    const figure = await source().monthlyAttainment("2026-11");
    expect(figure).toEqual({
      kind: "not-available",
      reason: "Microsoft has not published attainment for 2026-11 (latest: 2026-10)",
    });
  });

  it("says the app lacks the permission when Graph refuses", async () => {
    const refusing = await startGraphSlaStandIn(ca);
    refusing.refuse(403, "Authorization_RequestDenied");
    try {
      const figure = await source(clientSecret, refusing.url).monthlyAttainment("2026-10");
      expect(figure.kind).toBe("not-available");
      expect(figure.kind === "not-available" && figure.reason).toMatch(
        /HTTP 403 Authorization_RequestDenied.*Reports\.Read\.All/,
      );
    } finally {
      await refusing.close();
    }
  });

  it("says the token endpoint refused the app when its secret is wrong", async () => {
    const figure = await source("not-the-secret").monthlyAttainment("2026-10");
    expect(figure).toEqual({
      kind: "not-available",
      reason: "Entra token endpoint refused the app (HTTP 401 invalid_client)",
    });
  });

  it("says Graph is unreachable rather than failing the report", async () => {
    const gone = await startGraphSlaStandIn(ca);
    const url = gone.url;
    await gone.close();
    const figure = await source(clientSecret, url).monthlyAttainment("2026-10");
    expect(figure.kind === "not-available" && figure.reason).toMatch(
      /^Graph unreachable: connection to 127\.0\.0\.1:\d+ refused/,
    );
  });

  it("shows the figure in the report beside ours, labelled as Microsoft's, for Entra only", async () => {
    // Prepare: the config's Entra provider has a graph-health probe pointing at the stand-ins.
    const config = testConfig();
    withGraphHealthProbe(config, { loginUrl: entra.url, graphUrl: graph.url });
    const secrets: Record<string, string> = { ENTRA_PROBE_CLIENT_SECRET: clientSecret };
    // Act
    const report = await reportFromStore(await novemberStore(), config, monthPeriod("2026-10"), {
      now: Date.parse("2026-11-01T02:00:00Z"),
      vendorSource: (_site, provider) =>
        entraAttainmentSourceFor(provider, (ref) => secrets[ref], { ca: ca.certPem, clock }),
    });
    // Assess
    const [okta, entraReport] = report.sites[0]?.providers ?? [];
    expect(entraReport?.vendorReported).toMatchObject({
      status: "reported",
      label: "Microsoft-reported SLA attainment",
      vendor: "Microsoft",
      month: "2026-10",
      scorePct: 99.998,
    });
    expect(okta?.vendorReported.status).toBe("not-applicable");
    expect(renderHtml(report)).toContain("Microsoft-reported SLA attainment");
  });

  it("says which secret is missing when the probe's secret is not set", async () => {
    const provider = withGraphHealthProbe(testConfig());
    const figure = await entraAttainmentSourceFor(provider, () => undefined, { clock })?.monthlyAttainment(
      "2026-10",
    );
    expect(figure).toEqual({ kind: "not-available", reason: "secret ENTRA_PROBE_CLIENT_SECRET is not set" });
  });
});

/** The config's Entra provider, given a graph-health probe (at `hosts`, else Microsoft's own). */
function withGraphHealthProbe(
  config: Config,
  hosts: { loginUrl?: string; graphUrl?: string } = {},
): Provider {
  const provider = config.sites[0]?.providers[1] as Provider;
  provider.probes.push({
    kind: "graph-health",
    name: "graph-health",
    criticality: "signal",
    tenantId,
    clientId,
    clientSecretRef: "ENTRA_PROBE_CLIENT_SECRET",
    service: "Microsoft Entra",
    ...hosts,
  });
  return provider;
}
