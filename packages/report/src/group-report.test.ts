import { InMemoryStore } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { reportFromStore } from "./build-report.js";
import { monthPeriod } from "./period.js";
import { renderReport } from "./render.js";
import { slaReportSchema } from "./report-schema.js";
import { minuteRollups, testIncident } from "./test-support.js";

/*
 * A report of the sites with a tag (`idpctl report --tag gold`): each site as in any report, and
 * their figures taken together, in every format.
 */

const now = Date.parse("2026-12-01T02:00:00Z");
const from = Date.parse("2026-10-31T00:00:00Z");
const to = Date.parse("2026-12-02T00:00:00Z");

/** November: acme's Okta down 10:00-11:30 on the 10th and failed over; globex up all month. */
async function goldStore(): Promise<InMemoryStore> {
  const store = new InMemoryStore();
  const down = [Date.parse("2026-11-10T10:00:00Z"), Date.parse("2026-11-10T11:30:00Z")] as const;
  await store.putRollups(
    minuteRollups("acme", "okta", from, to, (m) => (m >= down[0] && m < down[1] ? "down" : "up")),
  );
  for (const [site, provider] of [
    ["acme", "entra"],
    ["globex", "okta"],
    ["globex", "entra"],
  ] as const) {
    await store.putRollups(minuteRollups(site, provider, from, to, () => "up"));
  }
  await store.putIncident(testIncident());
  return store;
}

const config = testConfig({
  sites: ["acme", "globex", "initech"],
  siteSettings: { acme: { tags: ["gold"] }, globex: { tags: ["gold", "eu"] } },
});

describe("a report of the sites with a tag", () => {
  it("adds the sites' figures together: sign-in availability, incidents, what failover saved, the worst site", async () => {
    // Act
    const report = await reportFromStore(await goldStore(), config, monthPeriod("2026-11"), {
      now,
      sites: ["acme", "globex"],
      tags: ["gold"],
    });

    // Assess: acme's sign-in was down from the onset to INSYNC + TTL, 105 s of 43,200 min.
    expect(report.sites.map((s) => s.site)).toEqual(["acme", "globex"]);
    expect(report.group).toEqual({
      tags: ["gold"],
      sites: 2,
      loginAvailabilityPct: 99.998,
      loginDowntimeMinutes: 1.75,
      measuredMinutes: 86_400,
      failoverSavedMinutes: 88.25,
      incidents: 1,
      worstSite: { site: "acme", loginAvailabilityPct: 99.9959 },
      primaryBelowSla: ["acme"],
    });
    expect(slaReportSchema.safeParse(JSON.parse(renderReport(report, "json"))).success).toBe(true);
  });

  it("opens every human format with the group, and leaves it out of a report not made by tag", async () => {
    // Prepare
    const store = await goldStore();
    const period = monthPeriod("2026-11");
    const tagged = await reportFromStore(store, config, period, {
      now,
      sites: ["acme", "globex"],
      tags: ["gold"],
    });
    const plain = await reportFromStore(store, config, period, { now, sites: ["acme", "globex"] });

    // Act
    const markdown = renderReport(tagged, "md");
    const html = renderReport(tagged, "html");
    const csv = renderReport(tagged, "csv");

    // Assess
    expect(markdown).toContain("## Sites tagged gold: 2");
    expect(markdown).toContain("Sign-in was available 99.9980% over the 2 site(s)");
    expect(markdown).toMatch(/\| acme \| 99\.9959% \| 99\.7917% \| 1\.8 min \| 1 h 28 min \| 1 \|/);
    expect(markdown.indexOf("## Sites tagged gold")).toBeLessThan(markdown.indexOf("## acme:"));
    expect(html).toContain("<h2>Sites tagged gold: 2</h2>");
    expect(csv.split("\r\n")[1]).toMatch(/^group,tag:gold,/);
    expect(plain.group).toBeUndefined();
    expect(renderReport(plain, "md")).not.toContain("Sites tagged");
  });
});
