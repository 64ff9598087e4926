import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { siteTagSchema } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { createAccessToken, tokenMatches, tokenOf } from "./access-token.js";
import type { DashboardSnapshot, SnapshotView } from "./dashboard-snapshot.js";

/*
 * The local dashboard: one page (plain HTML, CSS and JS, no build step) and a small JSON API on
 * 127.0.0.1, behind a random access token printed at start.
 *   GET  /?token=...             the page (`&tag=T` once or more, `&page=N`: which sites it shows)
 *   GET  /api/snapshot           the current snapshot (JSON), same `tag` and `page`
 *   GET  /api/events?token=...   server-sent events: a `snapshot` on connect and on every change
 *   POST /api/sites/{id}/approve     {"approvalId"}  Approve failback, through the Slack interaction path
 *   POST /api/sites/{id}/freeze      {"reason"}      operator freeze
 *   POST /api/sites/{id}/unfreeze    {"reason"}      operator unfreeze
 * Every request needs the token (401 without). POSTs need it in `Authorization: Bearer`, which a
 * cross-site form cannot send, and a JSON body; the Host header must be the loopback address the
 * server listens on (DNS rebinding). Nothing is served to other interfaces.
 */

export interface ActionResult {
  ok: boolean;
  message: string;
}

export interface DashboardActions {
  approve(site: string, approvalId: string): Promise<ActionResult>;
  freeze(site: string, reason: string): Promise<ActionResult>;
  unfreeze(site: string, reason: string): Promise<ActionResult>;
}

export interface DashboardServerOptions {
  /** The snapshot of the sites the page asks for (its tags and page). */
  snapshot: (view: SnapshotView) => Promise<DashboardSnapshot>;
  actions: DashboardActions;
  /** Subscribes to "something changed"; returns the unsubscribe. */
  onChange: (listener: () => void) => () => void;
  /** Default: a random free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  /** Least real ms between two snapshots pushed to one client. Default 300. */
  pushIntervalMs?: number;
}

const approveBody = z.object({ approvalId: z.string().check(z.minLength(1), z.maxLength(200)) });
const viewQuery = z.object({
  tags: z.array(siteTagSchema).check(z.maxLength(10)),
  page: z.pipe(
    z._default(z.string().check(z.regex(/^[1-9]\d{0,5}$/, { error: "a page number, from 1" })), "1"),
    z.transform(Number),
  ),
});
const reasonBody = z.object({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) });
const siteAction = /^\/api\/sites\/([a-z0-9][a-z0-9-]{0,62})\/(approve|freeze|unfreeze)$/;
const maxBody = 16 * 1024;

const staticDir = new URL("./static/", import.meta.url);

export class DashboardServer {
  readonly token: string;
  private server: Server | undefined;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<ServerResponse>();
  private readonly page: { html: string; css: string; js: string };

  constructor(private readonly options: DashboardServerOptions) {
    this.token = options.token ?? createAccessToken();
    this.page = {
      html: readFileSync(new URL("index.html", staticDir), "utf8"),
      css: readFileSync(new URL("dashboard.css", staticDir), "utf8"),
      js: readFileSync(new URL("dashboard.js", staticDir), "utf8"),
    };
  }

  /** The page's address, token included: what the user opens. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, 500, { error: error instanceof Error ? error.message : String(error) });
        else res.destroy();
      });
    });
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Ends the event streams and closes the server. */
  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const host = req.headers.host ?? "";
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      send(res, 421, { error: "wrong host" });
      return;
    }
    const method = req.method ?? "GET";
    if (method === "POST") {
      // Only the header counts for actions: a token in a URL may have been shared, a header not.
      const bearer = tokenOf({ authorization: req.headers.authorization }, new URL("http://x/"));
      if (!tokenMatches(bearer, this.token)) {
        send(res, 401, { error: "missing or wrong access token" });
        return;
      }
      await this.act(req, res, url);
      return;
    }
    if (!tokenMatches(tokenOf(req.headers, url), this.token)) {
      send(res, 401, { error: "missing or wrong access token: open the URL printed at start" });
      return;
    }
    if (method !== "GET") {
      send(res, 405, { error: "method not allowed" });
      return;
    }
    if (url.pathname === "/") {
      this.servePage(res);
      return;
    }
    if (url.pathname !== "/api/snapshot" && url.pathname !== "/api/events") {
      send(res, 404, { error: "not found" });
      return;
    }
    const view = viewQuery.safeParse({
      tags: url.searchParams.getAll("tag"),
      page: url.searchParams.get("page") ?? undefined,
    });
    if (!view.success) {
      send(res, 400, {
        error: "tag: lowercase letters, digits and dashes (at most 10 tags); page: a number from 1",
      });
      return;
    }
    if (url.pathname === "/api/snapshot") send(res, 200, await this.options.snapshot(view.data));
    else await this.stream(req, res, view.data);
  }

  private servePage(res: ServerResponse): void {
    const nonce = randomBytes(16).toString("base64");
    // Replacer functions: a `$&` or `$'` in the script must stay as written, not be a replacement pattern.
    const html = this.page.html
      .replace("/*STYLE*/", () => this.page.css)
      .replace("/*SCRIPT*/", () => this.page.js)
      .replaceAll("__NONCE__", nonce);
    res.writeHead(200, {
      ...securityHeaders,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
    res.end(html);
  }

  private async stream(req: IncomingMessage, res: ServerResponse, view: SnapshotView): Promise<void> {
    res.writeHead(200, {
      ...securityHeaders,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
    });
    this.streams.add(res);
    const interval = this.options.pushIntervalMs ?? 300;
    let timer: NodeJS.Timeout | undefined;
    let pushing = false;
    let again = false;
    const push = async () => {
      if (pushing) {
        again = true;
        return;
      }
      pushing = true;
      try {
        const snapshot = await this.options.snapshot(view);
        if (!res.writableEnded) res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
      } catch (error) {
        if (!res.writableEnded)
          res.write(`event: problem\ndata: ${JSON.stringify({ error: String(error) })}\n\n`);
      } finally {
        pushing = false;
      }
      if (again) {
        again = false;
        schedule();
      }
    };
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void push();
      }, interval);
    };
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(": keep-alive\n\n");
    }, 15_000);
    const unsubscribe = this.options.onChange(schedule);
    const done = () => {
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      this.streams.delete(res);
    };
    req.on("close", done);
    res.on("close", done);
    await push();
  }

  private async act(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = siteAction.exec(url.pathname);
    if (!match?.[1] || !match[2]) {
      send(res, 404, { error: "not found" });
      return;
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      send(res, 415, { error: "send application/json" });
      return;
    }
    const body = await readJson(req);
    if (body === undefined) {
      send(res, 400, { error: `the body must be JSON of at most ${maxBody} bytes` });
      return;
    }
    const site = match[1];
    const { actions } = this.options;
    let result: ActionResult;
    if (match[2] === "approve") {
      const parsed = approveBody.safeParse(body);
      if (!parsed.success) {
        send(res, 400, { error: 'approve needs {"approvalId": "..."}' });
        return;
      }
      result = await actions.approve(site, parsed.data.approvalId);
    } else {
      const parsed = reasonBody.safeParse(body);
      if (!parsed.success) {
        send(res, 400, { error: `${match[2]} needs {"reason": "..."} (1-500 characters)` });
        return;
      }
      result =
        match[2] === "freeze"
          ? await actions.freeze(site, parsed.data.reason)
          : await actions.unfreeze(site, parsed.data.reason);
    }
    send(res, result.ok ? 200 : 409, result);
  }
}

const securityHeaders = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
