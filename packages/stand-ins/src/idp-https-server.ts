import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { readBody } from "./http-parts.js";
import type { TestCa, TlsIdentity } from "./test-ca.js";

/*
 * The HTTPS server under the Okta and Entra stand-ins: real TLS from a test CA, a base latency, and
 * a fault switch that breaks it in each way a probe must classify. Transport faults (refused, reset,
 * hang, slow, TLS) are handled here; content faults (wrong issuer, empty key set, ...) are passed to
 * the vendor's handler, which knows what its documents look like.
 */

/** Which probe a request serves, so a fault can hit one probe kind only. */
export type ProbeSurface =
  | "oidc-discovery"
  | "jwks"
  | "token"
  | "saml-metadata"
  | "okta-api"
  | "graph-health"
  | "interactive-sign-in";

export type FaultMode =
  /** 5xx answer (503 unless `status` says otherwise). */
  | "http-5xx"
  /** 4xx answer other than 401 and 429 (404 unless `status` says otherwise). */
  | "http-4xx"
  /** The listening socket closes: connections are refused. Whole server. */
  | "refused"
  /** The connection is reset once the request arrives. */
  | "reset"
  /** The request is accepted and never answered. */
  | "hang"
  /** Correct answers, `latencyMs` late (default 3000). */
  | "slow"
  /** Unparseable JSON (or, for SAML, an HTML page instead of metadata). */
  | "bad-json"
  /** Discovery and tokens name another issuer. */
  | "wrong-issuer"
  /** The key set has no keys. */
  | "empty-jwks"
  /** The key set has a key without its modulus. */
  | "malformed-jwks"
  /** Tokens are signed by another key under the published kid. */
  | "bad-signature"
  /** Tokens are signed by a key whose kid is not published (a botched key rotation). */
  | "unknown-kid"
  /** The SAML signing certificate has expired. */
  | "expired-cert"
  /** The SAML signing certificate expires in 5 days. */
  | "expiring-cert"
  /** 429 with the vendor's rate-limit headers. */
  | "rate-limited"
  /** Answers fine, but the rate-limit headers say little budget is left (Okta). */
  | "low-rate-limit"
  /** Credentials are rejected (401). */
  | "auth"
  /** The server's TLS certificate has expired. Whole server. */
  | "tls-expired"
  /** The server's TLS certificate names another host. Whole server. */
  | "tls-wrong-host"
  /** Graph service health says the service is degraded (Entra). */
  | "service-degraded"
  /** Graph service health says the service is interrupted (Entra). */
  | "service-interruption"
  /**
   * Okta's read-only mode (Okta's "Okta Service Mode" page): sign-ins, tokens and reads work; the
   * management API refuses changes with HTTP 503 E0000010.
   */
  | "read-only"
  /**
   * Entra's backup authentication (Microsoft's "backup authentication system" page): existing
   * sessions only, so the authorize endpoint renders no sign-in form; documents and keys are served.
   */
  | "backup-auth";

export interface StandInFault {
  mode: FaultMode;
  /** Only requests serving these probe kinds are hit; all when absent. */
  probes?: ProbeSurface[];
  /** For `slow`: how late each answer is. */
  latencyMs?: number;
  /** Hit only this share of matching requests (0..1), for partial outages. Default 1. */
  failureRate?: number;
  /** For `http-5xx` and `http-4xx`: the status to answer. */
  status?: number;
  /** For `http-5xx` on Okta's management API: the Okta error code in the body (default E0000009). */
  errorCode?: string;
}

export interface StandInRequest {
  method: string;
  path: string;
  surface?: ProbeSurface;
  at: number;
  fault?: FaultMode;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface HandlerContext {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
  surface: ProbeSurface | undefined;
  /** The content fault to apply to this request, if any. */
  fault: StandInFault | undefined;
}

export interface IdpHttpsServerOptions {
  ca: TestCa;
  /** Added to every answer, like the network distance to the vendor. */
  latencyMs?: number;
  port?: number;
  surfaceOf(method: string, path: string): ProbeSurface | undefined;
  handle(context: HandlerContext): Promise<Reply>;
}

const transportModes: ReadonlySet<FaultMode> = new Set(["refused", "reset", "hang", "slow"]);
const serverModes: ReadonlySet<FaultMode> = new Set(["refused", "tls-expired", "tls-wrong-host"]);
const day = 86_400_000;

export class IdpHttpsServer {
  readonly requests: StandInRequest[] = [];
  private server: Server | undefined;
  private port = 0;
  private fault: StandInFault | undefined;
  private identity: TlsIdentity | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private listening = false;

