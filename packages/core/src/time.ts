/*
 * How an instant is written. One place, so a stored time, an event's `at` and a report's bounds read
 * alike, and string order stays time order wherever a time is a sort key.
 */

/** `2026-11-10T11:30:05.000Z`: ISO-8601 UTC with milliseconds, how instants are stored and sent. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-11-10T11:30:05Z`, or `...05.250Z` when the milliseconds are not zero: for reports people read. */
export function isoTimeCompact(ms: number): string {
  return isoTime(ms).replace(".000Z", "Z");
}

/** `2026-11`: the UTC calendar month of an instant. */
export function isoMonth(ms: number): string {
  return isoTime(ms).slice(0, 7);
}
