import { testConfig } from "@idp-failover/core/testing";
import { monthPeriod, renderHtml, reportFromStore } from "@idp-failover/report";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { novemberStore } from "../../packages/report/src/test-support.js";
import { launchChromium } from "../support/chromium.js";

/*
 * The HTML report in a real browser (Debian's chromium, headless): it renders its three charts with
 * sizes and marks, logs no error, fetches nothing, and prints (A4 PDF) without losing them.
 */

let browser: Browser;
let html: string;

beforeAll(async () => {
  browser = await launchChromium();
  const report = await reportFromStore(await novemberStore(), testConfig(), monthPeriod("2026-11"), {
    now: Date.parse("2026-12-01T02:00:00Z"),
  });
  html = renderHtml(report);
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe("the HTML report in Chromium", () => {
  it("renders its headline and three charts without errors or requests", async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    // Act
    await page.setContent(html, { waitUntil: "load" });
    // Assess
    expect(await page.locator("h1").textContent()).toBe("November 2026 (UTC)");
    expect(await page.locator(".card.hero .big").textContent()).toBe("99.9959%");
    for (const chart of ["daily-availability", "incident-timeline", "region-heatmap"]) {
      const svg = page.locator(`svg[data-chart="${chart}"]`);
      const box = await svg.boundingBox();
      expect(box?.width, chart).toBeGreaterThan(300);
      expect(box?.height, chart).toBeGreaterThan(60);
      expect(await svg.locator("rect").count(), chart).toBeGreaterThan(3);
    }
    // One bar a day for each provider, the outage day's bar shorter than the others.
    const bars = page.locator('svg[data-chart="daily-availability"] rect:has(title)');
    expect(await bars.count()).toBe(60);
    const heights = await bars.evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().height));
    expect(Math.min(...heights.slice(0, 30))).toBeLessThan(Math.max(...heights.slice(0, 30)));
    expect(await page.locator("svg[data-chart=incident-timeline] rect >> nth=-1").getAttribute("fill")).toBe(
      "#c1121f",
    );
    expect(errors).toEqual([]);
    expect(requests.filter((url) => url !== "about:blank")).toEqual([]);
    await page.close();
  });

  it("prints to A4 with the charts still drawn", async () => {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: "load" });
    await page.emulateMedia({ media: "print" });
    const box = await page.locator('svg[data-chart="daily-availability"]').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(20_000);
    await page.close();
  });
});