  constructor(private readonly options: IdpHttpsServerOptions) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.identity = await this.options.ca.issue();
    this.server = createServer({ key: this.identity.key, cert: this.identity.cert }, (req, res) => {
      void this.serve(req, res);
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    // A client that gives up mid-handshake is expected here (timeouts, wrong CA); not a server error.
    this.server.on("tlsClientError", () => {});
    await this.listen(this.options.port ?? 0);
  }

  /** Breaks the server until `clearFault()`. A new fault replaces the previous one. */
  async setFault(fault: StandInFault): Promise<void> {
    await this.restore();
    this.fault = fault;
    if (fault.mode === "refused") await this.stopListening();
    if (fault.mode === "tls-expired") {
      const now = Date.now();
      this.useIdentity(
        await this.options.ca.issue({ notBefore: new Date(now - 30 * day), notAfter: new Date(now - day) }),
      );
    }
    if (fault.mode === "tls-wrong-host") {
      this.useIdentity(await this.options.ca.issue({ hosts: ["login.other.example"] }));
    }
  }

  async clearFault(): Promise<void> {
    await this.restore();
    this.fault = undefined;
  }

  /** Requests seen so far, optionally only those serving one probe kind. */
  count(surface?: ProbeSurface): number {
    return surface ? this.requests.filter((r) => r.surface === surface).length : this.requests.length;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    if (this.listening && this.server) {
      const server = this.server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      this.listening = false;
    }
  }

  private async restore(): Promise<void> {
    if (!this.fault) return;
    if (this.fault.mode === "refused") await this.listen(this.port);
    if ((this.fault.mode === "tls-expired" || this.fault.mode === "tls-wrong-host") && this.identity) {
      this.useIdentity(this.identity);
    }
  }

  private useIdentity(identity: TlsIdentity): void {
    this.server?.setSecureContext({ key: identity.key, cert: identity.cert });
  }

  private async listen(port: number): Promise<void> {
    const server = this.server;
    if (!server || this.listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.listening = true;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    if (!server || !this.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.listening = false;
  }

  /** The fault that hits a request on this surface, after the partial-outage dice. */
  private faultFor(surface: ProbeSurface | undefined): StandInFault | undefined {
    const fault = this.fault;
    if (!fault || serverModes.has(fault.mode)) return undefined;
    if (fault.probes && (!surface || !fault.probes.includes(surface))) return undefined;
    if (fault.failureRate !== undefined && Math.random() >= fault.failureRate) return undefined;
    return fault;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", this.url);
    const surface = this.options.surfaceOf(method, url.pathname);
    const fault = this.faultFor(surface);
    this.requests.push({
      method,
      path: url.pathname,
      surface,
      at: Date.now(),
      ...(fault ? { fault: fault.mode } : {}),
    });
    if (this.requests.length > 5000) this.requests.splice(0, 1000);

    // A request that fails while sending its body is answered as one without a body.
    const body = await readBody(req).catch(() => "");
    if (fault?.mode === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.mode === "hang") {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      return;
    }
    const delay = (this.options.latencyMs ?? 0) + (fault?.mode === "slow" ? (fault.latencyMs ?? 3000) : 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;

    let reply: Reply;
    try {
      reply = await this.options.handle({
        method,
        url,
        headers: req.headers,
        body,
        surface,
        fault: fault && !transportModes.has(fault.mode) ? fault : undefined,
      });
    } catch (error) {
      reply = {
        status: 500,
        body: `stand-in error: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, { "content-length": Buffer.byteLength(reply.body), ...reply.headers });
    res.end(method === "HEAD" ? undefined : reply.body);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
