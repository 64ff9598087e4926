import { Route53DnsWeights } from "@idp-failover/aws";
import type { Site } from "@idp-failover/core";
import { testConfig, testSite, testZoneName, testZoneId as zoneId } from "@idp-failover/core/testing";
import { startRoute53StandIn } from "@idp-failover/stand-ins";
import { beforeEach, describe, expect, it } from "vitest";
import { route53ForTests, weightedRecord } from "./fixtures.js";

/*
 * Route53DnsWeights with the real Route 53 client against the stand-in (REST XML): one change batch
 * for every provider, records kept as they were apart from the weight, the refusals, and how each
 * Route 53 error becomes retry or rejected.
 */

const local = route53ForTests({ insyncAfterMs: 40 });
const site: Site = testSite(testConfig());
const hostname = site.hostname;

beforeEach(() => {
  local.route53.seed(zoneId, [
    weightedRecord(site, "okta", 100, { ttl: 300, healthCheckId: "hc-okta" }),
    weightedRecord(site, "entra", 0, { ttl: 300 }),
    { name: "www.acme.example", type: "A", ttl: 60, values: ["192.0.2.10"] },
  ]);
});

function dnsWeights(maxAttempts = 2): Route53DnsWeights {
  return new Route53DnsWeights({ client: local.client({ region: "eu-west-1", maxAttempts }) });
}

