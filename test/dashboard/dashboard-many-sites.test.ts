import {
  commandSite,
  evaluateSite,
  FakeClock,
  InMemoryMessageRefs,
  InMemoryStore,
  inMemoryEvaluatorDeps,
} from "@idp-failover/core";
import { testConfig, testTrackers } from "@idp-failover/core/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DashboardServer } from "../../packages/runtime/src/dashboard/dashboard-server.js";
import {
  buildSnapshot,
  type SnapshotView,
  sitesPerPage,
} from "../../packages/runtime/src/dashboard/dashboard-snapshot.js";
import { launchChromium } from "../support/chromium.js";

/*
 * The dashboard of a deployment with many sites: a page at a time, filtered by tag, the sites that
 * need someone first; the monitor's impaired regions and a flapping pause shown. The snapshot is
 * built from an in-memory store by the real evaluator; the page runs in headless Chromium.
 */

const start = Date.parse("2026-12-04T10:00:00Z");
const ids = Array.from({ length: 30 }, (_, i) => `customer-${String(i + 1).padStart(2, "0")}`);
const config = testConfig({
  sites: ids,
  siteSettings: Object.fromEntries(
    ids.map((id, i) => [id, { tags: i % 3 === 0 ? ["gold", "eu"] : ["silver"] }]),
  ),
});
/** customer-29 (silver) fails over; customer-07 (gold) is frozen; customer-13 (gold) pauses for flapping. */
const failing = "customer-29";

let store: InMemoryStore;

beforeAll(async () => {
  store = new InMemoryStore();
  const clock = new FakeClock(start);
  const deps = inMemoryEvaluatorDeps(store, clock);
  for (const id of ids) {
    for (const tracker of testTrackers(id, start, { okta: id === failing })) store.setTracker(tracker);
    await evaluateSite(deps, config, id);
  }
  await commandSite(deps, config, "customer-07", {
    kind: "freeze",
    actor: "operator:ana",
    reason: "change window",
  });
  // The monitor's trouble is in every site's state (each evaluation raises it); one flapping site.
  const monitor = { since: "2026-12-04T09:58:00.000Z", regions: ["us-west-2"], holding: false };
  for (const id of ids) {
    const stored = await store.loadState(id);
    if (!stored) throw new Error(`${id} was not evaluated`);
    const paused = { since: "2026-12-04T09:55:00.000Z", until: "2026-12-04T10:55:00.000Z", changes: 4 };
    await store.saveState(
      {
        ...stored.state,
        version: stored.state.version + 1,
        ...(id === "customer-13" ? { paused } : {}),
        alerts: { ...stored.state.alerts, monitor },
      },
      stored.state.version,
      stored.outbox,
    );
  }
});

function snapshot(view?: SnapshotView) {
  return buildSnapshot(
    {
      kind: "run",
      title: "idp-failover",
      config,
      store,
      refs: new InMemoryMessageRefs(),
      clock: { now: () => start },
      recent: () => [],
      lastRound: () => undefined,
      approval: { as: "U0APPROVER" },
    },
    view,
  );
}

describe("the dashboard's snapshot of many sites", () => {
  it("shows a page of sites, the ones that need someone first, and how many there are", async () => {
    // Act
    const first = await snapshot();
    const last = await snapshot({ tags: [], page: 3 });

    // Assess
    expect(first.sites).toHaveLength(sitesPerPage);
    expect(first.sites.slice(0, 3).map((s) => [s.id, s.level])).toEqual([
      [failing, 3],
      ["customer-07", 2],
      ["customer-13", 2],
    ]);
    expect(first.sites[3]?.id).toBe("customer-01");
    expect(first.view).toMatchObject({ page: 1, pages: 3, sites: 30, matching: 30 });
    expect(first.view.levels).toEqual({ now: 1, soon: 2, look: 0, fine: 27 });
    expect(first.view.allTags).toEqual([
      { tag: "eu", sites: 10 },
      { tag: "gold", sites: 10 },
      { tag: "silver", sites: 20 },
    ]);
    expect(last.sites).toHaveLength(30 - 2 * sitesPerPage);
    expect(last.view.page).toBe(3);
  });

  it("filters by tag, keeping the order, and says the monitor's trouble and a flapping pause", async () => {
    // Act
    const gold = await snapshot({ tags: ["gold"], page: 1 });

    // Assess
    expect(gold.view).toMatchObject({ tags: ["gold"], matching: 10, pages: 1 });
    expect(gold.sites.map((s) => s.id).slice(0, 3)).toEqual(["customer-07", "customer-13", "customer-01"]);
    expect(gold.sites.every((s) => s.tags.includes("gold"))).toBe(true);
    expect(gold.monitor).toEqual({
      regions: ["us-west-2"],
      since: "2026-12-04T09:58:00.000Z",
      holding: false,
    });
    expect(gold.sites.find((s) => s.id === "customer-13")?.state?.paused).toEqual({
      since: "2026-12-04T09:55:00.000Z",
      until: "2026-12-04T10:55:00.000Z",
      changes: 4,
    });
  });
});

describe("the dashboard page with many sites", () => {
  let browser: Browser;
  let server: DashboardServer;
  const views: SnapshotView[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    server = new DashboardServer({
      snapshot: (view) => {
        views.push(view);
        return snapshot(view);
      },
      actions: {
        approve: async () => ({ ok: false, message: "not here" }),
        freeze: async () => ({ ok: false, message: "not here" }),
        unfreeze: async () => ({ ok: false, message: "not here" }),
      },
      onChange: () => () => undefined,
    });
    await server.start();
  });
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  it("asks for the tag and page in its address, and shows the filter, the pager, the monitor and the reasons", async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    // Act
    await page.goto(`${server.url}&tag=silver&page=2`);
    await page.waitForSelector('[data-page="2"]');
    const counts = await page.textContent(".counts");
    const cards = await page.locator("article.site").count();
    const monitor = await page.textContent("#monitor");
    await page.click("text=all sites");
    await page.waitForSelector('[data-matching="30"]');
    await page.click('a[data-tag="gold"]');
    await page.waitForSelector('[data-site="customer-13"] [data-paused]');
    const reasons = await page.locator('[data-site="customer-07"] .troubles li').allTextContents();
    const url = page.url();
    await page.close();

    // Assess
    expect(views[0]).toEqual({ tags: ["silver"], page: 2 });
    expect(counts).toBe(
      "20 of 30 site(s) tagged silver: 1 need someone now · 0 soon · 0 worth a look · 19 fine; those first",
    );
    expect(cards).toBe(20 - sitesPerPage);
    expect(monitor).toContain("Monitor impaired in us-west-2 since 09:58:00 UTC");
    expect(new URL(url).searchParams.getAll("tag")).toEqual(["gold"]);
    expect(reasons).toEqual(["frozen by operator:ana: change window"]);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
