/*
 * How the adapters read AWS errors. The SDK clients already retry throttling, 5xx and network
 * errors a few times with jittered backoff (their standard retry strategy); what reaches us after
 * that is classified here so each adapter can turn it into a domain outcome.
 */

const throttlingNames = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestThrottled",
  "RequestThrottledException",
  "LimitExceededException",
  "SlowDown",
]);

const transientNames = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalFailure",
  "InternalError",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  // Credentials that expired between refreshes: the next call gets fresh ones.
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "CredentialsProviderError",
]);

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface AwsErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

function shape(error: unknown): AwsErrorShape {
  return error !== null && typeof error === "object" ? (error as AwsErrorShape) : {};
}

export function errorName(error: unknown): string {
  const name = shape(error).name;
  return typeof name === "string" ? name : "Error";
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function httpStatus(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}

/** Throttling, a 5xx, a timeout or a network error: the same call may well succeed later. */
export function isRetryableAwsError(error: unknown): boolean {
  const e = shape(error);
  const name = errorName(error);
  const status = httpStatus(error);
  if (throttlingNames.has(name) || transientNames.has(name) || e.$retryable !== undefined) return true;
  if (typeof e.code === "string" && networkCodes.has(e.code)) return true;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  // No HTTP answer at all (connection refused, DNS, aborted): the request never reached AWS.
  return status === undefined && name !== "ValidationException";
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}

/** `Name: message` for logs and the audit trail; never includes request data. */
export function describeAwsError(error: unknown): string {
  const name = errorName(error);
  const message = errorMessage(error);
  return message && message !== name ? `${name}: ${message}` : name;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Full jitter" backoff: a random delay up to `baseMs * 2^attempt`, capped. Spreads retries of
 * evaluators that were throttled together.
 */
export function jitteredDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
