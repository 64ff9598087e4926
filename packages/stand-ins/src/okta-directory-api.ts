import { randomBytes } from "node:crypto";
import {
  directoryIds,
  type OktaDirectory,
  type OktaDirectoryApp,
  type OktaDirectoryGroup,
  type OktaDirectoryUser,
} from "./directory-seed.js";
import type { Reply } from "./idp-https-server.js";
import { json } from "./idp-stand-in.js";

/*
 * The slice of Okta's management API a readiness run reads, as Okta's API reference shapes it:
 *   GET /api/v1/users                 (okta.users.read)   every user but DEPROVISIONED ones
 *   GET /api/v1/groups                (okta.groups.read)
 *   GET /api/v1/groups/{id}/users     (okta.groups.read)
 *   GET /api/v1/apps, /apps/{id}      (okta.apps.read)
 *   GET /api/v1/apps/{id}/users       (okta.apps.read)    direct and group assignments (`scope`)
 *   GET /api/v1/apps/{id}/groups      (okta.apps.read)
 * Cursor pagination: `limit` (capped per endpoint) and an opaque `after`, the next page named in a
 * `Link: <…>; rel="next"` header. Each endpoint family counts against its own per-minute rate-limit
 * bucket with `X-Rate-Limit-Limit/-Remaining/-Reset`, and answers 429 E0000047 past it. An OAuth
 * token without the endpoint's scope gets 403 E0000006 and a `WWW-Authenticate` naming the scope.
 */

export interface DirectoryRequest {
  method: string;
  url: URL;
  orgUrl: string;
  /** The scopes the caller's token carries; `all` for an SSWS API token (an admin's permissions). */
  scopes: "all" | ReadonlySet<string>;
  /** Epoch ms: the rate-limit windows follow it. */
  now: number;
}

export interface RateBucket {
  limit: number;
  used: number;
  windowEnds: number;
}

interface Endpoint {
  bucket: "users" | "groups" | "apps";
  scope: string;
  /** The largest page the endpoint serves, and the page when `limit` is absent. */
  maxLimit: number;
  defaultLimit: number;
}

const endpoints: Array<{ pattern: RegExp; endpoint: Endpoint }> = [
  {
    pattern: /^\/api\/v1\/users$/,
    endpoint: { bucket: "users", scope: "okta.users.read", maxLimit: 200, defaultLimit: 200 },
  },
  {
    pattern: /^\/api\/v1\/groups$/,
    endpoint: { bucket: "groups", scope: "okta.groups.read", maxLimit: 10_000, defaultLimit: 10_000 },
  },
  {
    pattern: /^\/api\/v1\/groups\/[^/]+\/users$/,
    endpoint: { bucket: "groups", scope: "okta.groups.read", maxLimit: 1000, defaultLimit: 1000 },
  },
  {
    pattern: /^\/api\/v1\/apps$/,
    endpoint: { bucket: "apps", scope: "okta.apps.read", maxLimit: 200, defaultLimit: 20 },
  },
  {
    pattern: /^\/api\/v1\/apps\/[^/]+$/,
    endpoint: { bucket: "apps", scope: "okta.apps.read", maxLimit: 1, defaultLimit: 1 },
  },
  {
    pattern: /^\/api\/v1\/apps\/[^/]+\/users$/,
    endpoint: { bucket: "apps", scope: "okta.apps.read", maxLimit: 500, defaultLimit: 50 },
  },
  {
    pattern: /^\/api\/v1\/apps\/[^/]+\/groups$/,
    endpoint: { bucket: "apps", scope: "okta.apps.read", maxLimit: 200, defaultLimit: 20 },
  },
];

/** Whether a path is one of the directory endpoints above. */
export function isOktaDirectoryPath(path: string): boolean {
  return endpoints.some((e) => e.pattern.test(path));
}

/** Okta's 404 for an id that names nothing, with the resource type it looked for. */
export function oktaNotFound(id: string, type: string, headers: Record<string, string> = {}): Reply {
  return json(404, oktaError("E0000007", `Not found: Resource not found: ${id} (${type})`), headers);
}

export function oktaError(code: string, summary: string): Record<string, unknown> {
  return {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId: `oae${randomBytes(11).toString("base64url")}`,
    errorCauses: [],
  };
}

const created = "2024-01-15T18:21:34.000Z";

