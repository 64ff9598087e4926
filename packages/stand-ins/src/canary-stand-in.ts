import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/*
 * The monitor's canaries on 127.0.0.1, for the drill and the probe tests: one server plays a region's
 * own AWS endpoint (`/aws/{region}`) and the public anchor (`/anchor/{region}`), answering anything
 * with 200 and a `Date`. A region's network can be cut (its requests are reset, as a broken path
 * would), and its clock skewed (the `Date` it is sent is off by that much), so a test can make one
 * probe region impaired while the others stay healthy.
 */

export interface CanaryStandIn {
  url: string;
  /** `monitor.canaries` for a config: the region's AWS endpoint and the anchor, both here. */
  canaries(): Array<{ name: string; url: string }>;
  /** Resets every request from `region` until `restore` (the region's own network is down). */
  cut(region: string): void;
  restore(region: string): void;
  /** Sends `region` a `Date` this far from the real clock (positive: the servers run ahead). */
  skewClock(region: string, ms: number): void;
  /** Requests seen, per region. */
  count(region: string): number;
  close(): Promise<void>;
}

export async function startCanaryStandIn(options: { port?: number } = {}): Promise<CanaryStandIn> {
  const cut = new Set<string>();
  const skews = new Map<string, number>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const region = /^\/(?:aws|anchor)\/([^/?]+)/.exec(req.url ?? "")?.[1] ?? "";
    counts.set(region, (counts.get(region) ?? 0) + 1);
    if (cut.has(region)) {
      req.socket.destroy();
      return;
    }
    const date = new Date(Date.now() + (skews.get(region) ?? 0)).toUTCString();
    res.writeHead(200, { "content-type": "text/plain", date, connection: "close" });
    res.end("ok\n");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    canaries: () => [
      { name: "aws-region", url: `${url}/aws/{region}` },
      { name: "public-anchor", url: `${url}/anchor/{region}` },
    ],
    cut: (region) => cut.add(region),
    restore: (region) => cut.delete(region),
    skewClock: (region, ms) => skews.set(region, ms),
    count: (region) => counts.get(region) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
