import { describe, expect, it } from "vitest";
import { accountLimitIssues, lambdaConcurrencyIssue, reservedConcurrency } from "./account-limits.js";
import { parseConfig } from "./config.js";
import { withSites } from "./cost-estimate.js";
import { testConfigInput } from "./testing.js";

/** The shared test config (3 regions, home us-east-1) with `sites` sites like the first. */
function config(sites = 1, extra: Record<string, unknown> = {}, dataPlane = false) {
  const parsed = parseConfig({ ...testConfigInput({ alerting: {} }), ...extra });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return withSites(parsed.config, sites, { dataPlane });
}

describe("Lambda concurrency the deployment reserves", () => {
  it("counts the probe, its shards and the verdict function in each probe region, and notify at home", () => {
    // Act
    const regions = reservedConcurrency(config(1000, { dataPlane: { healthCheckQuota: 10_000 } }, true));

    // Assess: 1,000 sites split into shards, each region reserving twice the shards for them.
    const home = regions.find((r) => r.region === "us-east-1");
    expect(home?.functions.map((f) => f.name)).toEqual(["probe", "probe shard", "verdict", "notify"]);
    const shards = home?.functions.find((f) => f.name === "probe shard")?.reserved ?? 0;
    expect(shards).toBeGreaterThan(2);
    expect(regions.find((r) => r.region === "eu-west-1")?.functions.map((f) => f.name)).toEqual([
      "probe",
      "probe shard",
      "verdict",
    ]);
    expect(home?.unreserved).toBe(1000 - (home?.total ?? 0));
  });

  it("reserves nothing for verdict endpoints a deployment without a data plane does not have", () => {
    // Act
    const regions = reservedConcurrency(config(1000));

    // Assess
    expect(regions.find((r) => r.region === "us-east-1")?.functions.map((f) => f.name)).toEqual([
      "probe",
      "probe shard",
      "notify",
    ]);
    expect(regions.find((r) => r.region === "eu-west-1")?.functions.map((f) => f.name)).toEqual([
      "probe",
      "probe shard",
    ]);
  });

  it("is no issue for one site under the default quota of 1,000", () => {
    expect(accountLimitIssues(config(1))).toEqual([]);
  });

  it("refuses reservations that would leave fewer than 100 unreserved, saying how to raise the quota", () => {
    // Prepare: what 1,000 sites reserve in their busiest region, and a quota one short of room for it.
    const sites = config(1000);
    const reserved = Math.max(...reservedConcurrency(sites).map((r) => r.total));
    const quota = reserved + 99;

    // Act
    const issue = lambdaConcurrencyIssue({ ...sites, lambdaConcurrencyQuota: quota });

    // Assess
    expect(issue).toMatchObject({
      path: "lambdaConcurrencyQuota",
      severity: "error",
      message: expect.stringContaining(
        `of the account's Lambda quota of ${quota}, of which ${reserved - 1} may be reserved`,
      ),
      hint: expect.stringContaining("Service Quotas console"),
    });
    expect(lambdaConcurrencyIssue({ ...sites, lambdaConcurrencyQuota: quota + 1 })?.severity).toBe("warning");
  });

  it("warns when the reservations take more than 80% of what may be reserved", () => {
    // Prepare: what 1,000 sites reserve in their busiest region, then a quota just above it.
    const sites = config(1000);
    const reserved = Math.max(...reservedConcurrency(sites).map((r) => r.total));
    const quota = Math.ceil(reserved / 0.9) + 100;

    // Act, Assess
    expect(lambdaConcurrencyIssue({ ...sites, lambdaConcurrencyQuota: quota })?.severity).toBe("warning");
    expect(lambdaConcurrencyIssue({ ...sites, lambdaConcurrencyQuota: reserved * 2 + 100 })).toBeUndefined();
  });

  it("takes the quota from the config, 1,000 by default", () => {
    expect(reservedConcurrency(config(1))[0]?.quota).toBe(1000);
    expect(reservedConcurrency(config(1, { lambdaConcurrencyQuota: 3000 }))[0]?.quota).toBe(3000);
  });
});