export function serveOktaDirectory(
  directory: OktaDirectory,
  request: DirectoryRequest,
  buckets: Map<string, RateBucket>,
  rateLimit: number,
): Reply {
  const path = request.url.pathname;
  const endpoint = endpoints.find((e) => e.pattern.test(path))?.endpoint;
  if (!endpoint)
    return json(404, oktaError("E0000022", "The endpoint does not support the provided HTTP method"));
  const rate = rateHeaders(buckets, endpoint.bucket, rateLimit, request.now);
  if (rate.exceeded) {
    return json(
      429,
      oktaError("E0000047", "API call exceeded rate limit due to too many requests."),
      rate.headers,
    );
  }
  if (request.method !== "GET") {
    return json(
      405,
      oktaError("E0000022", "The endpoint does not support the provided HTTP method"),
      rate.headers,
    );
  }
  if (
    request.scopes !== "all" &&
    !request.scopes.has(endpoint.scope) &&
    !request.scopes.has(manageScope(endpoint.scope))
  ) {
    return json(403, oktaError("E0000006", "You do not have permission to perform the requested action"), {
      ...rate.headers,
      "www-authenticate": `Bearer authorization_uri="${request.orgUrl}/oauth2/v1/authorize", realm="IdpMyAccountAPI", scope="${endpoint.scope}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"`,
    });
  }
  const limitParam = Number(request.url.searchParams.get("limit") ?? endpoint.defaultLimit);
  const limit = Math.max(
    1,
    Math.min(Number.isFinite(limitParam) ? limitParam : endpoint.defaultLimit, endpoint.maxLimit),
  );
  const after = request.url.searchParams.get("after");
  const segments = path.split("/");
  const id = segments[4] ?? "";
  const org = request.orgUrl;

  const afterIndex = after ? directoryIds.indexOf(after) : -1;
  let page: Page;
  if (path === "/api/v1/users") {
    const users = directory.users;
    page = scan(users.length, afterIndex + 1, limit, (i) => {
      const user = users[i];
      return user && user.status !== "DEPROVISIONED"
        ? { key: user.id, body: userBody(user, org) }
        : undefined;
    });
  } else if (path === "/api/v1/groups") {
    const groups = directory.groups;
    page = scan(groups.length, afterIndex + 1, limit, (i) => {
      const g = groups[i];
      return g ? { key: g.id, body: groupBody(g, org) } : undefined;
    });
  } else if (segments[3] === "groups") {
    const group = directory.groups.find((g) => g.id === id);
    if (!group) return oktaNotFound(id, "UserGroup", rate.headers);
    page = scanSorted(
      [...group.members].sort((a, b) => a - b),
      afterIndex,
      limit,
      (i) => {
        const user = directory.users[i];
        return user ? { key: user.id, body: userBody(user, org) } : undefined;
      },
    );
  } else if (path === "/api/v1/apps") {
    const apps = directory.apps;
    page = scan(apps.length, after ? apps.findIndex((a) => a.id === after) + 1 : 0, limit, (p) => {
      const app = apps[p];
      return app ? { key: app.id, body: appBody(app, org) } : undefined;
    });
  } else {
    const app = directory.apps.find((a) => a.id === id);
    if (!app) return oktaNotFound(id, "AppInstance", rate.headers);
    if (segments.length === 5) return json(200, appBody(app, org), rate.headers);
    if (segments[5] === "groups") {
      page = scan(
        app.groups.length,
        after ? app.groups.findIndex((g) => directory.groups[g]?.id === after) + 1 : 0,
        limit,
        (p) => {
          const group = directory.groups[app.groups[p] ?? -1];
          return group
            ? {
                key: group.id,
                body: {
                  id: group.id,
                  lastUpdated: created,
                  priority: p,
                  profile: {},
                  _links: {
                    app: { href: `${org}/api/v1/apps/${app.id}` },
                    group: { href: `${org}/api/v1/groups/${group.id}` },
                  },
                },
              }
            : undefined;
        },
      );
    } else {
      const scopeOf = new Map<number, "USER" | "GROUP">();
      for (const g of app.groups) for (const i of directory.groups[g]?.members ?? []) scopeOf.set(i, "GROUP");
      for (const i of app.users) scopeOf.set(i, "USER");
      page = scanSorted(
        [...scopeOf.keys()].sort((a, b) => a - b),
        afterIndex,
        limit,
        (i) => {
          const user = directory.users[i];
          return user
            ? { key: user.id, body: appUserBody(user, scopeOf.get(i) ?? "USER", app.id, org) }
            : undefined;
        },
      );
    }
  }

  const base = `${org}${path}`;
  const links = [`<${base}?limit=${limit}>; rel="self"`];
  const last = page.items.at(-1);
  if (last && page.more) links.push(`<${base}?after=${last.key}&limit=${limit}>; rel="next"`);
  return json(
    200,
    page.items.map((item) => item.body),
    { ...rate.headers, link: links.join(", ") },
  );
}

