import { type HttpClient, parseJsonBody, statusFailure } from "@idp-failover/http";

/*
 * JSON documents fetched within one round (discovery documents and key sets), shared between the
 * probes that need them: a provider's discovery probe fetches its discovery document, and its jwks and
 * token probes read `jwks_uri` and `token_endpoint` from that same answer instead of asking again.
 * Concurrent callers share one in-flight fetch; a failed fetch is forgotten, so the next caller (or a
 * confirm retry) asks again and reports its own outcome.
 */

export interface FetchedDocument {
  url: string;
  status: number;
  latencyMs: number;
  json: unknown;
}

export class RoundDocuments {
  private readonly entries = new Map<string, Promise<FetchedDocument>>();

  constructor(private readonly http: HttpClient) {}

  /** The round's copy of a document, fetching it if nobody has yet. */
  shared(url: string, signal: AbortSignal): Promise<FetchedDocument> {
    const existing = this.entries.get(url);
    if (existing) return existing;
    return this.fresh(url, signal);
  }

  /** Fetches anew (a confirm retry must see the IdP now) and keeps the answer if it is good. */
  fresh(url: string, signal: AbortSignal): Promise<FetchedDocument> {
    const fetching = fetchJson(this.http, url, signal);
    this.entries.set(url, fetching);
    fetching.catch(() => {
      if (this.entries.get(url) === fetching) this.entries.delete(url);
    });
    return fetching;
  }
}

export async function fetchJson(
  http: HttpClient,
  url: string,
  signal: AbortSignal,
): Promise<FetchedDocument> {
  const answer = await http.request(url, {
    signal,
    followRedirects: 3,
    headers: { accept: "application/json" },
  });
  if (answer.status !== 200) throw statusFailure(answer, false);
  return { url, status: answer.status, latencyMs: answer.latencyMs, json: parseJsonBody(answer.body, url) };
}
