import type { IncomingMessage, Server } from "node:http";

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
