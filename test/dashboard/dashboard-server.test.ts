import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { tokenMatches } from "../../packages/runtime/src/dashboard/access-token.js";
import {
  type DashboardActions,
  DashboardServer,
} from "../../packages/runtime/src/dashboard/dashboard-server.js";
import type { DashboardSnapshot } from "../../packages/runtime/src/dashboard/dashboard-snapshot.js";
import { call } from "../support/http-call.js";

/*
 * The dashboard server's doors: the access token on every request, actions only with the token in
 * the Authorization header and a JSON body, the loopback Host only, and live snapshots over SSE.
 * The snapshot and the actions are in-memory fakes here; the drill's browser test runs the real ones.
 */

let server: DashboardServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function snapshot(version: number): DashboardSnapshot {
  return {
    kind: "run",
    title: "idp-failover",
    now: "2026-03-02T09:00:00.000Z",
    speed: 1,
    regions: ["us-east-1"],
    approval: { as: "U0APPROVER" },
    view: {
      tags: [],
      page: 1,
      pages: 1,
      sites: 1,
      matching: 1,
      allTags: [],
      levels: { now: 0, soon: 0, look: 0, fine: 1 },
    },
    sites: [
      { id: "example", hostname: "login.example.com", tags: [], level: 0, troubles: [], providers: [] },
    ],
    timeline: [{ seq: version, at: 0, kind: "note", tone: "info", text: `version ${version}` }],
  };
}

async function start(actions: Partial<DashboardActions> = {}) {
  const listeners = new Set<() => void>();
  let version = 1;
  const calls: string[] = [];
  server = new DashboardServer({
    snapshot: async () => snapshot(version),
    actions: {
      approve: async (site, approvalId) => {
        calls.push(`approve ${site} ${approvalId}`);
        return { ok: true, message: "approved" };
      },
      freeze: async (site, reason) => {
        calls.push(`freeze ${site} ${reason}`);
        return { ok: false, message: "refused: already frozen" };
      },
      unfreeze: async () => ({ ok: true, message: "unfrozen" }),
      ...actions,
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pushIntervalMs: 10,
  });
  await server.start();
  const change = () => {
    version += 1;
    for (const listener of listeners) listener();
  };
  return { server, calls, change };
}

const json = { "content-type": "application/json" };

describe("the dashboard's view of many sites", () => {
  it("passes the tags and page asked for to the snapshot, and refuses others with 400", async () => {
    // Prepare
    const views: unknown[] = [];
    const token = "view-test-token-0123456789";
    const asked = new DashboardServer({
      snapshot: async (view) => {
        views.push(view);
        return snapshot(1);
      },
      actions: {
        approve: async () => ({ ok: true, message: "" }),
        freeze: async () => ({ ok: true, message: "" }),
        unfreeze: async () => ({ ok: true, message: "" }),
      },
      onChange: () => () => undefined,
      token,
    });
    await asked.start();
    const bearer = { authorization: `Bearer ${token}` };

    // Act
    const ok = await call(`${asked.origin}/api/snapshot?tag=gold&tag=eu&page=3`, { headers: bearer });
    const first = await call(`${asked.origin}/api/snapshot`, { headers: bearer });
    const badTag = await call(`${asked.origin}/api/snapshot?tag=Gold`, { headers: bearer });
    const badPage = await call(`${asked.origin}/api/snapshot?page=0`, { headers: bearer });
    await asked.close();

    // Assess
    expect([ok.status, first.status, badTag.status, badPage.status]).toEqual([200, 200, 400, 400]);
    expect(views).toEqual([
      { tags: ["gold", "eu"], page: 3 },
      { tags: [], page: 1 },
    ]);
  });
});

describe("the dashboard's access token", () => {
  it("is required on the page, the snapshot and the event stream", async () => {
    // Prepare
    const { server } = await start();

    // Act
    const answers = await Promise.all(
      ["/", "/api/snapshot", "/api/events", "/?token=wrong-token"].map((path) =>
        call(`${server.origin}${path}`),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
  });

  it("opens the page, with a script allowed only by this page's nonce", async () => {
    // Prepare
    const { server } = await start();

    // Act
    const page = await call(server.url);

    // Assess
    expect(page.status).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page.body).toContain(`<script nonce="${nonce}">`);
    expect(csp).toContain("default-src 'none'");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
  });

  it("compares tokens whatever their length", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    expect(tokenMatches("abcd", "abc")).toBe(false);
    expect(tokenMatches(undefined, "abc")).toBe(false);
  });
});

describe("the dashboard's actions", () => {
  it("take the token only from the Authorization header, never from the URL", async () => {
    // Prepare
    const { server, calls } = await start();

    // Act
    const answer = await call(`${server.origin}/api/sites/example/approve?token=${server.token}`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ approvalId: "a1" }),
    });

    // Assess
    expect(answer.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it("approve the named approval of the named site", async () => {
    // Prepare
    const { server, calls } = await start();

    // Act
    const answer = await call(`${server.origin}/api/sites/example/approve`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ approvalId: "example.abc123" }),
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, message: "approved" });
    expect(calls).toEqual(["approve example example.abc123"]);
  });

  it("answer 409 with the reason when the state machine refuses", async () => {
    // Prepare
    const { server } = await start();

    // Act
    const answer = await call(`${server.origin}/api/sites/example/freeze`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ reason: "maintenance" }),
    });

    // Assess
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body).message).toBe("refused: already frozen");
  });

  it("refuse a form post, a body that is not the action's, and an unknown action", async () => {
    // Prepare
    const { server, calls } = await start();
    const auth = { authorization: `Bearer ${server.token}` };

    // Act
    const form = await call(`${server.origin}/api/sites/example/approve`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
      body: "approvalId=a1",
    });
    const noReason = await call(`${server.origin}/api/sites/example/freeze`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: JSON.stringify({ reason: " " }),
    });
    const unknown = await call(`${server.origin}/api/sites/example/failover`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: "{}",
    });

    // Assess
    expect([form.status, noReason.status, unknown.status]).toEqual([415, 400, 404]);
    expect(calls).toEqual([]);
  });

  it("answer nothing to a request for another host name (DNS rebinding)", async () => {
    // Prepare
    const { server } = await start();

    // Act
    const answer = await call(server.url, { headers: { host: "attacker.example" } });

    // Assess
    expect(answer.status).toBe(421);
  });
});

describe("the dashboard's live updates", () => {
  it("send a snapshot on connect and a fresh one after each change", async () => {
    // Prepare
    const { server, change } = await start();
    const received: string[] = [];

    // Act
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.origin}/api/events?token=${server.token}`, (res) => {
        res.on("data", (chunk: Buffer) => {
          for (const match of chunk.toString().matchAll(/"text":"(version \d+)"/g))
            received.push(match[1] ?? "");
          if (received.length === 1) change();
          if (received.length === 2) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (error) => (received.length >= 2 ? resolve() : reject(error)));
      req.end();
    });

    // Assess
    expect(received).toEqual(["version 1", "version 2"]);
  });
});