describe("Route53DnsWeights", () => {
  it("reads the weight of each provider's record", async () => {
    // Act
    const weights = await dnsWeights().read(site);

    // Assess
    expect(weights).toEqual({ okta: 100, entra: 0 });
  });

  it("moves both weights in one change batch and keeps TTL, values and health check", async () => {
    // Prepare
    const dns = dnsWeights();
    const before = local.route53.count("ChangeResourceRecordSets");

    // Act
    const outcome = await dns.apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome.kind).toBe("submitted");
    expect(local.route53.count("ChangeResourceRecordSets") - before).toBe(1);
    const change = local.route53.changes.at(-1);
    expect(change?.changes.map((c) => `${c.action} ${c.record.setIdentifier}=${c.record.weight}`)).toEqual([
      "UPSERT okta=0",
      "UPSERT entra=100",
    ]);
    expect(local.route53.records(zoneId, hostname)).toEqual([
      {
        name: `${hostname}.`,
        type: "CNAME",
        setIdentifier: "entra",
        weight: 100,
        ttl: 300,
        values: ["acme-login.azurefd.net"],
      },
      {
        name: `${hostname}.`,
        type: "CNAME",
        setIdentifier: "okta",
        weight: 0,
        ttl: 300,
        values: ["acme.customdomains.okta.com"],
        healthCheckId: "hc-okta",
      },
    ]);
  });

  it("reports the change PENDING, then INSYNC", async () => {
    // Prepare
    const dns = dnsWeights();
    local.route53.holdPending();
    const outcome = await dns.apply(site, { okta: 0, entra: 100 });
    if (outcome.kind !== "submitted") throw new Error(`expected a submitted change, got ${outcome.kind}`);

    // Act
    const pending = await dns.status(outcome.changeId);
    local.route53.releasePending();
    const insync = await dns.waitForInsync(outcome.changeId, { intervalMs: 20, timeoutMs: 5_000 });

    // Assess
    expect(pending.kind).toBe("pending");
    expect(insync.kind).toBe("insync");
  });

  it("stops waiting for INSYNC after the time it was given", async () => {
    // Prepare
    const dns = dnsWeights();
    local.route53.holdPending();
    const outcome = await dns.apply(site, { okta: 0, entra: 100 });
    if (outcome.kind !== "submitted") throw new Error(`expected a submitted change, got ${outcome.kind}`);

    // Act
    const waited = await dns.waitForInsync(outcome.changeId, { intervalMs: 10, timeoutMs: 50 });

    // Assess
    expect(waited).toMatchObject({ kind: "timeout", last: "PENDING" });
  });

  it("sends nothing when the records already carry the weights (a retry after a crash)", async () => {
    // Prepare
    const dns = dnsWeights();
    const before = local.route53.count("ChangeResourceRecordSets");

    // Act
    const outcome = await dns.apply(site, { okta: 100, entra: 0 });

    // Assess
    expect(outcome).toEqual({ kind: "already-applied" });
    expect(local.route53.count("ChangeResourceRecordSets")).toBe(before);
  });

  it("refuses a set whose weights are all zero without calling Route 53", async () => {
    // Prepare
    const dns = dnsWeights();
    const before = local.route53.count();

    // Act
    const outcome = await dns.apply(site, { okta: 0, entra: 0 });

    // Assess
    expect(outcome.kind).toBe("rejected");
    expect(local.route53.count()).toBe(before);
  });

  it("creates the record of a provider that has none, from the site's config", async () => {
    // Prepare: only okta's record exists.
    local.route53.createZone(testZoneName, zoneId);
    local.route53.seed(zoneId, [weightedRecord(site, "okta", 100)]);

    // Act
    const outcome = await dnsWeights().apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome.kind).toBe("submitted");
    expect(local.route53.records(zoneId, hostname).find((r) => r.setIdentifier === "entra")).toEqual({
      name: `${hostname}.`,
      type: "CNAME",
      setIdentifier: "entra",
      weight: 100,
      ttl: 60,
      values: ["acme-login.azurefd.net"],
    });
  });

  it("rides out one Throttling answer inside the SDK's retries", async () => {
    // Prepare
    local.route53.failNext("Throttling");
    const before = local.route53.count("ChangeResourceRecordSets");

    // Act
    const outcome = await dnsWeights(3).apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome.kind).toBe("submitted");
    expect(local.route53.count("ChangeResourceRecordSets") - before).toBe(2);
  });

  it.each([
    ["Throttling", "retry"],
    ["PriorRequestNotComplete", "retry"],
    ["InternalError", "retry"],
    ["InvalidChangeBatch", "rejected"],
    ["AccessDenied", "rejected"],
    ["NoSuchHostedZone", "rejected"],
  ] as const)(
    "turns a persistent %s into %s, with the state of the records unchanged",
    async (code, kind) => {
      // Prepare
      local.route53.failNext(code, { times: 5 });

      // Act
      const outcome = await dnsWeights(2).apply(site, { okta: 0, entra: 100 });

      // Assess
      expect(outcome.kind).toBe(kind);
      expect(outcome.kind !== "submitted" && outcome.kind !== "already-applied" && outcome.message).toContain(
        code,
      );
      expect(await dnsWeights().read(site)).toEqual({ okta: 100, entra: 0 });
    },
  );

  it("refuses to change a name that also has a record that is not weighted, without calling Route 53", async () => {
    // Prepare: the zone holds a simple (non-weighted) record of the login name's type as well.
    local.route53.createZone(testZoneName, zoneId);
    local.route53.seed(zoneId, [{ name: hostname, type: "CNAME", ttl: 60, values: ["legacy.example.net"] }]);
    const before = local.route53.count("ChangeResourceRecordSets");

    // Act
    const outcome = await dnsWeights().apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome).toMatchObject({ kind: "rejected" });
    expect(outcome.kind === "rejected" && outcome.message).toMatch(/not weighted/);
    expect(local.route53.count("ChangeResourceRecordSets")).toBe(before);
  });

  it("passes on Route 53's own reason for an invalid change batch", async () => {
    // Prepare: another record type at the login name, which a CNAME may not share.
    local.route53.seed(zoneId, [{ name: hostname, type: "TXT", ttl: 60, values: ['"site-verification"'] }]);

    // Act
    const outcome = await dnsWeights().apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome).toMatchObject({ kind: "rejected" });
    expect(outcome.kind === "rejected" && outcome.message).toMatch(
      /InvalidChangeBatch.*RRSet of type CNAME .* conflicts with other records/,
    );
    expect(await dnsWeights().read(site)).toEqual({ okta: 100, entra: 0 });
  });

  it("asks for a retry when the records do not read back as written (another writer)", async () => {
    // Prepare: someone else moves okta's weight right after our change is accepted.
    const client = local.client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "ChangeResourceRecordSetsCommand") {
          local.route53.seed(zoneId, [weightedRecord(site, "okta", 50, { ttl: 300 })]);
        }
        return out;
      },
      { step: "initialize", name: "anotherWriter" },
    );

    // Act
    const outcome = await new Route53DnsWeights({ client }).apply(site, { okta: 0, entra: 100 });

    // Assess
    expect(outcome).toMatchObject({ kind: "retry" });
    expect(outcome.kind === "retry" && outcome.message).toMatch(/read back .* differ .*okta: 50 != 0/);
  });

  it("finds the weighted set across pages of a large zone", async () => {
    // Prepare: 120 other names sorted before the login name, a page size of 10.
    const small = await startRoute53StandIn({ maxItems: 10 });
    small.createZone(testZoneName, zoneId);
    small.seed(zoneId, [
      ...Array.from({ length: 120 }, (_, i) => ({
        name: `a${i}.acme.example`,
        type: "A",
        ttl: 60,
        values: ["192.0.2.1"],
      })),
      ...Array.from({ length: 12 }, (_, i) => ({
        name: hostname,
        type: "CNAME",
        setIdentifier: `other-${String(i).padStart(2, "0")}`,
        weight: 0,
        ttl: 60,
        values: ["x.example.net"],
      })),
      weightedRecord(site, "okta", 100),
      weightedRecord(site, "entra", 0),
    ]);
    const client = local.client({ region: "us-east-1", endpoint: small.url });

    // Act
    const set = await new Route53DnsWeights({ client }).readSet(site);
    await small.close();

    // Assess
    expect(set.records.map((r) => `${r.provider}=${r.weight}`)).toEqual(["okta=100", "entra=0"]);
    expect(set.foreign).toHaveLength(12);
  });
});

