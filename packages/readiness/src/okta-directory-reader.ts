import type { Agent } from "node:http";
import * as z from "@idp-failover/core/zod-mini";
import { type OktaAuth, oktaClientSettings } from "@idp-failover/probes";
import okta from "@okta/okta-sdk-nodejs";
import {
  DirectoryReadError,
  type PrimaryAppUser,
  type PrimaryDirectory,
  type PrimaryGroup,
  type PrimaryUser,
  type ReadStats,
  realWait,
  type Wait,
} from "./directory.js";

/*
 * The Okta org through @okta/okta-sdk-nodejs: the SDK authenticates (SSWS token, or an OAuth service
 * app's private key: client assertion, DPoP when the org asks for it), follows each list's
 * `Link: <…>; rel="next"` through its `Collection`, and retries a 429 once `X-Rate-Limit-Reset` has
 * passed (its DefaultRequestExecutor, with our wait so tests move a clock). On top, the executor
 * paces: when a bucket's `X-Rate-Limit-Remaining` falls to the reserve it waits for the reset before
 * the next request of that bucket, so a daily read never eats the rate limit the org's own
 * integrations live on. Items are read as the JSON Okta sends and parsed here (not into the SDK's
 * model classes: 100,000 users would cost seconds for fields we never read).
 *
 * Reads:  GET /api/v1/users (okta.users.read)  GET /api/v1/groups, /groups/{id}/users (okta.groups.read)
 *         GET /api/v1/apps/{id}/users, /apps/{id}/groups (okta.apps.read)
 */

export type OktaReaderAuth = OktaAuth;

export interface OktaReaderOptions {
  orgUrl: string;
  auth: OktaReaderAuth;
  agent: Agent;
  /** Waits out rate limits (default: real time). */
  wait?: Wait;
  /** 429 retries per request (the SDK's own retry). Default 4. */
  maxRetries?: number;
  /** Keep this many requests of each bucket's budget for the org's other integrations. Default 10%. */
  reservePct?: number;
}

/** Requested page sizes; Okta serves at most its own maximum and links to the rest. */
const pageSizes = { users: 200, groups: 200, groupUsers: 1000, appUsers: 500, appGroups: 200 };

const scopeOfPath: Array<[RegExp, string]> = [
  [/^\/api\/v1\/users/, "okta.users.read"],
  [/^\/api\/v1\/groups/, "okta.groups.read"],
  [/^\/api\/v1\/apps/, "okta.apps.read"],
];

const userSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  profile: z.looseObject({ login: z.string(), email: z.optional(z.nullable(z.string())) }),
});
const groupSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  profile: z.looseObject({ name: z.string() }),
});
const appUserSchema = z.looseObject({ id: z.string(), scope: z.optional(z.string()) });
const idSchema = z.looseObject({ id: z.string() });

export class OktaDirectoryReader implements PrimaryDirectory {
  readonly stats: ReadStats = { requests: 0, throttled: 0 };
  private readonly client: InstanceType<typeof okta.Client>;
  private readonly orgUrl: string;

  constructor(private readonly options: OktaReaderOptions) {
    this.orgUrl = options.orgUrl.replace(/\/+$/, "");
    const executor = new PacedRequestExecutor(options, this.stats);
    this.client = new okta.Client(
      oktaClientSettings(this.orgUrl, options.auth, {
        requestExecutor: executor,
        userAgent: "idp-failover-readiness",
      }),
    );
  }

  readUsers(visit: (user: PrimaryUser) => void): Promise<void> {
    return this.list("okta users", `/api/v1/users?limit=${pageSizes.users}`, userSchema, (user) =>
      visit({
        id: user.id,
        status: user.status,
        login: user.profile.login,
        email: user.profile.email ?? undefined,
      }),
    );
  }

