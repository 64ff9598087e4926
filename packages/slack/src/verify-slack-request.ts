import { createHmac, timingSafeEqual } from "node:crypto";

/*
 * Slack's request signing, version 0 (docs.slack.dev, "Verifying requests from Slack"):
 *   X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body))
 * over the raw body exactly as received (before any form or JSON parsing). A request is fresh when
 * its timestamp is within five minutes of our clock, either way: an older signature could be a replay.
 */

/** How far a request's timestamp may be from our clock. */
export const slackSignatureToleranceSeconds = 300;

export interface SlackRequestToVerify {
  signingSecret: string;
  /** The body bytes exactly as received. */
  rawBody: string | Uint8Array;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestamp: string | number | undefined;
  /** `X-Slack-Signature`: `v0=` and 64 hex digits. */
  signature: string | undefined;
  /** Our clock, Unix seconds. */
  nowSeconds: number;
}

/** Why a request failed verification: safe to log, it holds no secret part of the request. */
export type SlackRequestProblem =
  | "no-signing-secret"
  | "missing-timestamp"
  | "malformed-timestamp"
  | "stale-timestamp"
  | "missing-signature"
  | "malformed-signature"
  | "signature-mismatch";

/** True when the request is signed with `signingSecret` and fresh. Never throws. */
export function verifySlackRequest(request: SlackRequestToVerify): boolean {
  return slackRequestProblem(request) === undefined;
}

/** The reason a request fails verification, or undefined when it passes. */
export function slackRequestProblem(request: SlackRequestToVerify): SlackRequestProblem | undefined {
  const { signingSecret, rawBody, timestamp, signature, nowSeconds } = request;
  if (!signingSecret) return "no-signing-secret";
  if (timestamp === undefined || timestamp === "") return "missing-timestamp";
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts)) return "malformed-timestamp";
  if (!Number.isFinite(nowSeconds) || Math.abs(nowSeconds - Number(ts)) > slackSignatureToleranceSeconds) {
    return "stale-timestamp";
  }
  if (signature === undefined || signature === "") return "missing-signature";
  const match = /^v0=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match?.[1]) return "malformed-signature";
  const expected = hmacV0(signingSecret, ts, rawBody);
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  // Both are 32 bytes here; timingSafeEqual compares without leaking where they differ.
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : "signature-mismatch";
}

/** The `X-Slack-Signature` value Slack would send: for tests, stand-ins and local drills. */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: string): string {
  return `v0=${hmacV0(signingSecret, String(timestamp), rawBody).toString("hex")}`;
}

function hmacV0(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  const mac = createHmac("sha256", secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return mac.digest();
}
