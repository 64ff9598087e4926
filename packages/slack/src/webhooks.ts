import { createHmac } from "node:crypto";
import { type Clock, type Config, type NotificationIntent, notificationTargets } from "@idp-failover/core";
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
import { errorText, type NotificationSender, retryAfterMs, type SendOutcome } from "./notification-sender.js";

/*
 * Webhooks signed the Standard Webhooks way (https://www.standardwebhooks.com; docs/webhooks.md is the
 * receiver's contract), so a receiver verifies with that project's libraries in any language:
 *   webhook-id        the intent id: the same on every retry, the receiver's deduplication key
 *   webhook-timestamp Unix seconds at this attempt (each retry signs afresh)
 *   webhook-signature "v1," + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), one per secret,
 *                     space-separated; the key is the base64 after `whsec_` in the secret
 * The body is the intent with `schemaVersion`; its `kind` is also in `idp-failover-event` for routing
 * (that header is not signed: a receiver acts on the signed body's kind).
 */

export const webhookSchemaVersion = 1;

export const webhookHeaders = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
  /** The intent kind, for routing without parsing the body; not signed. */
  event: "idp-failover-event",
} as const;

export function webhookBody(intent: NotificationIntent): string {
  return JSON.stringify({ schemaVersion: webhookSchemaVersion, ...intent });
}

/** A signing secret's keys, or why the value cannot sign. */
export type SigningKeys = { ok: true; keys: Buffer[] } | { ok: false; problem: string };

const whsecPattern = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * The HMAC keys of a secret's value: one `whsec_<base64>`, or two separated by a space while a
 * receiver rotates (both signatures are sent). Anything else is refused rather than used as a raw
 * key: a receiver decodes the base64, so signing with the text itself would fail every verification.
 * The problem never quotes the value.
 */
export function signingKeys(value: string): SigningKeys {
  const parts = value.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 2) {
    return {
      ok: false,
      problem:
        "holds no secret or more than two: give one whsec_ secret (two, space-separated, while rotating)",
    };
  }
  const keys: Buffer[] = [];
  for (const part of parts) {
    const base64 = whsecPattern.exec(part)?.[1];
    const key = base64 && base64.length % 4 === 0 ? Buffer.from(base64, "base64") : undefined;
    if (!key || key.length < 24 || key.length > 64) {
      return {
        ok: false,
        problem: "is not a Standard Webhooks secret (whsec_ followed by the base64 of 24 to 64 random bytes)",
      };
    }
    keys.push(key);
  }
  return { ok: true, keys };
}

/** `v1,<base64>` for each key, space-separated: the `webhook-signature` value. */
export function signWebhook(keys: readonly Buffer[], id: string, timestamp: number, body: string): string {
  return keys
    .map((key) => `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`)
    .join(" ");
}

/** The headers of one signed attempt. */
export function signedWebhookHeaders(
  keys: readonly Buffer[],
  intent: NotificationIntent,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    [webhookHeaders.id]: intent.id,
    [webhookHeaders.timestamp]: String(timestamp),
    [webhookHeaders.signature]: signWebhook(keys, intent.id, timestamp, body),
    [webhookHeaders.event]: intent.kind,
  };
}

/** A configured endpoint with its secret resolved by the caller (the package reads no environment). */
export interface WebhookEndpoint {
  name: string;
  url: string;
  /** The secret's value: `whsec_...`, or two of them space-separated during a rotation. */
  secret: string;
  /** Its outbox channel (`webhook:{name}`, or `webhook:{name}@{site}` for a site's own); default `webhook:{name}`. */
  channel?: string;
  /** For local tests only (docs/webhooks.md): http, and loopback or private addresses. */
  allowInsecure?: boolean | undefined;
  allowPrivate?: boolean | undefined;
}

/** A webhook that cannot be delivered yet: its secret is not set, or its value cannot sign (`problem`). */
export interface UnsignableWebhook {
  channel: string;
  secretRef: string;
  problem?: string;
}

/**
 * Every webhook of the config (the deployment's and the sites' own) with its secret, and those whose
 * secret is not set or is not a `whsec_` secret (their deliveries wait and retry rather than go out
 * unsigned or signed with a key no receiver holds).
 */
