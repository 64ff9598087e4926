import type { Redactor } from "@idp-failover/core/redaction";
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { errorText, type SendOutcome } from "./notification-sender.js";

/*
 * The Web API client as this product uses it, and what its errors mean for a delivery. The client's
 * default policy retries for about 30 minutes and sleeps through a 429's Retry-After; in a Lambda
 * that would hold a delivery run (or an interaction's 3-second answer) hostage. So: no retries and
 * rate-limited calls rejected at once; the outbox reschedules them at Retry-After instead.
 */

export interface SlackClientOptions {
  /** `https://slack.com/api/` unless pointed at a stand-in. */
  slackApiUrl?: string;
  /** Per call. Default 5 s; the interactions endpoint uses `slackInteractionTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Removes the runtime's secrets from every call's arguments. The deliverer already redacts what it
   * sends; this covers the other Slack writers (the interactions endpoint's message updates and
   * private replies, the monthly report's post), so no Slack call is a sink left open.
   */
  redactor?: Redactor;
}

/**
 * Per call, for the client of the interactions endpoint. Slack shows the clicker an error when the
 * answer takes over 3 s, and a click may call Slack twice in a row (the approver user group, then
 * the message update and the private reply side by side) around the state store's write.
 */
export const slackInteractionTimeoutMs = 1000;

export function createSlackClient(token: string, options: SlackClientOptions = {}): WebClient {
  const settings = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    timeout: options.timeoutMs ?? 5000,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Absolute URLs in method names would send the bot token elsewhere.
    allowAbsoluteUrls: false,
    logLevel: LogLevel.ERROR,
  };
  return options.redactor
    ? new RedactingWebClient(token, settings, options.redactor)
    : new WebClient(token, settings);
}

/**
 * Every Web API method (`chat.update`, `files.uploadV2`, ...) is bound at construction to `apiCall`,
 * so overriding it is the one place all of a client's calls pass through.
 */
class RedactingWebClient extends WebClient {
  constructor(
    token: string,
    settings: ConstructorParameters<typeof WebClient>[1],
    private readonly redactor: Redactor,
  ) {
    super(token, settings);
  }

  override apiCall(method: string, options?: Record<string, unknown>) {
    return super.apiCall(method, options && this.redactor.value(options));
  }
}

/**
 * The Slack bots a runtime can talk through: one client for a deployment with one Slack app, or the
 * clients by bot token reference (`alerting.slack.botTokenRef`) when sites have apps of their own.
 */
export type SlackBots = WebClient | ReadonlyMap<string, WebClient>;

/** The bot of a Slack app by its token reference; the one bot serves every reference. */
export function slackBotFor(bots: SlackBots, botTokenRef: string): WebClient | undefined {
  return isByReference(bots) ? bots.get(botTokenRef) : bots;
}

function isByReference(bots: SlackBots): bots is ReadonlyMap<string, WebClient> {
  return bots instanceof Map;
}

/** Platform errors that mean the message itself is refused: sending it again cannot succeed. */
const refusedMessage = new Set([
  "invalid_blocks",
  "invalid_blocks_format",
  "msg_too_long",
  "no_text",
  "invalid_arguments",
  "too_many_attachments",
  "invalid_metadata_format",
  "invalid_metadata_schema",
]);

/** Platform errors from an update that mean the message is gone or not ours to edit: skip the edit. */
export const unupdatableMessage = new Set([
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
  "channel_not_found",
  "is_archived",
]);

/** The Slack error code of a platform error (`invalid_auth`, `channel_not_found`...), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}

/**
 * What a failed Web API call means for a delivery. Everything but a refused message is retried
 * (bounded by the deliverer): a revoked token, a missing scope or an unknown channel are fixed by an
 * operator, and the alert should still get out when they are.
 */
export function classifySlackError(error: unknown): Exclude<SendOutcome, { kind: "sent" }> {
  if (error instanceof WebAPIRateLimitedError) {
    return {
      kind: "retry",
      message: `Slack rate limit: retry after ${error.retryAfter} s`,
      retryAfterMs: error.retryAfter * 1000,
    };
  }
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    if (code === "ratelimited") {
      const after = error.data.response_metadata?.retryAfter;
      return { kind: "retry", message: "Slack rate limit", ...(after ? { retryAfterMs: after * 1000 } : {}) };
    }
    if (refusedMessage.has(code)) return { kind: "rejected", message: `Slack refused the message: ${code}` };
    return { kind: "retry", message: `Slack error: ${code}` };
  }
  if (error instanceof WebAPIHTTPError) return { kind: "retry", message: `Slack HTTP ${error.statusCode}` };
  if (error instanceof WebAPIRequestError) {
    return { kind: "retry", message: `Slack unreachable: ${errorText(error.original)}` };
  }
  return { kind: "retry", message: errorText(error) };
}
