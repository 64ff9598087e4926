import { randomUUID } from "node:crypto";
import type {
  EntraDirectory,
  EntraDirectoryGroup,
  EntraDirectoryUser,
  EntraServicePrincipal,
} from "./directory-seed.js";
import type { Reply } from "./idp-https-server.js";
import { json } from "./idp-stand-in.js";

/*
 * The slice of Microsoft Graph v1.0 a readiness run reads, as Microsoft's reference shapes it:
 *   GET /v1.0/users, /users/delta                         (User.Read.All)
 *   GET /v1.0/groups, /groups/delta, /groups/{id}/members (GroupMember.Read.All)
 *   GET /v1.0/servicePrincipals, /{id}, /{id}/appRoleAssignedTo (Application.Read.All)
 * Lists page with `$top` (at most 999) and `@odata.nextLink` (`$skiptoken`). Delta queries serve
 * the whole state in the first round and end with `@odata.deltaLink`; a later round from that link
 * returns what changed since: changed users, `@removed` ones, and groups with `members@delta` holding
 * added members and `@removed` ones. A large group's members spill over pages (the same group shows up
 * again with the next members), as Graph documents. A token from before `resetDeltaTokens()` gets 410
 * `syncStateNotFound`. Missing application permissions get 403 `Authorization_RequestDenied`; past
 * the optional request budget, 429 with `Retry-After`.
 */

/** A Graph error answer: `{error: {code, message, innerError}}` and the request id header. */
export function graphErrorReply(
  status: number,
  code: string,
  message: string,
  options: { requestId?: string; now?: number; headers?: Record<string, string> } = {},
): Reply {
  const requestId = options.requestId ?? randomUUID();
  return json(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date(options.now ?? Date.now()).toISOString().slice(0, 19),
          "request-id": requestId,
          "client-request-id": requestId,
        },
      },
    },
    { "request-id": requestId, ...options.headers },
  );
}