  readGroups(visit: (group: PrimaryGroup) => void): Promise<void> {
    return this.list("okta groups", `/api/v1/groups?limit=${pageSizes.groups}`, groupSchema, (group) =>
      visit({ id: group.id, name: group.profile.name, type: group.type }),
    );
  }

  readGroupMembers(groupId: string, visit: (userId: string) => void): Promise<void> {
    const path = `/api/v1/groups/${encodeURIComponent(groupId)}/users?limit=${pageSizes.groupUsers}`;
    return this.list(`okta group ${groupId} members`, path, idSchema, (user) => visit(user.id));
  }

  readAppUsers(appId: string, visit: (user: PrimaryAppUser) => void): Promise<void> {
    const path = `/api/v1/apps/${encodeURIComponent(appId)}/users?limit=${pageSizes.appUsers}`;
    return this.list(`okta app ${appId} users`, path, appUserSchema, (user) =>
      visit({ userId: user.id, scope: user.scope ?? "USER" }),
    );
  }

  readAppGroups(appId: string, visit: (groupId: string) => void): Promise<void> {
    const path = `/api/v1/apps/${encodeURIComponent(appId)}/groups?limit=${pageSizes.appGroups}`;
    return this.list(`okta app ${appId} groups`, path, idSchema, (group) => visit(group.id));
  }

  /** Every item of a list, following Link headers through the SDK's Collection. */
  private async list<T>(
    what: string,
    path: string,
    schema: z.ZodMiniType<T>,
    visit: (item: T) => void,
  ): Promise<void> {
    // The Collection pages through `client.http` (auth, executor, retries); a factory without
    // `createInstance` hands over each item as the JSON Okta sent, which is parsed below.
    const collection = new okta.Collection<unknown>(
      this.client.http as unknown as ConstructorParameters<typeof okta.Collection>[0],
      `${this.orgUrl}${path}`,
      { parseResponse: async () => [] },
      {},
    );
    let position = 0;
    try {
      for await (const item of collection) {
        if (item === null) continue;
        const parsed = schema.safeParse(item);
        if (!parsed.success) {
          const field = parsed.error.issues[0]?.path.join(".") ?? "item";
          throw new DirectoryReadError(what, `${what}: item ${position} has no valid ${field}`);
        }
        position++;
        visit(parsed.data);
      }
    } catch (error) {
      throw oktaReadError(what, path, error, this.options.auth.mode);
    }
  }
}

interface FetchRequest {
  url?: string;
  agent?: unknown;
  headers?: Record<string, unknown>;
}

interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
}

/** The SDK's executor with our connection pool, our wait, request counting and rate-limit pacing. */
class PacedRequestExecutor extends okta.DefaultRequestExecutor {
  private readonly wait: Wait;
  private readonly reservePct: number;
  /** Per bucket (the path family): how long to wait before its next request. */
  private readonly pauses = new Map<string, number>();

  constructor(
    private readonly settings: OktaReaderOptions,
    private readonly stats: ReadStats,
  ) {
    super({ maxRetries: settings.maxRetries ?? 4, requestTimeout: 0 });
    this.wait = settings.wait ?? realWait;
    this.reservePct = settings.reservePct ?? 10;
  }

  override async fetch(request: FetchRequest): Promise<FetchResponse> {
    const bucket = bucketOf(request.url);
    const pause = this.pauses.get(bucket);
    if (pause !== undefined) {
      this.pauses.delete(bucket);
      await this.wait(pause);
    }
    request.agent = this.settings.agent;
    this.stats.requests++;
    const response: FetchResponse = await super.fetch(request);
    this.observe(bucket, response);
    return response;
  }

  override retryRequest(request: FetchRequest, response: FetchResponse, delayMs: number): Promise<never> {
    this.stats.throttled++;
    return this.wait(delayMs).then(() =>
      this.fetch(
        this.buildRetryRequest(request as never, this.getOktaRequestId(response as never), delayMs) as never,
      ),
    ) as Promise<never>;
  }

