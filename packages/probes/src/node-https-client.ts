import { type Agent, Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import * as tls from "node:tls";
import { ProbeFailure, toProbeFailure, whereOf } from "./probe-failure.js";

/*
 * The probes' HTTP client: node:http(s) directly, so that a probe measures what a login would meet.
 * Every request opens a fresh connection (DNS, TCP and TLS are part of the check and of the latency),
 * honours the attempt's AbortSignal (the hard timeout), caps the body, and trusts an extra CA when
 * given one. Without one, Node's default store applies, which includes NODE_EXTRA_CA_CERTS.
 */

export interface HttpRequest {
  method?: "GET" | "HEAD" | "POST";
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Bodies larger than this fail as `content`. Default 2 MiB. */
  maxBytes?: number;
  /** Redirects to follow (document fetches); 0 returns the 3xx as it is. Default 0. */
  followRedirects?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** From sending the request to the last byte of the body, redirects included. */
  latencyMs: number;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface HttpClient {
  request(url: string, request: HttpRequest): Promise<HttpAnswer>;
  /** An agent for libraries that take one (the Okta SDK's node-fetch): same trust, no keep-alive. */
  agentFor(protocol: string | null | undefined): Agent;
}

const userAgent = "idp-failover-probe/0.1";
const defaultMaxBytes = 2 * 1024 * 1024;

export class NodeHttpsClient implements HttpClient {
  /** Built once: a context per connection would parse the whole root store every time. */
  private readonly secureContext: tls.SecureContext;
  private readonly httpsAgent: HttpsAgent;
  private readonly httpAgent = new HttpAgent({ keepAlive: false });

  /**
   * `ca`: extra PEM certificate(s) to trust on top of the default store (a private or test CA). Before
   * Node 22.15 that store cannot be read with NODE_EXTRA_CA_CERTS in it, so a caller that passes `ca`
   * passes that file's certificates too (idpctl's readCaFile does).
   */
  constructor(options: { ca?: string } = {}) {
    const ca = trustedCertificates(options.ca);
    this.secureContext = tls.createSecureContext(ca ? { ca } : {});
    this.httpsAgent = new HttpsAgent({ keepAlive: false, secureContext: this.secureContext });
  }

  agentFor(protocol: string | null | undefined): Agent {
    return protocol === "http:" ? this.httpAgent : this.httpsAgent;
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
        new ProbeFailure("content", `not a valid URL: ${url.slice(0, 80)}`, { cause: error }),
      );
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") {
      return Promise.reject(new ProbeFailure("content", `unsupported URL scheme ${target.protocol}`));
    }
    const maxBytes = request.maxBytes ?? defaultMaxBytes;
    const headers: Record<string, string> = {
      "user-agent": userAgent,
      accept: "application/json, application/xml;q=0.9, */*;q=0.8",
      ...request.headers,
    };
    if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
    const secure = target.protocol === "https:";
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => reject(toProbeFailure(error, where, request.signal));
      const options = {
        method: request.method ?? "GET",
        headers,
        agent: false as const,
        signal: request.signal,
        ...(secure ? { secureContext: this.secureContext } : {}),
      };
      const req = (secure ? httpsRequest : httpRequest)(target, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(new ProbeFailure("content", `answer from ${where} is larger than ${maxBytes} bytes`));
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

/**
 * The certificates to trust with an extra CA: Node's default store plus the CA's certificates
 * (undefined without one: Node's default applies). For any TLS client that takes a `ca` list.
 */
export function trustedCertificates(ca: string | undefined): string[] | undefined {
  return ca ? [...defaultCertificates(), ...splitPem(ca)] : undefined;
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

/** The failure an unexpected HTTP status means. `authStatuses`: 401/403 are credential problems. */
export function statusFailure(
  answer: Pick<HttpAnswer, "status" | "url" | "headers">,
  authStatuses: boolean,
): ProbeFailure {
  const { status } = answer;
  const where = `${whereOf(answer.url)}${safePath(answer.url)}`;
  if (status === 429) {
    const reset = answer.headers["retry-after"] ?? answer.headers["x-rate-limit-reset"];
    return new ProbeFailure(
      "upstream",
      `rate limited: HTTP 429 from ${where}${reset ? ` (retry after ${String(reset)})` : ""}`,
      {
        status,
      },
    );
  }
  if (status >= 500) return new ProbeFailure("http-5xx", `HTTP ${status} from ${where}`, { status });
  if ((status === 401 || status === 403) && authStatuses) {
    return new ProbeFailure("auth", `HTTP ${status} from ${where}: credentials rejected`, { status });
  }
  if (status >= 400) return new ProbeFailure("http-4xx", `HTTP ${status} from ${where}`, { status });
  return new ProbeFailure("content", `unexpected HTTP ${status} from ${where}`, { status });
}

function safePath(url: string): string {
  try {
    const path = new URL(url).pathname;
    return path.length > 80 ? `${path.slice(0, 77)}...` : path;
  } catch {
    return "";
  }
}
