import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { reportFromStore } from "./build-report.js";
import { monthPeriod } from "./period.js";
import { novemberStore } from "./test-support.js";

/* The vendor's own figure beside ours: asked for only when a source is given, never failing a report. */

const now = Date.parse("2026-12-01T02:00:00Z");

async function entraVendorFigure(options: Parameters<typeof reportFromStore>[3]) {
  const report = await reportFromStore(await novemberStore(), testConfig(), monthPeriod("2026-11"), options);
  return report.sites[0]?.providers.find((p) => p.id === "entra")?.vendorReported;
}

describe("the vendor-reported figure in a report", () => {
  it("says it was not asked for when no source is given", async () => {
    expect(await entraVendorFigure({ now })).toMatchObject({
      status: "not-available",
      reason: "not asked for",
    });
  });

  it("says why there is none when the source fails, and still makes the report", async () => {
    const figure = await entraVendorFigure({
      now,
      vendorSource: () => ({
        monthlyAttainment: () => Promise.reject(new Error("socket hang up")),
      }),
    });
    expect(figure).toMatchObject({
      status: "not-available",
      label: "Microsoft-reported SLA attainment",
      scorePct: null,
      reason: "asking failed: socket hang up",
    });
  });

  it("shows the source's score for the report's month", async () => {
    const months: string[] = [];
    const figure = await entraVendorFigure({
      now,
      vendorSource: () => ({
        monthlyAttainment: async (month) => {
          months.push(month);
          return { kind: "reported", scorePct: 99.998, startDate: "2026-11-01", endDate: "2026-11-30" };
        },
      }),
    });
    expect(figure).toMatchObject({ status: "reported", month: "2026-11", scorePct: 99.998, reason: null });
    expect(months).toEqual(["2026-11"]);
  });
});
