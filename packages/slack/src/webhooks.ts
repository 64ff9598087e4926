import { createHmac, timingSafeEqual } from "node:crypto";
import { type Clock, type Config, type NotificationIntent, notificationTargets } from "@idp-failover/core";
import { type HttpAnswer, type HttpClient, HttpRequestError, NodeHttpClient } from "@idp-failover/http";
import { errorText, type NotificationSender, retryAfterMs, type SendOutcome } from "./notification-sender.js";

/*
 * Signed webhooks (docs/webhooks.md is the receiver's contract):
 *   body      = JSON of the notification intent plus `schemaVersion`
 *   timestamp = Unix seconds at sending (each retry signs afresh)
 *   signature = "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body))
 * in `X-Idp-Failover-Timestamp` and `X-Idp-Failover-Signature`. Receivers check the signature in
 * constant time and refuse timestamps more than five minutes away from their clock.
 */

export const webhookSchemaVersion = 1;

export const webhookHeaders = {
  timestamp: "x-idp-failover-timestamp",
  signature: "x-idp-failover-signature",
  /** The intent id: the same on every retry, so receivers can drop duplicates. */
  delivery: "x-idp-failover-delivery",
  /** The intent kind, for routing without parsing the body. */
  event: "x-idp-failover-event",
} as const;

export const webhookToleranceSeconds = 300;

export function webhookBody(intent: NotificationIntent): string {
  return JSON.stringify({ schemaVersion: webhookSchemaVersion, ...intent });
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export interface WebhookToVerify {
  secret: string;
  rawBody: string | Uint8Array;
  timestamp: string | undefined;
  /** The header value: one or more comma-separated `v1=<hex>`. */
  signature: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** The receiver's check, for TypeScript receivers (docs/webhooks.md has Node and Python versions). */
export function verifyWebhookSignature(request: WebhookToVerify): boolean {
  const { secret, rawBody, timestamp, signature, nowSeconds } = request;
  if (!secret || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > (request.toleranceSeconds ?? webhookToleranceSeconds)) {
    return false;
  }
  const mac = createHmac("sha256", secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  const expected = mac.digest();
  return signature.split(",").some((part) => {
    const match = /^\s*v1=([0-9a-f]{64})\s*$/i.exec(part);
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1].toLowerCase(), "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A configured endpoint with its secret resolved by the caller (the package reads no environment). */
export interface WebhookEndpoint {
  name: string;
  url: string;
  secret: string;
  /** Its outbox channel (`webhook:{name}`, or `webhook:{name}@{site}` for a site's own); default `webhook:{name}`. */
  channel?: string;
}

/**
 * Every webhook of the config (the deployment's and the sites' own) with its secret, and those whose
 * secret could not be resolved (their deliveries wait and retry rather than go out unsigned).
 */
export function webhookEndpoints(
  config: Config,
  secretOf: (ref: string) => string | undefined,
): { endpoints: WebhookEndpoint[]; missing: Array<{ channel: string; secretRef: string }> } {
  const endpoints: WebhookEndpoint[] = [];
  const missing: Array<{ channel: string; secretRef: string }> = [];
  for (const target of notificationTargets(config)) {
    if (target.kind !== "webhook") continue;
    const { name, url, secretRef } = target.webhook;
    const secret = secretOf(secretRef);
    if (secret) endpoints.push({ name, url, secret, channel: target.channel });
    else missing.push({ channel: target.channel, secretRef });
  }
  return { endpoints, missing };
}

export interface HttpWebhookSenderOptions {
  clock: Clock;
  /** The one HTTP client (packages/http); default one trusting Node's store and NODE_EXTRA_CA_CERTS. */
  http?: HttpClient;
  /** Per request; a hanging endpoint costs at most this. Default 5 s. */
  timeoutMs?: number;
}

const defaultWebhookClient = lazyClient();

function lazyClient(): () => HttpClient {
  let client: HttpClient | undefined;
  return () => {
    client ??= new NodeHttpClient({ userAgent: "idp-failover-webhooks/1" });
    return client;
  };
}

/** POSTs signed intents to one endpoint. 2xx is delivered; anything else is a value, never a throw. */
export class HttpWebhookSender implements NotificationSender {
  private readonly http: HttpClient;
  private readonly timeoutMs: number;

  constructor(
    private readonly endpoint: WebhookEndpoint,
    private readonly options: HttpWebhookSenderOptions,
  ) {
    this.http = options.http ?? defaultWebhookClient();
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async send(intent: NotificationIntent): Promise<SendOutcome> {
    const now = this.options.clock.now();
    const timestamp = Math.floor(now / 1000);
    const body = webhookBody(intent);
    let answer: HttpAnswer;
    try {
      // Redirects are not followed: one would send the signed body somewhere nobody configured.
      answer = await this.http.request(this.endpoint.url, {
        method: "POST",
        signal: AbortSignal.timeout(this.timeoutMs),
        maxBytes: 64 * 1024,
        headers: {
          "content-type": "application/json",
          [webhookHeaders.timestamp]: String(timestamp),
          [webhookHeaders.signature]: signWebhook(this.endpoint.secret, timestamp, body),
          [webhookHeaders.delivery]: intent.id,
          [webhookHeaders.event]: intent.kind,
        },
        body,
      });
    } catch (error) {
      return {
        kind: "retry",
        message: `${this.endpoint.name}: ${describeRequestError(error, this.timeoutMs)}`,
      };
    }
    const { status } = answer;
    if (status >= 200 && status < 300) return { kind: "sent" };
    const message = `${this.endpoint.name}: HTTP ${status}`;
    // 410 Gone is the one answer that says "never again"; other 4xx may be a fixable misconfiguration.
    if (status === 410) return { kind: "rejected", message: `${message} (endpoint gone)` };
    if (status >= 300 && status < 400)
      return { kind: "retry", message: `${message} (redirects are not followed)` };
    const retryAfter = answer.headers["retry-after"];
    const after = retryAfterMs(typeof retryAfter === "string" ? retryAfter : null, now);
    return { kind: "retry", message, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
}

function describeRequestError(error: unknown, timeoutMs: number): string {
  if (error instanceof HttpRequestError && error.errorClass === "timeout")
    return `no answer within ${timeoutMs} ms`;
  return errorText(error);
}
