import type { Config } from "@idp-failover/core";
import {
  addressRefusalOf,
  checkOutboundUrl,
  guardedLookup,
  type HttpAnswer,
  type HttpClient,
  HttpRequestError,
  NodeHttpClient,
  type ResolveAll,
  redactUrl,
} from "@idp-failover/http";
import { errorText, retryAfterMs, type SendOutcome } from "./notification-sender.js";

/*
 * How the vendor channels (PagerDuty, Teams) POST: JSON through the one HTTP client, bounded by a
 * timeout, redirects not followed (a redirect would carry the alert somewhere nobody configured),
 * and every failure a value. What a status means is each vendor's own; what they share is here: a
 * 429 or 5xx is worth another try, at the Retry-After when the vendor gave one. The URL obeys the
 * webhooks' outbound rules (https, a public address, checked on the URL and again on the address the
 * name resolves to, the one connected to): a Teams workflow URL is a secret nobody reviews in Git,
 * and one pointed at 127.0.0.1:9001 (Lambda's runtime API) or a private service must go nowhere.
 */

export interface ChannelHttpOptions {
  clock: { now(): number };
  /** The one HTTP client (packages/http); default one trusting Node's store and NODE_EXTRA_CA_CERTS. */
  http?: HttpClient;
  /** Per request; a hanging endpoint costs at most this. Default 10 s. */
  timeoutMs?: number;
  /** Resolves the endpoint's name (default: the system's); tests point a name at a local server. */
  resolveAll?: ResolveAll;
}

/** What a vendor sender is built with: how to POST, and the config (a site's hostname for the text). */
export type VendorSenderOptions = ChannelHttpOptions & { config: Pick<Config, "sites"> };

export type ChannelAnswer =
  /** The vendor answered; `retry` is the outcome to use when the status is not one the vendor defines. */
  | { kind: "answered"; status: number; body: string; retry: SendOutcome }
  | Extract<SendOutcome, { kind: "retry" | "rejected" }>;

/** Where a vendor endpoint may be: public https only, unless a local test's stand-in says otherwise. */
export interface VendorEndpointAllowance {
  /** For local tests and the drill only: a loopback or private address (never metadata or link-local). */
  allowPrivate?: boolean | undefined;
}

let defaultClient: HttpClient | undefined;

/**
 * The client notifications go out with, trusting an extra CA (a private CA in front of a channel).
 * Connections are kept and reused (unlike a probe's, a notification's TLS handshake measures
 * nothing): an incident's burst of events to one vendor pays one handshake, not one each.
 */
export function notificationHttpClient(options: { ca?: string } = {}): HttpClient {
  return new NodeHttpClient({
    ...(options.ca ? { ca: options.ca } : {}),
    userAgent: "idp-failover-notify/1",
    keepAlive: { maxSockets: 4 },
  });
}

export async function postJson(
  url: string,
  body: unknown,
  name: string,
  options: ChannelHttpOptions,
  allowance: VendorEndpointAllowance = {},
): Promise<ChannelAnswer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = checkOutboundUrl(url, { allowPrivate: allowance.allowPrivate });
  // Not retried: the URL will not change by itself. The rule is named; the URL (a secret) is not.
  if (!target.ok)
    return { kind: "rejected", message: `${name}: refused: ${withoutUrl(target.message, url)}` };
  defaultClient ??= notificationHttpClient();
  const http = options.http ?? defaultClient;
  let answer: HttpAnswer;
  try {
    answer = await http.request(url, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      maxBytes: 64 * 1024,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      lookup: guardedLookup({ allowPrivate: allowance.allowPrivate }, options.resolveAll),
    });
  } catch (error) {
    const refusal = addressRefusalOf(error);
    if (refusal) return { kind: "rejected", message: `${name}: refused: ${refusal.message}` };
    const why =
      error instanceof HttpRequestError && error.errorClass === "timeout"
        ? `no answer within ${timeoutMs} ms`
        : errorText(error);
    return { kind: "retry", message: `${name}: ${why}` };
  }
  const header = answer.headers["retry-after"];
  const after = retryAfterMs(typeof header === "string" ? header : null, options.clock.now());
  const message =
    answer.status >= 300 && answer.status < 400
      ? `${name}: HTTP ${answer.status} (redirects are not followed)`
      : `${name}: HTTP ${answer.status}`;
  return {
    kind: "answered",
    status: answer.status,
    body: answer.body,
    retry: { kind: "retry", message, ...(after !== undefined ? { retryAfterMs: after } : {}) },
  };
}

/** A check's message with the URL itself taken out: a vendor URL may carry its signature. */
function withoutUrl(message: string, url: string): string {
  if (message.startsWith("not a URL")) return "not a URL";
  const shown = redactUrl(url);
  return message.split(shown).join("the endpoint URL").split(url).join("the endpoint URL");
}