/** Application permissions (the token's `roles`) that allow each family of reads. */
const allowedRoles = {
  users: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  groups: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  servicePrincipals: [
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
} as const;

type Family = keyof typeof allowedRoles;

export interface GraphRequestContext {
  method: string;
  url: URL;
  /** The base URL that plays https://graph.microsoft.com. */
  graphUrl: string;
  /** The caller's application permissions; undefined when the token is not valid. */
  roles: ReadonlySet<string> | undefined;
  now: number;
}

export interface GraphRateLimit {
  /** Requests allowed per window, then 429 until it ends. */
  requests: number;
  windowMs: number;
}

/** One change a delta round reports: a user or group touched, or a membership added or removed. */
type ChangeBody =
  | { kind: "user"; index: number }
  | { kind: "group"; index: number }
  | { kind: "member"; group: number; user: number; added: boolean };
type Change = ChangeBody & { seq: number };

/** The Entra directory with its change journal (for delta queries) and request budget. */
export class GraphDirectory {
  private readonly journal: Change[] = [];
  private seq = 1;
  /** Delta tokens from before this sequence number are refused (a resync is required). */
  private validFrom = 0;
  private window = { start: 0, used: 0 };

  constructor(
    readonly directory: EntraDirectory,
    private readonly rateLimit?: GraphRateLimit,
  ) {}

  /** Changes the directory the way a test needs, recording each change for delta queries. */
  readonly change = {
    setUserEnabled: (index: number, enabled: boolean) => {
      const user = this.directory.users[index];
      if (user) user.accountEnabled = enabled;
      this.record({ kind: "user", index });
    },
    deleteUser: (index: number) => {
      const user = this.directory.users[index];
      if (!user) return;
      user.deleted = true;
      this.record({ kind: "user", index });
      this.directory.groups.forEach((group, g) => {
        if (group.members.delete(index)) this.record({ kind: "member", group: g, user: index, added: false });
      });
    },
    addUser: (user: Omit<EntraDirectoryUser, "deleted">): number => {
      const index = this.directory.users.push({ ...user }) - 1;
      this.record({ kind: "user", index });
      return index;
    },
    restoreUser: (index: number) => {
      const user = this.directory.users[index];
      if (user) delete user.deleted;
      this.record({ kind: "user", index });
    },
    addMember: (group: number, user: number) => {
      if (this.directory.groups[group]?.members.has(user) === false) {
        this.directory.groups[group]?.members.add(user);
        this.record({ kind: "member", group, user, added: true });
      }
    },
    removeMember: (group: number, user: number) => {
      if (this.directory.groups[group]?.members.delete(user)) {
        this.record({ kind: "member", group, user, added: false });
      }
    },
    deleteGroup: (index: number) => {
      const group = this.directory.groups[index];
      if (group) group.deleted = true;
      this.record({ kind: "group", index });
    },
  };

  /** Every delta token issued so far stops working (Graph's "sync state not found"). */
  resetDeltaTokens(): void {
    this.seq++;
    this.validFrom = this.seq;
  }

  private record(change: ChangeBody): void {
    this.journal.push({ ...change, seq: this.seq++ });
  }

  serve(request: GraphRequestContext): Reply {
    const requestId = randomUUID();
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      graphErrorReply(status, code, message, { requestId, now: request.now, headers });
    if (this.rateLimit) {
      if (request.now >= this.window.start + this.rateLimit.windowMs)
        this.window = { start: request.now, used: 0 };
      if (++this.window.used > this.rateLimit.requests) {
        const waitSeconds = Math.max(
          1,
          Math.ceil((this.window.start + this.rateLimit.windowMs - request.now) / 1000),
        );
        return error(429, "TooManyRequests", "Too many requests.", { "retry-after": String(waitSeconds) });
      }
    }
    if (!request.roles) {
      return error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
    }
    const path = request.url.pathname.replace(/^\/v1\.0/, "");
    const family: Family | undefined = path.startsWith("/users")
      ? "users"
      : path.startsWith("/groups")
        ? "groups"
        : path.startsWith("/servicePrincipals")
          ? "servicePrincipals"
          : undefined;
    if (!family || request.method !== "GET") {
      return error(400, "BadRequest", `Resource not found for the segment '${path.split("/")[1] ?? ""}'.`);
    }
    const roles = request.roles;
    if (!allowedRoles[family].some((role) => roles.has(role))) {
      return error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }
    const reply = (body: Record<string, unknown>) => json(200, body, { "request-id": requestId });
    const base = `${request.graphUrl}/v1.0`;
    const params = request.url.searchParams;
    const select = params
      .get("$select")
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const top = Math.min(999, Math.max(1, Number(params.get("$top") ?? 100) || 100));
    const skip = Number(params.get("$skiptoken") ?? 0) || 0;
    const segments = path.split("/").filter(Boolean);

    if (path === "/users/delta" || path === "/groups/delta") {
      const deltaToken = params.get("$deltatoken");
      const skipToken = params.get("$skiptoken");
      // A new round (no token, or a deltaLink's) reports changes up to now; its pages keep that bound.
      const decoded = deltaToken ? decodeToken(deltaToken) : skipToken ? decodeToken(skipToken) : undefined;
      const state =
        deltaToken || !skipToken
          ? decoded || !deltaToken
            ? {
                family,
                since: decoded?.since ?? 0,
                upTo: this.seq,
                cursor: 0,
                select: decoded?.select ?? select,
              }
            : undefined
          : decoded;
      if (!state || (state.since > 0 && state.since < this.validFrom)) {
        return error(
          410,
          "syncStateNotFound",
          "The sync state generation is not found. Restart the sync with an empty delta token.",
          {
            location: `${base}/${family}/delta`,
          },
        );
      }
      const page = family === "users" ? this.userDelta(state) : this.groupDelta(state);
      const next = encodeToken({ ...state, cursor: page.cursor });
      return reply({
        "@odata.context": `${base}/$metadata#${family}`,
        ...(page.done
          ? {
              "@odata.deltaLink": `${base}/${family}/delta?$deltatoken=${encodeToken({ family, since: state.upTo, upTo: 0, cursor: 0, select: state.select })}`,
            }
          : { "@odata.nextLink": `${base}/${family}/delta?$skiptoken=${next}` }),
        value: page.value,
      });
    }

    const listPage = (all: Record<string, unknown>[], link: string) => {
      const value = all.slice(skip, skip + top);
      return reply({
        "@odata.context": `${base}/$metadata#${family}`,
        ...(skip + top < all.length
          ? {
              "@odata.nextLink": `${link}${link.includes("?") ? "&" : "?"}$top=${top}&$skiptoken=${skip + top}`,
            }
          : {}),
        value,
      });
    };
    const dir = this.directory;
    if (path === "/users") {
      return listPage(
        dir.users.filter((u) => !u.deleted).map((u) => userBody(u, select)),
        `${base}/users${selectQuery(select)}`,
      );
    }
    if (path === "/groups") {
      return listPage(
        dir.groups.filter((g) => !g.deleted).map((g) => groupBody(g, select)),
        `${base}/groups${selectQuery(select)}`,
      );
    }
    const notFound = (id: string) =>
      error(
        404,
        "Request_ResourceNotFound",
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    if (segments[0] === "groups" && (segments[2] === "members" || segments[2] === "transitiveMembers")) {
      const group = dir.groups.find((g) => g.id === segments[1] && !g.deleted);
      if (!group) return notFound(segments[1] ?? "");
      const members = [...group.members]
        .sort((a, b) => a - b)
        .flatMap((i) => {
          const user = dir.users[i];
          return user && !user.deleted
            ? [{ "@odata.type": "#microsoft.graph.user", ...userBody(user, select) }]
            : [];
        });
      return listPage(members, `${base}/groups/${group.id}/${segments[2]}${selectQuery(select)}`);
    }
    if (path === "/servicePrincipals") {
      return listPage(
        dir.servicePrincipals.map((sp) => pick(servicePrincipalBody(sp), select)),
        `${base}/servicePrincipals${selectQuery(select)}`,
      );
    }
    if (segments[0] === "servicePrincipals" && segments[1]) {
      const sp = dir.servicePrincipals.find((p) => p.id === segments[1]);
      if (!sp) return notFound(segments[1]);
      if (segments.length === 2) {
        return reply({
          "@odata.context": `${base}/$metadata#servicePrincipals/$entity`,
          ...pick(servicePrincipalBody(sp), select),
        });
      }
      if (segments[2] === "appRoleAssignedTo") {
        const assignments = sp.assignments.flatMap((a, n) => {
          const principal = a.principalType === "User" ? dir.users[a.index] : dir.groups[a.index];
          if (!principal || principal.deleted) return [];
          return [
            pick(
              {
                id: `${sp.id.slice(0, 8)}${String(n).padStart(8, "0")}`,
                deletedDateTime: null,
                appRoleId: "00000000-0000-0000-0000-000000000000",
                createdDateTime: "2025-01-15T18:21:34Z",
                principalDisplayName:
                  "displayName" in principal ? principal.displayName : principal.userPrincipalName,
                principalId: principal.id,
                principalType: a.principalType,
                resourceDisplayName: sp.displayName,
                resourceId: sp.id,
              },
              select,
            ),
          ];
        });
        return listPage(
          assignments,
          `${base}/servicePrincipals/${sp.id}/appRoleAssignedTo${selectQuery(select)}`,
        );
      }
    }
    return error(400, "BadRequest", `Resource not found for the segment '${segments.at(-1) ?? ""}'.`);
  }

  private userDelta(state: DeltaState): DeltaPage {
    const users = this.directory.users;
    const pageSize = 200;
    if (state.since === 0) {
      const value: Record<string, unknown>[] = [];
      let i = state.cursor;
      for (; i < users.length && value.length < pageSize; i++) {
        const user = users[i];
        if (user && !user.deleted) value.push(userBody(user, state.select));
      }
      return { value, cursor: i, done: i >= users.length };
    }
    const changed = [
      ...new Set(this.changesBetween(state).flatMap((c) => (c.kind === "user" ? [c.index] : []))),
    ];
    const slice = changed.slice(state.cursor, state.cursor + pageSize);
    const value = slice.flatMap((i) => {
      const user = users[i];
      if (!user) return [];
      return [
        user.deleted ? { id: user.id, "@removed": { reason: "deleted" } } : userBody(user, state.select),
      ];
    });
    return {
      value,
      cursor: state.cursor + slice.length,
      done: state.cursor + slice.length >= changed.length,
    };
  }

  /** Groups with `members@delta`; a page holds about `memberBudget` members and splits large groups. */
  private groupDelta(state: DeltaState): DeltaPage {
    const memberBudget = 2000;
    const groups = this.directory.groups;
    const users = this.directory.users;
    const memberRef = (i: number, removed: boolean) => {
      const id = users[i]?.id ?? "";
      return removed
        ? { "@odata.type": "#microsoft.graph.user", id, "@removed": { reason: "deleted" } }
        : { "@odata.type": "#microsoft.graph.user", id };
    };
    // Every entry to report this round, in order: [group, members]; the cursor counts members served.
    let entries: Array<{
      group: EntraDirectoryGroup;
      removed: boolean;
      members: Array<Record<string, unknown>>;
    }>;
    if (state.since === 0) {
      entries = groups
        .filter((g) => !g.deleted)
        .map((group) => ({
          group,
          removed: false,
          members: [...group.members]
            .filter((i) => !users[i]?.deleted)
            .sort((a, b) => a - b)
            .map((i) => memberRef(i, false)),
        }));
    } else {
      const touched = new Map<number, Array<Record<string, unknown>>>();
      for (const change of this.changesBetween(state)) {
        if (change.kind === "group") touched.set(change.index, touched.get(change.index) ?? []);
        if (change.kind === "member") {
          const list = touched.get(change.group) ?? [];
          list.push(memberRef(change.user, !change.added));
          touched.set(change.group, list);
        }
      }
      entries = [...touched].flatMap(([index, members]) => {
        const group = groups[index];
        return group ? [{ group, removed: group.deleted === true, members }] : [];
      });
    }
    const value: Record<string, unknown>[] = [];
    let served = 0;
    let position = 0;
    for (const entry of entries) {
      const size = Math.max(1, entry.members.length);
      if (position + size <= state.cursor) {
        position += size;
        continue;
      }
      if (served >= memberBudget) break;
      const offset = Math.max(0, state.cursor - position);
      const take = Math.min(size - offset, memberBudget - served);
      if (entry.removed) value.push({ id: entry.group.id, "@removed": { reason: "deleted" } });
      else {
        const chunk = entry.members.slice(offset, offset + take);
        value.push({
          ...groupBody(
            entry.group,
            state.select?.filter((f) => f !== "members"),
          ),
          ...(chunk.length > 0 ? { "members@delta": chunk } : {}),
        });
      }
      served += take;
      position += offset + take;
      if (offset + take < size) break;
    }
    const total = entries.reduce((sum, e) => sum + Math.max(1, e.members.length), 0);
    const cursor = state.cursor + served;
    return { value, cursor, done: cursor >= total };
  }

  private changesBetween(state: DeltaState): Change[] {
    return this.journal.filter((c) => c.seq >= state.since && c.seq < state.upTo);
  }

  /** The sequence number a new delta round starts at (its deltaLink reports changes from here). */
  get position(): number {
    return this.seq;
  }
}

interface DeltaState {
  family: Family;
  /** 0: the first round (everything); else report changes with seq >= since. */
  since: number;
  /** Changes before this are in this round; later ones wait for the next. */
  upTo: number;
  cursor: number;
  select: string[] | undefined;
}

interface DeltaPage {
  value: Record<string, unknown>[];
  cursor: number;
  done: boolean;
}

function encodeToken(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

function decodeToken(token: string): DeltaState | undefined {
  try {
    const state = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as DeltaState;
    return typeof state.since === "number" && typeof state.cursor === "number" ? state : undefined;
  } catch {
    return undefined;
  }
}

function selectQuery(select: string[] | undefined): string {
  return select ? `?$select=${select.join(",")}` : "";
}

function pick(body: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => key === "id" || select.includes(key)));
}

function userBody(user: EntraDirectoryUser, select: string[] | undefined): Record<string, unknown> {
  return pick(
    {
      id: user.id,
      displayName: user.userPrincipalName.split("@")[0] ?? user.userPrincipalName,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail,
      accountEnabled: user.accountEnabled,
      userType: "Member",
    },
    select,
  );
}

function servicePrincipalBody(sp: EntraServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    accountEnabled: sp.accountEnabled,
    servicePrincipalType: "Application",
  };
}

function groupBody(group: EntraDirectoryGroup, select: string[] | undefined): Record<string, unknown> {
  return pick(
    {
      id: group.id,
      displayName: group.displayName,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      groupTypes: [],
    },
    select,
  );
}