interface Page {
  items: Array<{ key: string; body: Record<string, unknown> }>;
  /** Whether anything may follow (Okta may then serve an empty last page, as it does itself). */
  more: boolean;
}

/** Up to `limit` accepted items from position `from` on, of `count` positions. */
function scan(
  count: number,
  from: number,
  limit: number,
  accept: (position: number) => { key: string; body: Record<string, unknown> } | undefined,
): Page {
  const items: Page["items"] = [];
  let position = Math.max(0, from);
  for (; position < count && items.length < limit; position++) {
    const item = accept(position);
    if (item) items.push(item);
  }
  return { items, more: position < count };
}

/** The same over sorted indices, resuming after the index `afterIndex` (the cursor's object). */
function scanSorted(
  indices: number[],
  afterIndex: number,
  limit: number,
  accept: (index: number) => { key: string; body: Record<string, unknown> } | undefined,
): Page {
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((indices[mid] ?? 0) <= afterIndex) lo = mid + 1;
    else hi = mid;
  }
  return scan(indices.length, lo, limit, (p) => accept(indices[p] ?? -1));
}

function appBody(app: OktaDirectoryApp, org: string): Record<string, unknown> {
  return {
    id: app.id,
    name: app.label.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
    label: app.label,
    status: "ACTIVE",
    created,
    lastUpdated: created,
    signOnMode: "SAML_2_0",
    _links: {
      users: { href: `${org}/api/v1/apps/${app.id}/users` },
      groups: { href: `${org}/api/v1/apps/${app.id}/groups` },
    },
  };
}

function groupBody(g: OktaDirectoryGroup, org: string): Record<string, unknown> {
  return {
    id: g.id,
    created,
    lastUpdated: created,
    lastMembershipUpdated: created,
    objectClass: ["okta:user_group"],
    type: g.type,
    profile: { name: g.name, description: g.type === "BUILT_IN" ? "All users in your organization" : null },
    _links: {
      users: { href: `${org}/api/v1/groups/${g.id}/users` },
      apps: { href: `${org}/api/v1/groups/${g.id}/apps` },
    },
  };
}

function manageScope(readScope: string): string {
  return readScope.replace(/\.read$/, ".manage");
}

function rateHeaders(
  buckets: Map<string, RateBucket>,
  bucket: string,
  limit: number,
  now: number,
): { headers: Record<string, string>; exceeded: boolean } {
  let rate = buckets.get(bucket);
  if (!rate || now >= rate.windowEnds) {
    rate = { limit, used: 0, windowEnds: (Math.floor(now / 60_000) + 1) * 60_000 };
    buckets.set(bucket, rate);
  }
  rate.used++;
  return {
    exceeded: rate.used > rate.limit,
    headers: {
      "x-rate-limit-limit": String(rate.limit),
      "x-rate-limit-remaining": String(Math.max(0, rate.limit - rate.used)),
      "x-rate-limit-reset": String(Math.ceil(rate.windowEnds / 1000)),
      "x-okta-request-id": randomBytes(12).toString("base64url"),
      date: new Date(now).toUTCString(),
    },
  };
}

function userBody(user: OktaDirectoryUser, org: string): Record<string, unknown> {
  return {
    id: user.id,
    status: user.status,
    created,
    activated: user.status === "ACTIVE" ? created : null,
    statusChanged: created,
    lastLogin: "2026-02-27T08:15:02.000Z",
    lastUpdated: created,
    passwordChanged: created,
    type: { id: "oty1defaultusertype0" },
    profile: {
      firstName: user.firstName,
      lastName: user.lastName,
      mobilePhone: null,
      secondEmail: null,
      login: user.login,
      email: user.email,
    },
    credentials: { password: {}, provider: { type: "OKTA", name: "OKTA" } },
    _links: { self: { href: `${org}/api/v1/users/${user.id}` } },
  };
}

function appUserBody(
  user: OktaDirectoryUser,
  scope: "USER" | "GROUP",
  appId: string,
  org: string,
): Record<string, unknown> {
  return {
    id: user.id,
    externalId: null,
    created,
    lastUpdated: created,
    scope,
    status: "PROVISIONED",
    statusChanged: created,
    passwordChanged: null,
    syncState: "DISABLED",
    credentials: { userName: user.login },
    profile: {},
    _links: {
      app: { href: `${org}/api/v1/apps/${appId}` },
      user: { href: `${org}/api/v1/users/${user.id}` },
    },
  };
}
