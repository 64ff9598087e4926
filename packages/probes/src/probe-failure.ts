import type { ErrorClass } from "@idp-failover/core";

/*
 * How a probe attempt fails: a class from the core's list and a short message for people. Checks
 * throw ProbeFailure; anything else thrown (a socket error, an SDK error) is classified here by its
 * Node error code, so a refused connection is `tcp` and an expired certificate is `tls` whichever
 * library raised it.
 */

export interface ProbeFailureOptions {
  cause?: unknown;
  status?: number;
  /** Whether confirm-on-failure retries may try again. Default: all but `slow` and `upstream`. */
  retryable?: boolean;
}

export class ProbeFailure extends Error {
  override name = "ProbeFailure";
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    options: ProbeFailureOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? (errorClass !== "slow" && errorClass !== "upstream");
  }

  /** The same failure with context in front of its message ("discovery: HTTP 503 ..."). */
  prefixed(prefix: string): ProbeFailure {
    return new ProbeFailure(this.errorClass, `${prefix}: ${this.message}`, {
      cause: this,
      ...(this.status !== undefined ? { status: this.status } : {}),
      retryable: this.retryable,
    });
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
export function networkFailure(error: unknown, where: string): ProbeFailure | undefined {
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
  return new ProbeFailure(errorClass, message, { cause: error });
}

/** Turns anything an attempt threw into a ProbeFailure. */
export function toProbeFailure(error: unknown, where: string, signal?: AbortSignal): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (signal?.aborted && signal.reason instanceof ProbeFailure) return signal.reason;
  const network = networkFailure(error, where);
  if (network) return network;
  if (isAbort(error)) return new ProbeFailure("timeout", `no answer from ${where} in time`, { cause: error });
  // Not the IdP's fault as far as we can tell, but the check could not complete: report what happened.
  return new ProbeFailure("content", `probe error: ${messageOf(error)}`, { cause: error });
}

function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" || (error as { code?: unknown }).code === "ABORT_ERR")
  );
}

/** Cuts text for a failure message to at most `max` characters, marking the cut with `...`. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
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
