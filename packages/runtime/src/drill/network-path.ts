import { connect, createServer, type Server, type Socket } from "node:net";

/*
 * One probe region's network path to one IdP in the drill: a TCP relay on 127.0.0.1 in front of the
 * stand-in. TLS passes through untouched (the stand-in's certificate names 127.0.0.1, whatever the
 * port). Cutting the path makes this region alone lose the IdP, the way a regional network fault
 * does, while the other regions still reach it: what `--outage one-region` needs.
 */

export class NetworkPath {
  private server: Server | undefined;
  private port = 0;
  private cut = false;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly name: string,
    private readonly target: { host: string; port: number },
  ) {}

  /** `https://127.0.0.1:{port}`: where this region reaches the IdP. */
  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get isCut(): boolean {
    return this.cut;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  /** From now on connections are reset as soon as they arrive; open ones are dropped. */
  cutOff(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.track(client);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }
}
