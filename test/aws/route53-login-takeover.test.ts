import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Route53DnsWeights, Route53LoginTakeover } from "@idp-failover/aws";
import { capturedIo } from "@idp-failover/cli/testing";
import type { Site } from "@idp-failover/core";
import { testConfig, testConfigInput, testSite, testZoneId as zoneId } from "@idp-failover/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runTakeover } from "../../packages/cli/src/commands/takeover.js";
import { route53ForTests, stubOperatorCredentials } from "./fixtures.js";

/*
 * Taking over an existing login record with the real Route 53 client against the stand-in: one batch
 * with DELETE and CREATE (never a window without the name), and the batches Route 53 refuses.
 */

const local = route53ForTests({ insyncAfterMs: 20 });
const site: Site = testSite(testConfig());
const hostname = site.hostname;
const client = () => local.client({ maxAttempts: 1 });

describe("Route53LoginTakeover", () => {
  it("replaces a plain CNAME by the weighted set in one batch: DELETE and CREATE together", async () => {
    // Prepare
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 300, values: ["acme.okta.com"] }]);
    const takeover = new Route53LoginTakeover({ client: client() });
    // Act
    const plan = await takeover.plan(site);
    if (plan.kind !== "takeover") throw new Error(JSON.stringify(plan));
    const outcome = await takeover.apply(site, plan);
    // Assess
    expect(plan.changes.map((c) => c.Action)).toEqual(["DELETE", "CREATE", "CREATE"]);
    expect(outcome.kind).toBe("submitted");
    expect(local.route53.records(zoneId, hostname)).toEqual([
      expect.objectContaining({
        type: "CNAME",
        setIdentifier: "entra",
        weight: 0,
        values: ["acme-login.azurefd.net"],
      }),
      expect.objectContaining({
        type: "CNAME",
        setIdentifier: "okta",
        weight: 100,
        values: ["acme.customdomains.okta.com"],
      }),
    ]);
    expect(await new Route53DnsWeights({ client: client() }).read(site)).toEqual({ okta: 100, entra: 0 });
  });

  it("has nothing to do once the weighted set is there", async () => {
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 300, values: ["acme.okta.com"] }]);
    const takeover = new Route53LoginTakeover({ client: client() });
    const plan = await takeover.plan(site);
    if (plan.kind !== "takeover") throw new Error(JSON.stringify(plan));
    await takeover.apply(site, plan);
    expect((await takeover.plan(site)).kind).toBe("nothing-to-do");
  });

  it("is refused by Route 53 when the record changed between plan and apply (the DELETE must match)", async () => {
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 300, values: ["acme.okta.com"] }]);
    const takeover = new Route53LoginTakeover({ client: client() });
    const plan = await takeover.plan(site);
    if (plan.kind !== "takeover") throw new Error(JSON.stringify(plan));
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 60, values: ["elsewhere.example"] }]);
    const outcome = await takeover.apply(site, plan);
    expect(outcome).toMatchObject({
      kind: "rejected",
      message: expect.stringContaining("InvalidChangeBatch"),
    });
    expect(local.route53.records(zoneId, hostname)).toEqual([
      expect.objectContaining({ type: "CNAME", values: ["elsewhere.example"] }),
    ]);
  });

  it("is refused by Route 53 when the batch leaves a CNAME beside other records (CREATE without the DELETE)", async () => {
    local.route53.seed(zoneId, [{ name: hostname, type: "A", ttl: 300, values: ["192.0.2.7"] }]);
    const takeover = new Route53LoginTakeover({ client: client() });
    const plan = await takeover.plan(site);
    if (plan.kind !== "takeover") throw new Error(JSON.stringify(plan));
    const createsOnly = { ...plan, changes: plan.changes.filter((c) => c.Action === "CREATE") };
    const outcome = await takeover.apply(site, createsOnly);
    expect(outcome).toMatchObject({
      kind: "rejected",
      message: expect.stringContaining("conflicts with other records"),
    });
    expect((await takeover.apply(site, plan)).kind).toBe("submitted");
  });

  it("refuses records no provider owns, rather than guess", async () => {
    local.route53.seed(zoneId, [
      {
        name: hostname,
        type: "CNAME",
        setIdentifier: "legacy",
        weight: 10,
        ttl: 60,
        values: ["old.example"],
      },
    ]);
    const plan = await new Route53LoginTakeover({ client: client() }).plan(site);
    expect(plan).toMatchObject({ kind: "refused", reason: expect.stringContaining("[legacy]") });
  });
});

describe("idpctl takeover", () => {
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "takeover-"));
    configFile = join(dir, "config.json");
    await writeFile(configFile, JSON.stringify(testConfigInput()));
    stubOperatorCredentials();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  const io = () =>
    capturedIo({ env: { AWS_ENDPOINT_URL_ROUTE_53: local.route53.url, AWS_REGION: "us-east-1" } });

  it("--dry-run prints the one batch, DELETE and CREATE, and changes nothing", async () => {
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 300, values: ["acme.okta.com"] }]);
    const out = io();
    await runTakeover({ config: configFile, site: "acme", dryRun: true }, out);
    expect(out.stdout()).toContain(
      "Would submit one change batch for login.acme.example.com (all or nothing)",
    );
    const batch = JSON.parse(out.stdout().slice(out.stdout().indexOf("{"))) as {
      ChangeBatch: {
        Changes: Array<{ Action: string; ResourceRecordSet: { SetIdentifier?: string; Weight?: number } }>;
      };
    };
    expect(
      batch.ChangeBatch.Changes.map((c) => [
        c.Action,
        c.ResourceRecordSet.SetIdentifier,
        c.ResourceRecordSet.Weight,
      ]),
    ).toEqual([
      ["DELETE", undefined, undefined],
      ["CREATE", "okta", 100],
      ["CREATE", "entra", 0],
    ]);
    expect(local.route53.records(zoneId, hostname)).toEqual([
      expect.objectContaining({ values: ["acme.okta.com"] }),
    ]);
  });

  it("submits the batch and waits for INSYNC", async () => {
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 300, values: ["acme.okta.com"] }]);
    const out = io();
    await runTakeover({ config: configFile, site: "acme", waitSeconds: "5" }, out);
    expect(out.stdout()).toMatch(/INSYNC after \d+ s/);
    expect(local.route53.records(zoneId, hostname).map((r) => r.setIdentifier)).toEqual(["entra", "okta"]);
  });
});
