import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * What every stand-in's HTTP server does the same way: read a request's body, and close at once,
 * connections included, so a test's `close()` never waits on a client's keep-alive.
 */

/** A request's body as text; past `maxBytes` the rest is read and dropped. Rejects if the request fails. */
export async function readBody(req: IncomingMessage, maxBytes = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size <= maxBytes) chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Closes the server and every connection it holds. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** An HTTP server listening on 127.0.0.1 (`port` 0: any free one), and its base URL. */
export async function listenOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Starts a stand-in on a loopback server: `create` builds it around the listening server, and
 * every request goes to `serve` (none can arrive before it exists: the caller learns the URL last).
 */
export async function startOnLoopback<T>(
  create: (server: Server, url: string) => T,
  serve: (standIn: T, req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<T> {
  let standIn: T | undefined;
  const { server, url } = await listenOnLoopback((req, res) => {
    if (standIn !== undefined) void serve(standIn, req, res);
  }, port);
  standIn = create(server, url);
  return standIn;
}

/** Text as XML character data or an attribute value (the AWS query and REST-XML stand-ins). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