describe("Route 53 stand-in answers", () => {
  it("follows Route 53's rules for weighted records with health checks", () => {
    // Prepare: okta 100 with a health check, entra 0 without one.
    const answer = () => local.route53.resolve(hostname).answers.map((a) => `${a.setIdentifier}:${a.share}`);

    // Act
    const healthy = answer();
    local.route53.setHealth("hc-okta", false);
    const primaryUnhealthy = answer();
    local.route53.setHealth("hc-okta", true);

    // Assess: zero-weight entra answers only once every non-zero record is unhealthy.
    expect(healthy).toEqual(["okta:1"]);
    expect(primaryUnhealthy).toEqual(["entra:1"]);
  });

  it("treats every record as healthy when none is", () => {
    // Prepare
    local.route53.seed(zoneId, [weightedRecord(site, "entra", 0, { ttl: 300, healthCheckId: "hc-entra" })]);
    local.route53.setHealth("hc-okta", false);
    local.route53.setHealth("hc-entra", false);

    // Act
    const resolution = local.route53.resolve(hostname);
    local.route53.setHealth("hc-okta", true);
    local.route53.setHealth("hc-entra", true);

    // Assess
    expect(resolution.rule).toBe("all unhealthy");
    expect(resolution.answers.map((a) => a.setIdentifier)).toEqual(["okta"]);
  });

  it("splits traffic equally when every weight is zero", () => {
    // Prepare
    local.route53.seed(zoneId, [weightedRecord(site, "okta", 0, { ttl: 300 })]);

    // Act
    const resolution = local.route53.resolve(hostname);

    // Assess
    expect(resolution.answers.map((a) => `${a.setIdentifier}:${a.share}`).sort()).toEqual([
      "entra:0.5",
      "okta:0.5",
    ]);
  });
});
