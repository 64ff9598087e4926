import { AsyncLocalStorage } from "node:async_hooks";
import type { HttpClient } from "@idp-failover/http";
import okta from "@okta/okta-sdk-nodejs";
import { type OktaAuth, oktaClientSettings } from "./okta-client-settings.js";

/*
 * The Okta SDK, behind a seam: this module is imported on first use (the SDK takes about a second to
 * load, which no round without an okta-api probe should pay). Clients are cached by the caller and
 * shared by concurrent attempts, so each request finds its attempt's signal and trust through
 * AsyncLocalStorage rather than through the client.
 */

export type OktaClient = InstanceType<typeof okta.Client>;

export interface HeaderReader {
  get(name: string): string | null;
}

export interface OktaCallScope {
  http: HttpClient;
  signal: AbortSignal;
  onAnswer(url: string, status: number, headers: HeaderReader, latencyMs: number): void;
}

const callScope = new AsyncLocalStorage<OktaCallScope>();

interface FetchRequest {
  url?: string;
  agent?: unknown;
  signal?: unknown;
}

interface FetchResponse {
  status: number;
  url: string;
  headers: HeaderReader;
}

/** The SDK's executor with retries off, the attempt's signal and trust, and every answer observed. */
class ProbeRequestExecutor extends okta.DefaultRequestExecutor {
  constructor() {
    // No 429 retries: a probe has a hard timeout, and waiting out a rate limit is what it must not do.
    super({ maxRetries: 0, requestTimeout: 0 });
  }

  override fetch(request: FetchRequest): Promise<FetchResponse> {
    const scope = callScope.getStore();
    const started = performance.now(); // a stopwatch for the answer's latency, not a clock read
    if (scope) {
      request.agent = (url: { protocol?: string | null }) => scope.http.agentFor(url.protocol);
      request.signal = scope.signal;
    }
    return super.fetch(request).then((response: FetchResponse) => {
      scope?.onAnswer(
        response.url ?? request.url ?? "",
        response.status,
        response.headers,
        performance.now() - started,
      );
      return response;
    });
  }
}

export type { OktaAuth };

export function createOktaClient(orgUrl: string, auth: OktaAuth): OktaClient {
  return new okta.Client(
    oktaClientSettings(orgUrl, auth, {
      requestExecutor: new ProbeRequestExecutor(),
      userAgent: "idp-failover-probe",
    }),
  );
}

/** `GET /api/v1/org` with this attempt's scope around every request the SDK makes for it. */
export function getOrgSettings(client: OktaClient, scope: OktaCallScope): Promise<unknown> {
  return callScope.run(scope, () => client.orgSettingApi.getOrgSettings());
}
