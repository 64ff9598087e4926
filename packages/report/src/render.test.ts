import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { reportFromStore } from "./build-report.js";
import { monthPeriod } from "./period.js";
import { csvColumns, renderCsv } from "./render-csv.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";
import { slaReportSchema } from "./report-schema.js";
import { novemberStore, testIncident } from "./test-support.js";

const now = Date.parse("2026-12-01T02:00:00Z");

async function novemberReport(incident = testIncident()) {
  return reportFromStore(await novemberStore("acme", incident), testConfig(), monthPeriod("2026-11"), {
    now,
  });
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

describe("report renderings", () => {
  it("gives a JSON form that follows the documented schema, with the headline figures", async () => {
    const report = await novemberReport();
    const json = JSON.parse(JSON.stringify(report));
    expect(slaReportSchema.parse(json)).toEqual(json);
    const site = json.sites[0];
    expect(site.site).toBe("acme");
    expect(site.providers.map((p: { id: string }) => p.id)).toEqual(["okta", "entra"]);
    expect(site.providers[0].availabilityPct).toBe(99.7917);
    expect(site.providers[0].downtimeMinutes).toBe(90);
    // Login down from onset to INSYNC + TTL: 45 + 60 s of 30 days.
    expect(site.loginAvailabilityPct).toBe(Math.round((1 - 105 / 2_592_000) * 1e6) / 1e4);
    expect(site.incidents[0]).toMatchObject({
      detectionSeconds: 15,
      dnsChangeSeconds: 15,
      insyncSeconds: 45,
    });
  });

  it("gives one rectangular CSV, safe to open in a spreadsheet", async () => {
    const csv = renderCsv(await novemberReport(testIncident({ approvedBy: '=HYPERLINK("x"),"evil"' })));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...csvColumns]);
    for (const row of rows) expect(row).toHaveLength(csvColumns.length);
    const records = rows.slice(1).map((r) => r[0]);
    expect(records.filter((r) => r === "login")).toHaveLength(1);
    expect(records.filter((r) => r === "day")).toHaveLength(60);
    const incident = rows.find((r) => r[0] === "incident");
    expect(incident?.[csvColumns.indexOf("approved_by")]).toBe('\'=HYPERLINK("x"),"evil"');
    const okta = rows.find((r) => r[0] === "provider" && r[2] === "okta");
    expect(okta?.[csvColumns.indexOf("availability_pct")]).toBe("99.7917");
  });

  it("says the headline in Markdown and keeps table cells intact", async () => {
    const md = renderMarkdown(await novemberReport(testIncident({ approvedBy: "slack:U1|U2" })));
    expect(md).toContain("# Identity availability report: November 2026 (UTC)");
    expect(md).toContain("login.acme.example.com was available 99.9959%");
    expect(md).toContain("okta (primary) was available 99.7917%");
    expect(md).toContain("U1\\|U2");
  });

  it("renders self-contained HTML with its three charts, escaping what it did not write", async () => {
    const html = renderHtml(
      await novemberReport(testIncident({ approvedBy: "slack:<script>alert(1)</script>" })),
    );
    expect(html).toContain("default-src 'none'");
    for (const chart of ["daily-availability", "incident-timeline", "region-heatmap"]) {
      expect(html).toContain(`data-chart="${chart}"`);
    }
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toMatch(/\s(src|href)=["']?https?:/);
  });

  it("shows a period without data as no data, not as up", async () => {
    const report = await reportFromStore(await novemberStore(), testConfig(), monthPeriod("2026-06"), {
      now,
    });
    const site = report.sites[0];
    expect(site?.loginAvailabilityPct).toBeNull();
    expect(site?.providers[0]?.availabilityPct).toBeNull();
    expect(site?.providers[0]?.sla.met).toBeNull();
    expect(site?.incidents).toEqual([]);
    expect(renderHtml(report)).toContain('<div class="big">no data</div>');
    expect(renderMarkdown(report)).toContain("No measurements for login.acme.example.com");
  });

  it("draws an incident still open until the report was made, not to the period's end", async () => {
    // Prepare: Okta down since 10:00 on the 10th, failed over, the report made two hours later.
    const { recoveredAt, failbackRequestedAt, failbackApprovedAt, approvedBy, endAt, ...open } =
      testIncident();
    const report = await reportFromStore(
      await novemberStore("acme", open),
      testConfig(),
      monthPeriod("2026-11"),
      {
        now: Date.parse("2026-11-10T12:00:00Z"),
      },
    );
    // Act
    const html = renderHtml(report);
    // Assess
    expect(html).toContain("<title>okta down from 2026-11-10T10:00:00Z for 2 h</title>");
    expect(html).toContain("login served by entra from 2026-11-10T10:00:45Z (1 h 59 min, failback included)");
  });

  it("says failover could not help when the primary was down without one", async () => {
    const { failoverTo, dnsSubmittedAt, insyncAt, ...noFailover } = testIncident({
      endAt: "2026-11-10T11:30:30Z",
    });
    const report = await reportFromStore(
      await novemberStore("acme", noFailover),
      testConfig(),
      monthPeriod("2026-11"),
      {
        now,
      },
    );
    expect(report.sites[0]?.failoverSavedMinutes).toBe(0);
    expect(renderMarkdown(report)).toContain("(down 1 h 30 min): failover could not avoid any of it.");
  });
});

describe("readiness at the time of a failover", () => {
  it("shows how ready the secondary was, in every format", async () => {
    const report = await novemberReport(
      testIncident({ secondaryReadinessPct: 97.46, secondaryReadinessAt: "2026-11-10T05:12:00.000Z" }),
    );

    const incident = report.sites[0]?.incidents[0];
    expect(incident).toMatchObject({
      secondaryReadinessPct: 97.46,
      secondaryReadinessAt: "2026-11-10T05:12:00.000Z",
    });
    expect(renderMarkdown(report)).toContain("okta -> entra (97.4% ready)");
    expect(renderHtml(report)).toContain("entra readiness");
    const [header, ...rows] = parseCsv(renderCsv(report));
    const column = header?.indexOf("secondary_readiness_pct") ?? -1;
    expect(rows.find((r) => r[0] === "incident")?.[column]).toBe("97.46");
  });

  it("says nothing of readiness when none was measured", async () => {
    const report = await novemberReport();

    expect(report.sites[0]?.incidents[0]?.secondaryReadinessPct).toBeNull();
    expect(renderMarkdown(report)).not.toContain("ready)");
  });
});
