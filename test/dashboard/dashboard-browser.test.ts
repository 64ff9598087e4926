import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrillWorld } from "../../packages/runtime/src/drill/drill-world.js";
import { runDrill } from "../../packages/runtime/src/drill/run-drill.js";
import { fastDrillPolicy, fastDrillSpeed } from "../drill/fast-drill.js";
import { launchChromium } from "../support/chromium.js";

/*
 * The dashboard end to end, in headless Chromium (Debian's `chromium`, as CI installs it): a whole
 * drill runs with the dashboard, waiting for a person to approve failback. The page loads, shows the
 * failover as it happens, and its Approve failback button (the same signed Slack path) completes
 * the failback. The end-to-end drill's faster clock and shorter policy (fast-drill.ts) keep it short.
 */

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), "idpctl-dashboard-"));
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the drill's dashboard in a browser", () => {
  it("loads, shows the failover, and its Approve failback button completes the failback", async () => {
    // Prepare
    let output = "";
    let resolveStarted: (info: { dashboardUrl?: string; world: DrillWorld }) => void = () => {};
    const started = new Promise<{ dashboardUrl?: string; world: DrillWorld }>((resolve) => {
      resolveStarted = resolve;
    });
    const interrupt = new AbortController();
    const drill = runDrill(
      {
        outage: "full",
        speed: fastDrillSpeed,
        autoApprove: false,
        approvalWaitSeconds: 600,
        dashboard: true,
        reportDir: dir,
        policy: fastDrillPolicy,
      },
      {
        out: (text) => {
          output += text;
        },
        err: () => {},
        color: false,
      },
      { onStarted: resolveStarted, signal: interrupt.signal },
    );
    const { dashboardUrl, world } = await started;
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    let title: string | null;
    let oktaDownCells: number;
    let stateLines: string[];
    let outcome: Awaited<typeof drill>;
    try {
      // Act: the page loads
      await page.goto(dashboardUrl ?? "about:blank");
      await page.waitForSelector('[data-site="example"] [data-state]');
      title = await page.textContent("#title");

      // Act: the failover shows as it happens
      await page.waitForSelector('[data-state="secondary-active"]', { timeout: 30_000 });
      oktaDownCells = await page.locator('tr[data-provider="okta"] td.cell[data-verdict="down"]').count();
      stateLines = await page.locator('.timeline li[data-kind="state"]').allTextContents();

      // Act: a person approves failback (the button is enabled once the request is posted in Slack)
      await page.click('[data-action="approve"]', { timeout: 30_000 });
      await page.waitForSelector('[data-state="failing-back"], [data-state="primary-active"]', {
        timeout: 30_000,
      });
      outcome = await drill;
    } catch (error) {
      // Say what the drill saw, and stop it, rather than leave it running past the test.
      interrupt.abort();
      await drill.catch(() => undefined);
      throw new Error(`${String(error)}\n--- the drill's timeline ---\n${output}`, { cause: error });
    }

    // Assess
    expect(title).toBe("idp-failover drill · full outage");
    expect(oktaDownCells).toBeGreaterThanOrEqual(2);
    expect(stateLines.join("\n")).toContain("primary-active -> failing-over: okta down in");
    expect(outcome.verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(output).toContain("U0DRILLOPS pressed Approve failback: approved");
    expect(output).not.toContain("nobody pressed Approve failback");
    // The click took Slack's path: the handler updated the approval message with who approved.
    const approval = world.slackStandIn.messages.find((m) => m.text.includes("Approve failback"));
    expect(JSON.stringify([approval?.blocks, approval?.history])).toContain("*Approved* by <@U0DRILLOPS>");
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
