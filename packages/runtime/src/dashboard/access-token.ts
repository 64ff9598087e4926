import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * The dashboard's access token: random, printed once at start, required on every request. It is
 * compared in constant time over fixed-length digests, so neither its content nor its length leaks
 * through timing.
 */

export function createAccessToken(): string {
  return randomBytes(24).toString("base64url");
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer ...`, or `?token=` (page loads, EventSource). */
export function tokenOf(
  headers: Record<string, string | string[] | undefined>,
  url: URL,
): string | undefined {
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const bearer = value?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? url.searchParams.get("token") ?? undefined;
}
