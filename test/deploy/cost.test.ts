import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimateCost, parseConfig } from "@idp-failover/core";
import { testConfigInput } from "@idp-failover/core/testing";
import { loadConfigFile } from "@idp-failover/orchestration/config-file";
import { describe, expect, it } from "vitest";
import { type CostReport, costReport, runCost } from "../../packages/cli/src/commands/cost.js";

/* `idpctl cost`: the default deployment (3 regions, 2 providers, 1 site, 10 s cadence, data plane). */

/** The default deployment's config document: the shared test config, without alerting. */
function document(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return testConfigInput({ alerting: {}, ...extra });
}

function config(extra: Record<string, unknown> = {}) {
  const parsed = parseConfig(document(extra));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

function configFile(extra: Record<string, unknown> = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), "idp-cost-")), "config.json");
  writeFileSync(file, JSON.stringify(document(extra)));
  return file;
}

describe("idpctl cost", () => {
  it("keeps the default deployment and the shipped example under $12 a month, every service priced and every line explained", () => {
    const report = costReport(config());
    expect(report.totalUsdPerMonth).toBeLessThan(12);
    const { config: example } = loadConfigFile(join(import.meta.dirname, "../../examples/okta-entra.yaml"));
    expect(costReport(example).totalUsdPerMonth).toBeLessThan(12);
    for (const item of report.lineItems) expect(item.basis.length).toBeGreaterThan(20);
    expect(report.lineItems.find((i) => i.unit === "zones")).toMatchObject({ quantity: 1, usdPerMonth: 0.5 });
    expect(new Set(report.lineItems.map((i) => i.service))).toEqual(
      new Set(["Lambda", "SQS", "DynamoDB", "EventBridge", "Route 53", "CloudWatch"]),
    );
    const sum = report.lineItems.reduce((n, i) => n + i.usdPerMonth, 0);
    expect(report.totalUsdPerMonth).toBeCloseTo(sum, 1);
  });

  it("prices three HTTPS health checks and one calculated check for one site in three regions", () => {
    const checks = estimateCost(config()).lineItems.filter(
      (i) => i.service === "Route 53" && i.unit === "checks",
    );
    expect(checks.map((c) => c.quantity)).toEqual([3, 1]);
    expect(checks[0]?.usdPerMonth).toBeCloseTo(4.5, 2);
  });

  it("charges more for the fast interval and for non-AWS endpoint billing", () => {
    const standard = estimateCost(config()).totalUsdPerMonth;
    const fast = estimateCost(config({ dataPlane: { healthCheckIntervalSeconds: 10 } })).totalUsdPerMonth;
    const nonAws = estimateCost(config(), { healthCheckBilling: "non-aws-endpoint" }).totalUsdPerMonth;
    expect(fast - standard).toBeGreaterThan(3);
    expect(nonAws - standard).toBeCloseTo(3.75, 1);
  });

  it("prices string matching on the inverted checks as one more option per check ($1 each, AWS endpoint)", () => {
    const standard = estimateCost(config()).totalUsdPerMonth;
    const matching = estimateCost(config({ dataPlane: { matchString: true } }));
    expect(matching.totalUsdPerMonth - standard).toBeCloseTo(3, 2);
    expect(matching.lineItems.find((i) => i.service === "Route 53")?.item).toContain("HTTPS, string match");
  });

  it("shows the growth to 100 and 1,000 sites in both tiers, close to linear", () => {
    const { growth } = costReport(config());
    expect(growth.map((g) => `${g.sites} ${g.tier}`)).toEqual([
      "1 data-plane",
      "1 control-plane-only",
      "100 data-plane",
      "100 control-plane-only",
      "1000 data-plane",
      "1000 control-plane-only",
    ]);
    for (const tier of ["data-plane", "control-plane-only"]) {
      const [one, hundred, thousand] = growth
        .filter((g) => g.tier === tier)
        .map((g) => g.totalUsdPerMonth) as [number, number, number];
      // The fixed part (alarms, zone, metric, schedules) is shared: per site it falls, then levels off.
      expect(hundred).toBeGreaterThan(one * 10);
      expect(thousand).toBeGreaterThan(hundred * 8);
    }
    expect(growth.filter((g) => g.tier === "control-plane-only").map((g) => g.healthChecks)).toEqual([
      0, 0, 0,
    ]);
  });

  it("shows the sleeping-probe alternative costing more than the whole SQS chain and probe duration", () => {
    const report = costReport(config());
    const chain = report.lineItems
      .filter((i) => i.service === "SQS" || i.item.startsWith("probe duration"))
      .reduce((n, i) => n + i.usdPerMonth, 0);
    expect(report.sleepingProbeUsd).toBeGreaterThan(chain * 3);
  });

  it("prints JSON with the line items and totalUsdPerMonth", async () => {
    const out = JSON.parse(await runCost({ config: configFile(), json: true })) as Record<string, unknown>;
    expect(out.totalUsdPerMonth).toEqual(expect.any(Number));
    expect(out.lineItems).toEqual(expect.arrayContaining([expect.objectContaining({ service: "SQS" })]));
    expect(out.pricesCheckedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("counts the health checks against the account quota, and shares them where sites share a path", () => {
    expect(costReport(config()).healthChecks).toEqual({ needed: 4, quota: 200 });
    // Two sites whose primaries share one front-door path.
    const doc = document({ sites: ["acme", "acme-eu"] });
    const sites = doc.sites as Array<{ providers: Array<{ dnsTarget: string }> }>;
    const [first, second] = sites;
    if (first?.providers[0] && second?.providers[0])
      second.providers[0].dnsTarget = first.providers[0].dnsTarget;
    const parsed = parseConfig(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const two = parsed.config;
    expect(costReport(two).healthChecks.needed).toBe(4);
    expect(costReport(two).growth.find((g) => g.sites === 1000)?.healthChecks).toBe(4000);
  });

  it("prints the free allowances apart, not deducted, and the quota", async () => {
    const out = await runCost({ config: configFile() });
    expect(out).toContain("Free allowances per account and month, not deducted above");
    expect(out).toContain("Route 53 health checks: 4 of the account's quota of 200");
  });

  it("prints a table with a total and the growth", async () => {
    const out = await runCost({ config: configFile() });
    expect(out).toMatch(/^Total\s+\$\d+\.\d\d$/m);
    expect(out).toContain("1000 site(s)");
  });

  it("prices the login hostname's queries at the volume given, and refuses a volume that is not one", async () => {
    const queries = async (dnsQueries: string) => {
      const out = JSON.parse(await runCost({ config: configFile(), json: true, dnsQueries })) as {
        lineItems: Array<{ item: string; quantity: number }>;
      };
      return out.lineItems.find((i) => i.item.startsWith("queries"))?.quantity;
    };
    expect(await queries("5000000")).toBe(5_000_000);
    for (const bad of ["", " ", "-1", "many"]) {
      await expect(runCost({ config: configFile(), dnsQueries: bad })).rejects.toThrow(/--dns-queries/);
    }
  });

  it("prices 1,000 control-plane-only sites under $2 a site a month (idpctl cost --sites 1000)", async () => {
    // Prepare: the shipped example's site, without a data plane, as the first of the config.
    const { document: example } = loadConfigFile(join(import.meta.dirname, "../../examples/okta-entra.yaml"));
    const doc = structuredClone(example) as { sites: Array<Record<string, unknown>> };
    for (const site of doc.sites) site.dataPlane = false;
    const file = join(mkdtempSync(join(tmpdir(), "idp-cost-")), "config.json");
    writeFileSync(file, JSON.stringify(doc));

    // Act
    const report = JSON.parse(await runCost({ config: file, sites: "1000", json: true })) as CostReport;

    // Assess
    expect(report.sites).toBe(1000);
    expect(report.tiers).toEqual({ dataPlane: 0, controlPlaneOnly: 1000 });
    expect(report.perSiteUsdPerMonth).toBeLessThan(2);
    expect(report.healthChecks.needed).toBe(0);
    expect(report.probeRound.shards).toBeGreaterThan(1);
    expect(report.probeRound.roundMs).toBeLessThanOrEqual(report.probeRound.budgetMs);
    for (const item of report.lineItems) expect(item.basis.length, item.item).toBeGreaterThan(20);
  });

  it("prices N sites in the tier --tier names, whatever the first site's, and refuses a tier it does not know", async () => {
    // Act: the example's site has a data plane; its copies are priced in each tier.
    const price = async (tier: string) =>
      JSON.parse(await runCost({ config: configFile(), sites: "100", tier, json: true })) as CostReport;
    const [controlPlaneOnly, dataPlane] = [await price("control-plane-only"), await price("data-plane")];

    // Assess
    expect(controlPlaneOnly.tiers).toEqual({ dataPlane: 0, controlPlaneOnly: 100 });
    expect(controlPlaneOnly.healthChecks.needed).toBe(0);
    expect(dataPlane.tiers).toEqual({ dataPlane: 100, controlPlaneOnly: 0 });
    expect(dataPlane.healthChecks.needed).toBe(400);
    await expect(runCost({ config: configFile(), sites: "100", tier: "gold" })).rejects.toThrow(
      /--tier "gold": data-plane or control-plane-only/,
    );
    await expect(runCost({ config: configFile(), tier: "data-plane" })).rejects.toThrow(/give --sites N too/);
  });

  it("prices no health checks, verdict requests or latch reads for a control-plane-only site", () => {
    // Prepare
    const both = config({ sites: ["acme", "globex"] });
    const oneTier = {
      ...both,
      sites: both.sites.map((s) => (s.id === "globex" ? { ...s, dataPlane: false } : s)),
    };

    // Act
    const mixed = estimateCost(oneTier);
    const full = estimateCost(both);

    // Assess: globex drops its 4 health checks and its share of the data plane's reads.
    expect(mixed.tiers).toEqual({ dataPlane: 1, controlPlaneOnly: 1 });
    expect(mixed.healthChecks.needed).toBe(4);
    expect(full.healthChecks.needed).toBe(8);
    const line = (e: typeof full, prefix: string) => e.lineItems.find((i) => i.item.startsWith(prefix));
    expect(line(mixed, "reads")?.quantity).toBeLessThan(line(full, "reads")?.quantity ?? 0);
    expect(line(mixed, "verdict duration")?.quantity).toBeCloseTo(
      (line(full, "verdict duration")?.quantity ?? 0) / 2,
      0,
    );
    expect(full.totalUsdPerMonth - mixed.totalUsdPerMonth).toBeGreaterThan(4.5);
  });

  it("prices a daily readiness run for each site with continuity, its assumption stated", () => {
    const { config: example } = loadConfigFile(join(import.meta.dirname, "../../examples/okta-entra.yaml"));
    const line = (c: typeof example) =>
      estimateCost(c).lineItems.find((i) => i.item.startsWith("continuity"));
    expect(line(example)).toMatchObject({
      quantity: 30,
      unit: "runs",
      basis: expect.stringContaining("120 s"),
    });
    const without = { ...example, sites: example.sites.map(({ continuity: _c, ...site }) => site) };
    expect(line(without)).toMatchObject({ quantity: 0, usdPerMonth: 0 });
  });

  it("says the account limits a deployment of 1,000 sites with a data plane comes near, and how to raise them", async () => {
    const out = await runCost({ config: configFile(), sites: "1000" });
    expect(out).toMatch(
      /Lambda concurrency in us-east-1: \d+ reserved \(probe 1, probe shard \d+, verdict \d+, notify 1\)/,
    );
    expect(out).toContain("error: needs 4000 Route 53 health checks");
    expect(out).toContain(
      "or set dataPlane: false on the sites that may fail over through the control plane alone",
    );
  });

  it("refuses a number of sites that is not one", async () => {
    for (const bad of ["", "0", "-3", "1.5", "many"]) {
      await expect(runCost({ config: configFile(), sites: bad })).rejects.toThrow(/--sites/);
    }
  });

  it("refuses an unknown billing kind", async () => {
    await expect(runCost({ config: configFile(), healthCheckBilling: "free" })).rejects.toThrow(
      /aws-endpoint/,
    );
  });
});
