import type { Config } from "@idp-failover/core";
import { type HttpAnswer, type HttpClient, HttpRequestError, NodeHttpClient } from "@idp-failover/http";
import { errorText, retryAfterMs, type SendOutcome } from "./notification-sender.js";

/*
 * How the vendor channels (PagerDuty, Teams) POST: JSON through the one HTTP client, bounded by a
 * timeout, redirects not followed (a redirect would carry the alert somewhere nobody configured),
 * and every failure a value. What a status means is each vendor's own; what they share is here: a
 * 429 or 5xx is worth another try, at the Retry-After when the vendor gave one.
 */

export interface ChannelHttpOptions {
  clock: { now(): number };
  /** The one HTTP client (packages/http); default one trusting Node's store and NODE_EXTRA_CA_CERTS. */
  http?: HttpClient;
  /** Per request; a hanging endpoint costs at most this. Default 10 s. */
  timeoutMs?: number;
}

/** What a vendor sender is built with: how to POST, and the config (a site's hostname for the text). */
export type VendorSenderOptions = ChannelHttpOptions & { config: Pick<Config, "sites"> };

export type ChannelAnswer =
  /** The vendor answered; `retry` is the outcome to use when the status is not one the vendor defines. */
  | { kind: "answered"; status: number; body: string; retry: SendOutcome }
  | Extract<SendOutcome, { kind: "retry" }>;

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
): Promise<ChannelAnswer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
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
    });
  } catch (error) {
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
