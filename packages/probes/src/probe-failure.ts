import type { ErrorClass, VendorMode } from "@idp-failover/core";
import { HttpRequestError, messageOf, requestFailure } from "@idp-failover/http";

/*
 * How a probe attempt fails: a class from the core's list and a short message for people. The
 * classes of a request that got no usable answer (dns, tcp, tls, timeout, a status) are the HTTP
 * client's (@idp-failover/http): a probe takes them over as they are, so there is one table of error
 * codes. What a probe adds is its own content checks (a discovery document without an issuer, a
 * token signed by an unpublished key) and whether a confirm retry may try again.
 */

export interface ProbeFailureOptions {
  cause?: unknown;
  status?: number;
  /** Whether confirm-on-failure retries may try again. Default: all but `slow` and `upstream`. */
  retryable?: boolean;
  /** A vendor mode the vendor's answer named (Okta's E0000010, Microsoft's service health). */
  mode?: VendorMode;
}

/** A request's failure as a probe reports it, or a failed content check, and whether to retry. */
export class ProbeFailure extends HttpRequestError {
  override name = "ProbeFailure";
  readonly retryable: boolean;
  readonly mode: VendorMode | undefined;

  constructor(errorClass: ErrorClass, message: string, options: ProbeFailureOptions = {}) {
    super(errorClass, message, {
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
      ...(options.status !== undefined ? { status: options.status } : {}),
    });
    this.retryable = options.retryable ?? (errorClass !== "slow" && errorClass !== "upstream");
    this.mode = options.mode;
  }

  /** A request's failure as the probe's: the same class, message and status. */
  static from(failure: HttpRequestError): ProbeFailure {
    return new ProbeFailure(failure.errorClass, failure.message, {
      cause: failure,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
  }

  /** The same failure with context in front of its message ("discovery: HTTP 503 ..."). */
  prefixed(prefix: string): ProbeFailure {
    return new ProbeFailure(this.errorClass, `${prefix}: ${this.message}`, {
      cause: this,
      ...(this.status !== undefined ? { status: this.status } : {}),
      retryable: this.retryable,
      ...(this.mode ? { mode: this.mode } : {}),
    });
  }
}

/** A probe's failure or a request's, as the probe's; undefined for anything else (a bug, an SDK error). */
export function asProbeFailure(error: unknown): ProbeFailure | undefined {
  if (error instanceof ProbeFailure) return error;
  if (error instanceof HttpRequestError) return ProbeFailure.from(error);
  return undefined;
}

/** Turns anything an attempt threw into a ProbeFailure. */
export function toProbeFailure(error: unknown, where: string, signal?: AbortSignal): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (signal?.aborted && signal.reason instanceof ProbeFailure) return signal.reason;
  const failure = requestFailure(error, where, signal);
  if (failure) return ProbeFailure.from(failure);
  // Not the IdP's fault as far as we can tell, but the check could not complete: report what happened.
  return new ProbeFailure("content", `probe error: ${messageOf(error)}`, { cause: error });
}

/** Cuts text for a failure message to at most `max` characters, marking the cut with `...`. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