export function webhookEndpoints(
  config: Config,
  secretOf: (ref: string) => string | undefined,
): { endpoints: WebhookEndpoint[]; missing: UnsignableWebhook[] } {
  const endpoints: WebhookEndpoint[] = [];
  const missing: UnsignableWebhook[] = [];
  for (const target of notificationTargets(config)) {
    if (target.kind !== "webhook") continue;
    const { name, url, secretRef, allowInsecure } = target.webhook;
    const secret = secretOf(secretRef);
    const keys = secret ? signingKeys(secret) : undefined;
    if (!secret) missing.push({ channel: target.channel, secretRef });
    else if (keys && !keys.ok) missing.push({ channel: target.channel, secretRef, problem: keys.problem });
    else endpoints.push({ name, url, secret, channel: target.channel, allowInsecure });
  }
  return { endpoints, missing };
}

export interface HttpWebhookSenderOptions {
  clock: Clock;
  /** The one HTTP client (packages/http); default one trusting Node's store and NODE_EXTRA_CA_CERTS. */
  http?: HttpClient;
  /** Per request; a hanging endpoint costs at most this. Default 5 s. */
  timeoutMs?: number;
  /** Resolves the receiver's name (default: the system's); tests point a name at 127.0.0.1 with it. */
  resolveAll?: ResolveAll;
}

const defaultWebhookClient = lazyClient();

function lazyClient(): () => HttpClient {
  let client: HttpClient | undefined;
  return () => {
    client ??= new NodeHttpClient({ userAgent: "idp-failover-webhooks/1" });
    return client;
  };
}

/** What one signed POST came to: the outcome, and the answer when there was one (`idpctl webhook test` prints it). */
export interface WebhookAttempt {
  outcome: SendOutcome;
  answer?: HttpAnswer;
}

/**
 * POSTs signed intents to one endpoint. 2xx is delivered; anything else is a value, never a throw.
 * The URL is checked as validate checks it, the name's addresses when it is resolved (and the socket
 * connects to an address that passed), and redirects are never followed.
 */
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
    return (await this.attempt(intent)).outcome;
  }

  async attempt(intent: NotificationIntent): Promise<WebhookAttempt> {
    const { name, url, secret } = this.endpoint;
    const allowance = {
      allowInsecure: this.endpoint.allowInsecure,
      allowPrivate: this.endpoint.allowPrivate,
    };
    const target = checkOutboundUrl(url, allowance);
    // Not retried: the URL will not change by itself. The message names the rule; the outbox keeps it.
    if (!target.ok) return { outcome: { kind: "rejected", message: `${name}: refused: ${target.message}` } };
    const keys = signingKeys(secret);
    if (!keys.ok)
      return { outcome: { kind: "retry", message: `${name}: the signing secret ${keys.problem}` } };
    const now = this.options.clock.now();
    const timestamp = Math.floor(now / 1000);
    const body = webhookBody(intent);
    let answer: HttpAnswer;
    try {
      answer = await this.http.request(url, {
        method: "POST",
        signal: AbortSignal.timeout(this.timeoutMs),
        maxBytes: 64 * 1024,
        headers: signedWebhookHeaders(keys.keys, intent, timestamp, body),
        body,
        lookup: guardedLookup(allowance, this.options.resolveAll),
      });
    } catch (error) {
      const refusal = addressRefusalOf(error);
      if (refusal) {
        return {
          outcome: {
            kind: "rejected",
            message: `${name}: refused: ${refusal.message}; webhooks go to public addresses only`,
          },
        };
      }
      return {
        outcome: { kind: "retry", message: `${name}: ${describeRequestError(error, this.timeoutMs)}` },
      };
    }
    return { outcome: outcomeOf(name, answer, now), answer };
  }
}

function outcomeOf(name: string, answer: HttpAnswer, now: number): SendOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: "sent" };
  const message = `${name}: HTTP ${status}`;
  // 410 Gone is the one answer that says "never again"; other 4xx may be a fixable misconfiguration.
  if (status === 410) return { kind: "rejected", message: `${message} (endpoint gone)` };
  if (status >= 300 && status < 400) {
    // Never followed: the signed body would go somewhere nobody configured (and past the address check).
    const location = answer.headers.location;
    const to = typeof location === "string" ? ` to ${redactUrl(location).slice(0, 200)}` : "";
    return { kind: "retry", message: `${message}: a redirect${to}, not followed; configure the final URL` };
  }
  const retryAfter = answer.headers["retry-after"];
  const after = retryAfterMs(typeof retryAfter === "string" ? retryAfter : null, now);
  return { kind: "retry", message, ...(after !== undefined ? { retryAfterMs: after } : {}) };
}

function describeRequestError(error: unknown, timeoutMs: number): string {
  if (error instanceof HttpRequestError && error.errorClass === "timeout")
    return `no answer within ${timeoutMs} ms`;
  return errorText(error);
}
