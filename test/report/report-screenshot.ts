/*
 * Makes docs/report-example.png (the README's picture of a monthly report):
 * replays a November with a 90-minute Okta outage, a regional Okta problem, an hour with the monitor
 * impaired and a short second outage, then renders the report in headless Chromium.
 *
 *   npx tsx test/report/report-screenshot.ts
 */
import { join } from "node:path";
import { parseScenario, replay } from "@idp-failover/core";
import { monthPeriod, renderHtml, reportFromReplay } from "@idp-failover/report";
import { launchChromium } from "../support/chromium.js";

const docs = join(import.meta.dirname, "..", "..", "docs");

const parsed = parseScenario({
  name: "November 2026 at example.com",
  start: "2026-11-01T00:00:00Z",
  end: "2026-12-01T00:00:00Z",
  providers: [
    { id: "okta", role: "primary", kind: "okta" },
    { id: "entra", role: "secondary", kind: "entra" },
  ],
  faults: [
    {
      provider: "okta",
      regions: ["*"],
      from: "2026-11-10T10:00:00Z",
      to: "2026-11-10T11:30:00Z",
      mode: "down",
    },
    {
      provider: "okta",
      regions: ["eu-west-1"],
      from: "2026-11-17T06:00:00Z",
      to: "2026-11-17T06:40:00Z",
      mode: "down",
    },
    {
      provider: "*",
      regions: ["us-west-2", "eu-west-1"],
      from: "2026-11-21T02:00:00Z",
      to: "2026-11-21T02:45:00Z",
      mode: "partition",
    },
    {
      provider: "okta",
      regions: ["*"],
      from: "2026-11-26T15:00:00Z",
      to: "2026-11-26T15:12:00Z",
      mode: "down",
    },
  ],
  noise: { failureRate: 0.01, seed: 42 },
  approvals: [
    { at: "2026-11-10T12:05:00Z", user: "U0123ABCDEF" },
    { at: "2026-11-26T15:40:00Z", user: "U0456GHIJKL" },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues, null, 2));
const run = await replay(parsed.scenario, { rollups: true, timeline: false });
const report = reportFromReplay(run, {
  period: monthPeriod("2026-11"),
  now: Date.parse("2026-12-01T02:00:00Z"),
});
for (const site of report.sites) {
  site.site = "example";
  site.hostname = "login.example.com";
}
const html = renderHtml(report);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: "load" });
  await page.screenshot({ path: join(docs, "report-example.png"), fullPage: true });
} finally {
  await browser.close();
}
process.stdout.write(`wrote ${join(docs, "report-example.png")}\n`);
