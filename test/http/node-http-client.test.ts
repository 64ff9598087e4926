import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { HttpRequestError, NodeHttpClient } from "@idp-failover/http";
import { createTestCa, type TestCa } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "../support/rejection.js";

/*
 * The one HTTP client against a real HTTPS server on 127.0.0.1 with a test CA: trust, a fresh
 * connection per request, the body cap, the caller's signal, redirects, and the failure classes.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let ca: TestCa;
let server: Server;
let base: string;
let connections = 0;
let handler: Handler = (_req, res) => res.end("{}");

beforeAll(async () => {
  ca = await createTestCa();
  server = createServer(await ca.issue(), (req, res) => handler(req, res));
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const signal = () => new AbortController().signal;

const failureOf = (request: Promise<unknown>) => rejectionOf(request, HttpRequestError);

describe("the HTTP client", () => {
  it("trusts an extra CA it is given, and fails as tls without it", async () => {
    // Prepare
    handler = (_req, res) => res.end('{"ok":true}');

    // Act
    const trusted = await new NodeHttpClient({ ca: ca.certPem }).request(`${base}/doc`, { signal: signal() });
    const untrusted = await failureOf(new NodeHttpClient().request(`${base}/doc`, { signal: signal() }));

    // Assess
    expect(trusted).toMatchObject({ status: 200, body: '{"ok":true}', url: `${base}/doc` });
    expect(trusted.latencyMs).toBeGreaterThan(0);
    expect(untrusted.errorClass).toBe("tls");
    expect(untrusted.message).toContain(`TLS with ${base.slice("https://".length)} failed`);
  });

  it("opens a fresh connection for every request (DNS, TCP and TLS are part of what a probe measures)", async () => {
    // Prepare
    const http = new NodeHttpClient({ ca: ca.certPem });
    const before = connections;

    // Act
    await http.request(`${base}/a`, { signal: signal() });
    await http.request(`${base}/b`, { signal: signal() });

    // Assess
    expect(connections - before).toBe(2);
  });

  it("fails an answer larger than the cap as content", async () => {
    // Prepare
    handler = (_req, res) => res.end("x".repeat(4096));

    // Act
    const failure = await failureOf(
      new NodeHttpClient({ ca: ca.certPem }).request(`${base}/big`, { signal: signal(), maxBytes: 1024 }),
    );

    // Assess
    expect(failure).toMatchObject({ errorClass: "content" });
    expect(failure.message).toContain("larger than 1024 bytes");
  });

  it("ends a request that gets no answer when its signal aborts, as a timeout", async () => {
    // Prepare: the server never answers; the caller gives up once the request has arrived.
    const controller = new AbortController();
    handler = () => controller.abort();

    // Act
    const failure = await failureOf(
      new NodeHttpClient({ ca: ca.certPem }).request(`${base}/hang`, { signal: controller.signal }),
    );

    // Assess
    expect(failure).toMatchObject({
      errorClass: "timeout",
      message: `no answer from ${new URL(base).host} in time`,
    });
  });

  it("keeps the caller's own abort reason when it is a request failure", async () => {
    // Prepare
    const controller = new AbortController();
    const deadline = new HttpRequestError("timeout", "no complete answer within 50 ms");
    handler = () => controller.abort(deadline);

    // Act
    const failure = await failureOf(
      new NodeHttpClient({ ca: ca.certPem }).request(`${base}/hang`, { signal: controller.signal }),
    );

    // Assess
    expect(failure).toBe(deadline);
  });

  it("returns a redirect as it is unless told to follow, and turns a 303 after a POST into a GET", async () => {
    // Prepare
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === "/start") {
        res.writeHead(303, { location: "/end" }).end();
        return;
      }
      res.end("done");
    };
    const http = new NodeHttpClient({ ca: ca.certPem });

    // Act
    const unfollowed = await http.request(`${base}/start`, { method: "POST", body: "x=1", signal: signal() });
    const followed = await http.request(`${base}/start`, {
      method: "POST",
      body: "x=1",
      followRedirects: 1,
      signal: signal(),
    });

    // Assess
    expect(unfollowed.status).toBe(303);
    expect(followed).toMatchObject({ status: 200, body: "done", url: `${base}/end` });
    expect(seen).toEqual(["POST /start", "POST /start", "GET /end"]);
  });

  it("fails a refused connection as tcp and a name that does not resolve as dns", async () => {
    // Prepare: a port nothing listens on.
    const closed = createServer(await ca.issue());
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const http = new NodeHttpClient({ ca: ca.certPem });

    // Act
    const refused = await failureOf(http.request(`https://127.0.0.1:${port}/`, { signal: signal() }));
    const unresolved = await failureOf(
      http.request("https://idp-failover-test.invalid/", { signal: signal() }),
    );

    // Assess
    expect(refused).toMatchObject({
      errorClass: "tcp",
      code: "ECONNREFUSED",
      message: `connection to 127.0.0.1:${port} refused`,
    });
    expect(unresolved.errorClass).toBe("dns");
  });
});
