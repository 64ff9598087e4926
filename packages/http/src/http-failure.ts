import type { ErrorClass } from "@idp-failover/core";

/*
 * Why a request got no usable answer, in core's classes: `dns`, `tcp`, `tls` and `timeout` from the
 * connection (classified by the Node error code, whichever library raised it: node:https, the Okta
 * SDK's node-fetch, undici), `http-5xx`, `http-4xx`, `auth` and `upstream` (429) from the status, and
 * `content` for an answer that cannot be read. Probes report these classes as they are (a probe
 * failure is an HttpRequestError plus the probe's own content checks); the report and the readiness
 * reads turn them into their own messages. Messages name host[:port] and path, never a query string.
 */

export interface HttpRequestErrorOptions {
  cause?: unknown;
  status?: number;
  /** The Node error code behind a dns / tcp / tls failure (ECONNREFUSED, CERT_HAS_EXPIRED). */
  code?: string;
}

export class HttpRequestError extends Error {
  override name = "HttpRequestError";
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    options: HttpRequestErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
  }
}

const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME", "EAI_SERVICE"]);
const tcpCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EPIPE",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
// OpenSSL verification results as Node reports them, plus handshake failures.
const tlsCodes = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "EPROTO",
]);

export function classOfCode(code: string): ErrorClass | undefined {
  if (dnsCodes.has(code)) return "dns";
  if (tcpCodes.has(code)) return "tcp";
  if (
    tlsCodes.has(code) ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    code.includes("CERT")
  ) {
    return "tls";
  }
  return undefined;
}

/** The first Node error code found on an error or the errors that caused it. */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && classOfCode(code)) return code;
    current = (current as { cause?: unknown }).cause ?? (current as { error?: unknown }).error;
  }
  return undefined;
}

/** A network-level failure, if the error is one: dns, tcp or tls, with where it happened. */
export function networkFailure(error: unknown, where: string): HttpRequestError | undefined {
  const code = errorCodeOf(error);
  if (!code) return undefined;
  const errorClass = classOfCode(code);
  if (!errorClass) return undefined;
  const detail = messageOf(error);
  const message =
    errorClass === "dns"
      ? `DNS lookup of ${hostOf(where)} failed (${code})`
      : code === "ECONNREFUSED"
        ? `connection to ${where} refused`
        : code === "ECONNRESET"
          ? `connection to ${where} reset`
          : errorClass === "tcp"
            ? `connection to ${where} failed (${code})`
            : `TLS with ${where} failed: ${detail} (${code})`;
  return new HttpRequestError(errorClass, message, { cause: error, code });
}

/**
 * What a failed request means, if it is a failure of the request itself: an HttpRequestError as it
 * is, the caller's own abort reason when that is one, a dns / tcp / tls failure, or an abort
 * (`timeout`). Undefined for anything else (a bug, an SDK's own error): the caller decides.
 */
export function requestFailure(
  error: unknown,
  where: string,
  signal?: AbortSignal,
): HttpRequestError | undefined {
  if (error instanceof HttpRequestError) return error;
  if (signal?.aborted && signal.reason instanceof HttpRequestError) return signal.reason;
  const network = networkFailure(error, where);
  if (network) return network;
  if (isAbort(error)) {
    return new HttpRequestError("timeout", `no answer from ${where} in time`, { cause: error });
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" ||
      error.name === "TimeoutError" ||
      (error as { code?: unknown }).code === "ABORT_ERR")
  );
}

/** The failure an unexpected HTTP status means. `authStatuses`: 401/403 are credential problems. */
export function statusFailure(
  answer: { status: number; url: string; headers: Record<string, string | string[] | undefined> },
  authStatuses: boolean,
): HttpRequestError {
  const { status } = answer;
  const where = `${whereOf(answer.url)}${safePath(answer.url)}`;
  if (status === 429) {
    const reset = answer.headers["retry-after"] ?? answer.headers["x-rate-limit-reset"];
    return new HttpRequestError(
      "upstream",
      `rate limited: HTTP 429 from ${where}${reset ? ` (retry after ${String(reset)})` : ""}`,
      { status },
    );
  }
  if (status >= 500) return new HttpRequestError("http-5xx", `HTTP ${status} from ${where}`, { status });
  if ((status === 401 || status === 403) && authStatuses) {
    return new HttpRequestError("auth", `HTTP ${status} from ${where}: credentials rejected`, { status });
  }
  if (status >= 400) return new HttpRequestError("http-4xx", `HTTP ${status} from ${where}`, { status });
  return new HttpRequestError("content", `unexpected HTTP ${status} from ${where}`, { status });
}

/** An answer's body as JSON; anything else is `content`, named by host and path. */
export function parseJsonBody(body: string, url: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new HttpRequestError("content", `${hostAndPath(url)} is not valid JSON (${detail.slice(0, 80)})`, {
      cause: error,
    });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hostOf(where: string): string {
  return where.replace(/:\d+$/, "");
}

/** host[:port] of a URL: what failure messages name (never the query, which may carry tokens). */
export function whereOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

function safePath(url: string): string {
  try {
    const path = new URL(url).pathname;
    return path.length > 80 ? `${path.slice(0, 77)}...` : path;
  } catch {
    return "";
  }
}

function hostAndPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url.slice(0, 80);
  }
}
