import type { NotificationIntent } from "@idp-failover/core";
import { clip } from "./block-kit.js";

/*
 * One delivery channel (Slack, one webhook endpoint): it sends an intent and says how that went,
 * as a value. The deliverer turns the outcome into the outbox's bookkeeping (delivered, retry at,
 * abandoned); a sender never throws for an expected failure.
 */

export type SendOutcome =
  | { kind: "sent" }
  /** Worth another try later: network, 5xx, rate limit, a token or channel an operator can fix. */
  | { kind: "retry"; message: string; retryAfterMs?: number }
  /** Trying again cannot help (the message itself is refused): give up now, keep the record. */
  | { kind: "rejected"; message: string };

export interface NotificationSender {
  send(intent: NotificationIntent): Promise<SendOutcome>;
}

/** A `Retry-After` header: delay-seconds or an HTTP date. Undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** An error's message without stack or cause chain, cut short for the outbox record. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return clip(text, 300);
}
