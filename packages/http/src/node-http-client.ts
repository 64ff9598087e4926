import { lookup as dnsLookup } from "node:dns";
import { type Agent, Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import * as tls from "node:tls";
import { HttpRequestError, messageOf, requestFailure, whereOf } from "./http-failure.js";

/*
 * The one HTTP client: node:http(s) directly, so that a probe measures what a login would meet, and
 * so that the report's Graph calls and the readiness reads trust the same CAs and fail the same way.
 * Every request opens a fresh connection (DNS, TCP and TLS are part of a probe's check and of its
 * latency; the other callers send a few requests a day), honours its AbortSignal (a probe attempt's
 * hard timeout, a report's deadline), caps the body, follows redirects only when asked, and trusts an
 * extra CA when given one. Without one, Node's default store applies, which includes
 * NODE_EXTRA_CA_CERTS. Failures are HttpRequestErrors in core's classes (http-failure.ts).
 * `latencyMs` is a stopwatch (performance.now() around the request), not a clock read.
 */

export interface HttpRequest {
  method?: "GET" | "HEAD" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Ends the request: every caller bounds its requests (a probe's hard timeout, a report's deadline). */
  signal: AbortSignal;
  /** Bodies larger than this fail as `content`. Default 2 MiB. */
  maxBytes?: number;
  /** Redirects to follow (document fetches); 0 returns the 3xx as it is. Default 0. */
  followRedirects?: number;
  /**
   * Connect to this host (a name or an address) instead of the URL's, keeping the URL's host as TLS
   * SNI, HTTP Host and the name the certificate must cover: how the front-door probe reaches one path
   * of the login hostname without following the login hostname's DNS.
   */
  connectTo?: string;
  /**
   * Resolve the host with this instead of the system's lookup: `guardedLookup` (address-policy.ts)
   * checks the addresses it connects to (webhooks). Not with `connectTo`.
   */
  lookup?: LookupFunction;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** From sending the request to the last byte of the body, redirects included. */
  latencyMs: number;
  /** The URL that answered (after redirects). */
  url: string;
  /** The server certificate's expiry (epoch ms), for https answers. */
  certificateValidTo?: number;
}

export interface HttpClient {
  request(url: string, request: HttpRequest): Promise<HttpAnswer>;
  /** An agent for libraries that take one (the Okta SDK's node-fetch): same trust, no keep-alive. */
  agentFor(protocol: string | null | undefined): Agent;
}

export interface NodeHttpClientOptions {
  /**
   * Extra PEM certificate(s) to trust on top of the default store (a private or test CA). Before
   * Node 22.15 that store cannot be read with NODE_EXTRA_CA_CERTS in it, so a caller that passes `ca`
   * passes that file's certificates too (idpctl's readCaFile does).
   */
  ca?: string | undefined;
  /** Default `idp-failover/0.1`; the probes send `idp-failover-probe/0.1`. */
  userAgent?: string;
  /**
   * Keep connections open and reuse them, at most `maxSockets` per host: for bulk reads (a readiness
   * run is thousands of requests to two hosts). Without it every request opens a fresh connection,
   * which is what a probe measures (DNS, TCP and TLS are part of the check).
   */
  keepAlive?: { maxSockets: number };
}

const defaultMaxBytes = 2 * 1024 * 1024;

/**
 * One TLS context per set of extra CAs, for the process's life: building one parses the whole root
 * store (about 140 certificates, tens of milliseconds), and a client is made for every round.
 */
const secureContexts = new Map<string, tls.SecureContext>();

function secureContextFor(extraCa: string | undefined): tls.SecureContext {
  const key = extraCa ?? "";
  let context = secureContexts.get(key);
  if (!context) {
    const ca = extraCa ? [...defaultCertificates(), ...splitPem(extraCa)] : undefined;
    context = tls.createSecureContext(ca ? { ca } : {});
    secureContexts.set(key, context);
  }
  return context;
}

export class NodeHttpClient implements HttpClient {
  /** Shared: a context per connection (or per client) would parse the whole root store every time. */
  private readonly secureContext: tls.SecureContext;
  private readonly httpsAgent: HttpsAgent;
  private readonly httpAgent: HttpAgent;
  private readonly userAgent: string;
  private readonly pooled: boolean;

  constructor(options: NodeHttpClientOptions = {}) {
    this.secureContext = secureContextFor(options.ca);
    const pool = options.keepAlive ? { keepAlive: true, maxSockets: options.keepAlive.maxSockets } : {};
    this.pooled = options.keepAlive !== undefined;
    this.httpsAgent = new HttpsAgent({ keepAlive: false, ...pool, secureContext: this.secureContext });
    this.httpAgent = new HttpAgent({ keepAlive: false, ...pool });
    this.userAgent = options.userAgent ?? "idp-failover/0.1";
  }

  agentFor(protocol: string | null | undefined): Agent {
    return protocol === "http:" ? this.httpAgent : this.httpsAgent;
  }

  /** Closes the pooled connections (a keep-alive client, when its run is over). */
  destroy(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  async request(url: string, request: HttpRequest): Promise<HttpAnswer> {
    const started = performance.now();
    let target = url;
    let method = request.method ?? "GET";
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const answer = await this.once(target, { ...request, method, ...(body !== undefined ? { body } : {}) });
      const location = answer.headers.location;
      const redirect = answer.status >= 300 && answer.status < 400 && typeof location === "string";
      if (!redirect || hop >= (request.followRedirects ?? 0)) {
        return { ...answer, latencyMs: performance.now() - started };
      }
      target = new URL(location, target).toString();
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
    }
  }

  private once(url: string, request: HttpRequest): Promise<Omit<HttpAnswer, "latencyMs">> {
    const where = whereOf(url);
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      return Promise.reject(
        new HttpRequestError("content", `not a valid URL: ${url.slice(0, 80)}`, { cause: error }),
      );
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") {
      return Promise.reject(new HttpRequestError("content", `unsupported URL scheme ${target.protocol}`));
    }
    const maxBytes = request.maxBytes ?? defaultMaxBytes;
    const headers: Record<string, string> = {
      "user-agent": this.userAgent,
      accept: "application/json, application/xml;q=0.9, */*;q=0.8",
      ...request.headers,
    };
    if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
    const secure = target.protocol === "https:";
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(
          requestFailure(error, where, request.signal) ??
            new HttpRequestError("content", `request to ${where} failed: ${messageOf(error)}`, {
              cause: error,
            }),
        );
      const connectTo = request.connectTo;
      // Pinned to an address, a request never shares a pooled connection (the pool is keyed by host).
      const pool = this.pooled && !connectTo && !request.lookup;
      const options = {
        method: request.method ?? "GET",
        headers,
        agent: pool ? this.agentFor(target.protocol) : (false as const),
        signal: request.signal,
        ...(secure && !pool ? { secureContext: this.secureContext } : {}),
        ...(connectTo
          ? { lookup: pinnedLookup(connectTo) }
          : request.lookup
            ? { lookup: request.lookup }
            : {}),
      };
      const req = (secure ? httpsRequest : httpRequest)(target, options, (res) => {
        const certificateValidTo = secure ? validToOf(res.socket) : undefined;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            // Settled here: the rest of a small answer may already be in, and "end" would still fire.
            const failure = new HttpRequestError(
              "content",
              `answer from ${where} is larger than ${maxBytes} bytes`,
            );
            reject(failure);
            req.destroy(failure);
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            url,
            ...(certificateValidTo !== undefined ? { certificateValidTo } : {}),
          }),
        );
        res.on("error", fail);
        res.on("aborted", () => fail(Object.assign(new Error("answer cut short"), { code: "ECONNRESET" })));
      });
      req.on("error", fail);
      req.end(request.body);
    });
  }
}

/** A `lookup` that resolves every name to `host`'s addresses (an address stands for itself). */
function pinnedLookup(host: string): LookupFunction {
  const name = host.replace(/^\[(.*)\]$/, "$1");
  return (_hostname, options, callback) => dnsLookup(name, options, callback);
}

/**
 * The server certificate's expiry. Read from the X509Certificate object, which decodes a field when
 * asked: `getPeerCertificate()` builds every field and three fingerprints, and was a seventh of a probe
 * round's CPU (bench/fanout).
 */
function validToOf(socket: unknown): number | undefined {
  if (!(socket instanceof tls.TLSSocket)) return undefined;
  const validTo = Date.parse(socket.getPeerX509Certificate()?.validTo ?? "");
  return Number.isFinite(validTo) ? validTo : undefined;
}

/** Node's trusted roots; on Node versions that can, including NODE_EXTRA_CA_CERTS. */
function defaultCertificates(): string[] {
  const withExtra = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  return typeof withExtra === "function" ? withExtra("default") : [...tls.rootCertificates];
}

function splitPem(pem: string): string[] {
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  return certs && certs.length > 0 ? certs : [pem];
}