  private observe(bucket: string, response: FetchResponse): void {
    const limit = Number(response.headers.get("x-rate-limit-limit"));
    const remaining = Number(response.headers.get("x-rate-limit-remaining"));
    const reset = Number(response.headers.get("x-rate-limit-reset"));
    if (!(limit > 0) || !Number.isFinite(remaining) || !(reset > 0) || response.status === 429) return;
    if (remaining > Math.floor((limit * this.reservePct) / 100)) return;
    // Server time against the server's reset, as the SDK computes its 429 delay: no local clock.
    const serverNow = Date.parse(response.headers.get("date") ?? "");
    const waitMs = Number.isFinite(serverNow) ? Math.max(0, reset * 1000 - serverNow) + 1000 : 60_000;
    this.pauses.set(bucket, waitMs);
  }
}

function bucketOf(url: string | undefined): string {
  if (!url) return "other";
  try {
    return new URL(url).pathname.split("/").slice(0, 4).join("/");
  } catch {
    return "other";
  }
}

function oktaReadError(
  what: string,
  path: string,
  error: unknown,
  mode: OktaReaderAuth["mode"],
): DirectoryReadError {
  if (error instanceof DirectoryReadError) return error;
  const status =
    typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  const code =
    typeof error === "object" && error !== null ? (error as { errorCode?: unknown }).errorCode : undefined;
  const summary =
    typeof error === "object" && error !== null
      ? (error as { errorSummary?: unknown }).errorSummary
      : undefined;
  const detail = `${typeof code === "string" ? ` ${code}` : ""}${typeof summary === "string" && summary ? ` (${summary})` : ""}`;
  const endpoint = path.split("?")[0] ?? path;
  if (typeof status !== "number") {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return new DirectoryReadError(
      what,
      `Okta ${endpoint}: ${reason}`,
      "check continuity.okta.orgUrl and that the org is reachable",
      {
        cause: error,
      },
    );
  }
  const scope = requiredScope(error, endpoint);
  const meaning: { says: string; hint?: string } = {
    403: {
      says: `HTTP 403${detail}: missing scope ${scope}`,
      hint:
        mode === "private-key"
          ? `grant ${scope} on the service app's Okta API Scopes tab (Admin Console > Applications > Applications > the app), list it in continuity.okta.auth.scopes, and give the app an admin role that can read it (Read-only Administrator)`
          : `the API token acts as the admin who created it: use a token of an admin who may read this (Read-only Administrator), or an OAuth service app with ${scope}`,
    },
    401: {
      says: `HTTP 401${detail}: credentials rejected`,
      hint: "check continuity.okta.auth and the secret it names",
    },
    404: {
      says: `HTTP 404${detail}: not found`,
      hint: "check the Okta app ids in continuity.apps (Admin Console > Applications > the app: its id is in the URL)",
    },
    429: {
      says: "still rate limited (HTTP 429) after the SDK's retries",
      hint: "run again later, or raise the org's rate limit for this endpoint",
    },
  }[status] ?? { says: `HTTP ${status}${detail}` };
  return new DirectoryReadError(what, `Okta ${endpoint}: ${meaning.says}`, meaning.hint, {
    status,
    cause: error,
  });
}

/** The scope a 403 names in `WWW-Authenticate`, else the one the endpoint needs. */
function requiredScope(error: unknown, endpoint: string): string {
  const headers =
    typeof error === "object" && error !== null ? (error as { headers?: unknown }).headers : undefined;
  const challenge =
    headers && typeof (headers as { get?: unknown }).get === "function"
      ? (headers as { get(name: string): string | null }).get("www-authenticate")
      : null;
  const named = challenge ? /scope="([^"]+)"/.exec(challenge)?.[1] : undefined;
  return named ?? scopeOfPath.find(([pattern]) => pattern.test(endpoint))?.[1] ?? "the endpoint's read scope";
}
