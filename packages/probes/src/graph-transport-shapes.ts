import type { IncomingHttpHeaders } from "node:http";

/*
 * What a Graph SDK transport middleware translates: the fetch-style headers the SDK hands over, into
 * a plain record node:https sends; and node's answer, into the fetch Response the SDK reads. Shared
 * by the graph-health probe's transport and the readiness reader's.
 */

/** The SDK's request headers (a Headers, or a record) as a plain record. */
export function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      record[name] = value;
    });
  } else if (headers && typeof headers === "object") {
    for (const [name, value] of Object.entries(headers)) if (typeof value === "string") record[name] = value;
  }
  return record;
}

/** A node:https answer as the fetch Response the Graph SDK reads (no body for 204, 205 and 304). */
export function graphResponse(status: number, headers: IncomingHttpHeaders, body: string | Buffer): Response {
  const fetchHeaders = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") fetchHeaders.set(name, value);
    else if (Array.isArray(value)) for (const v of value) fetchHeaders.append(name, v);
  }
  const empty = status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : body, { status, headers: fetchHeaders });
}
