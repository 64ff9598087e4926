import { runDrill } from "../../packages/runtime/src/drill/run-drill.js";
import { launchChromium } from "../support/chromium.js";

/*
 * Takes the README's dashboard screenshot (docs/dashboard.png) with the same setup as the browser
 * test: a full-outage drill with its dashboard, photographed in headless Chromium once the failover
 * is in sync, near the end of the outage. Run: npx tsx test/dashboard/take-screenshot.ts [out.png]
 */

const out = process.argv[2] ?? "docs/dashboard.png";
const interrupt = new AbortController();
let started: (url: string | undefined) => void = () => {};
const dashboardUrl = new Promise<string | undefined>((resolve) => {
  started = resolve;
});
const drill = runDrill(
  { outage: "full", speed: 10, autoApprove: true, approvalWaitSeconds: 0, dashboard: true },
  { out: () => {}, err: () => {}, color: false },
  { onStarted: (info) => started(info.dashboardUrl), signal: interrupt.signal },
);
const url = (await dashboardUrl) ?? "about:blank";
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
await page.goto(url);
await page.waitForSelector('[data-state="secondary-active"]', { timeout: 180_000 });
// Near the end of the outage (it lasts 180 s of drill time, 18 s real, after the failover): Okta
// still down everywhere, and the closed minutes show what the failover bought so far.
await page.waitForTimeout(15_000);
await page.screenshot({ path: out });
await browser.close();
interrupt.abort();
await drill.catch(() => undefined);
process.stdout.write(`${out}\n`);
