import * as z from "@idp-failover/core/zod-mini";
import type { HttpClient } from "@idp-failover/http";
import { GraphTransport } from "@idp-failover/http/graph";
import {
  AuthenticationHandler,
  Client,
  type Context,
  GraphError,
  type Middleware,
  RetryHandler,
  RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";
import {
  DeltaExpiredError,
  DirectoryReadError,
  type ReadStats,
  realWait,
  type SecondaryAssignment,
  type SecondaryDirectory,
  type SecondaryGroupChange,
  type SecondaryServicePrincipal,
  type SecondaryUserChange,
  type Wait,
} from "./directory.js";

/*
 * The Entra tenant through @microsoft/microsoft-graph-client, app-only. The middleware chain is the
 * SDK's AuthenticationHandler (a bearer token only for Graph hosts and `customHosts`: the configured
 * Graph host, so a sovereign cloud or a stand-in gets it too), the SDK's RetryHandler (429, 503 and
 * 504, honouring `Retry-After`, three retries; its sleep is our wait), and the one HTTP client's
 * Graph transport (packages/http), over a keep-alive pool. Users and groups are read with delta queries (`/users/delta`, `/groups/delta` with
 * `members`): the first round returns the whole state and a `@odata.deltaLink`, later rounds from that
 * link only what changed, which is how the daily run stays incremental.
 *
 * Reads:  users/delta (User.Read.All)  groups/delta (GroupMember.Read.All)
 *         servicePrincipals/{id}, servicePrincipals/{id}/appRoleAssignedTo (Application.Read.All)
 */

export interface EntraReaderOptions {
  graphBaseUrl: string;
  getAccessToken: () => Promise<string>;
  /** The one HTTP client, with a keep-alive pool (a run is thousands of requests to one host). */
  http: HttpClient;
  /** Waits out `Retry-After` (default: real time). */
  wait?: Wait;
  /** 429/503/504 retries per request (the SDK's RetryHandler). Default 3. */
  maxRetries?: number;
}

const permissionOf: Array<[RegExp, string]> = [
  [/\/users/, "User.Read.All"],
  [/\/groups/, "GroupMember.Read.All"],
  [/\/servicePrincipals/, "Application.Read.All"],
];

const pageSchema = z.looseObject({
  value: z.array(z.unknown()),
  "@odata.nextLink": z.optional(z.string()),
  "@odata.deltaLink": z.optional(z.string()),
});
const removedSchema = z.optional(z.looseObject({ reason: z.optional(z.string()) }));
const userSchema = z.looseObject({
  id: z.string(),
  userPrincipalName: z.optional(z.nullable(z.string())),
  mail: z.optional(z.nullable(z.string())),
  accountEnabled: z.optional(z.nullable(z.boolean())),
  "@removed": removedSchema,
});
const memberSchema = z.looseObject({
  id: z.string(),
  "@odata.type": z.optional(z.string()),
  "@removed": removedSchema,
});
const groupSchema = z.looseObject({
  id: z.string(),
  displayName: z.optional(z.nullable(z.string())),
  "members@delta": z.optional(z.array(memberSchema)),
  "@removed": removedSchema,
});
const servicePrincipalSchema = z.looseObject({
  id: z.string(),
  displayName: z.optional(z.nullable(z.string())),
  appRoleAssignmentRequired: z.optional(z.nullable(z.boolean())),
  accountEnabled: z.optional(z.nullable(z.boolean())),
});
const assignmentSchema = z.looseObject({ principalId: z.string(), principalType: z.string() });

export class EntraDirectoryReader implements SecondaryDirectory {
  readonly stats: ReadStats = { requests: 0, throttled: 0 };
  private readonly client: Client;

  constructor(options: EntraReaderOptions) {
    const baseUrl = options.graphBaseUrl.replace(/\/+$/, "");
    const wait = options.wait ?? realWait;
    const stats = this.stats;
    const retry = new RetryHandler(
      new RetryHandlerOptions(
        3,
        options.maxRetries ?? 3,
        (_delay, _attempt, _request, _options, response) => {
          if (response.status === 429) stats.throttled++;
          return true;
        },
      ),
    );
    // The RetryHandler's own logic (Retry-After, backoff, attempt header) with our wait in its sleep:
    // tests then move a clock, and a Lambda still waits real seconds.
    Object.defineProperty(retry, "sleep", { value: (seconds: number) => wait(seconds * 1000) });
    this.client = Client.initWithMiddleware({
      middleware: [
        new AuthenticationHandler({ getAccessToken: options.getAccessToken }),
        retry,
        new CountedTransport(new GraphTransport(options.http, () => AbortSignal.timeout(60_000)), stats),
      ],
      baseUrl,
      defaultVersion: "v1.0",
      customHosts: new Set([new URL(baseUrl).hostname]),
    });
  }

  async readUserChanges(
    deltaLink: string | undefined,
    visit: (change: SecondaryUserChange) => void,
  ): Promise<string> {
    const start = deltaLink ?? "/users/delta?$select=id,userPrincipalName,mail,accountEnabled";
    return this.pages("graph users", start, (item) => {
      const user = parseItem(userSchema, item, "graph users");
      if (user["@removed"]) visit({ id: user.id, removed: true });
      else
        visit({
          id: user.id,
          removed: false,
          userPrincipalName: user.userPrincipalName ?? null,
          mail: user.mail ?? null,
          // A delta round names the properties it tracks; an absent accountEnabled has never been set (enabled).
          accountEnabled: user.accountEnabled ?? true,
        });
    });
  }

  async readGroupChanges(
    deltaLink: string | undefined,
    visit: (change: SecondaryGroupChange) => void,
  ): Promise<string> {
    const start = deltaLink ?? "/groups/delta?$select=displayName,members";
    return this.pages("graph groups", start, (item) => {
      const group = parseItem(groupSchema, item, "graph groups");
      if (group["@removed"]) {
        visit({ id: group.id, removed: true });
        return;
      }
      const membersAdded: string[] = [];
      const membersRemoved: string[] = [];
      for (const member of group["members@delta"] ?? []) {
        // Only users sign in; a nested group's members do not get the app (Entra does not cascade).
        if (member["@odata.type"] !== undefined && member["@odata.type"] !== "#microsoft.graph.user")
          continue;
        (member["@removed"] ? membersRemoved : membersAdded).push(member.id);
      }
      visit({
        id: group.id,
        removed: false,
        displayName: group.displayName ?? undefined,
        membersAdded,
        membersRemoved,
      });
    });
  }

  async readServicePrincipal(id: string): Promise<SecondaryServicePrincipal> {
    const path = `/servicePrincipals/${encodeURIComponent(id)}?$select=id,displayName,appRoleAssignmentRequired,accountEnabled`;
    const what = `graph servicePrincipals/${id}`;
    const body = await this.get(what, path);
    const sp = parseItem(servicePrincipalSchema, body, what);
    return {
      id: sp.id,
      displayName: sp.displayName ?? sp.id,
      // Graph's default is false: without the property, nobody needs an assignment.
      appRoleAssignmentRequired: sp.appRoleAssignmentRequired ?? false,
      accountEnabled: sp.accountEnabled ?? true,
    };
  }

  async readAssignments(
    servicePrincipalId: string,
    visit: (assignment: SecondaryAssignment) => void,
  ): Promise<void> {
    const what = `graph servicePrincipals/${servicePrincipalId}/appRoleAssignedTo`;
    const path = `/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignedTo?$select=principalId,principalType&$top=999`;
    await this.pages(what, path, (item) => {
      const assignment = parseItem(assignmentSchema, item, what);
      visit({ principalId: assignment.principalId, principalType: assignment.principalType });
    });
  }

  /** Every page from `start` on, following @odata.nextLink; returns the final @odata.deltaLink (or ""). */
  private async pages(what: string, start: string, visit: (item: unknown) => void): Promise<string> {
    let next: string | undefined = start;
    while (next) {
      const body = await this.get(what, next);
      const page = pageSchema.safeParse(body);
      if (!page.success) throw new DirectoryReadError(what, `${what}: the answer has no value list`);
      for (const item of page.data.value) visit(item);
      const deltaLink = page.data["@odata.deltaLink"];
      if (deltaLink) return deltaLink;
      next = page.data["@odata.nextLink"];
    }
    return "";
  }

  private async get(what: string, path: string): Promise<unknown> {
    try {
      return await this.client.api(path).get();
    } catch (error) {
      throw graphReadError(what, path, error);
    }
  }
}

function parseItem<T>(schema: z.ZodMiniType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "item";
    throw new DirectoryReadError(what, `${what}: an item has no valid ${field}`);
  }
  return parsed.data;
}

function graphReadError(what: string, path: string, error: unknown): Error {
  if (error instanceof DirectoryReadError) return error;
  const status = error instanceof GraphError ? error.statusCode : undefined;
  const code = error instanceof GraphError && error.code ? error.code : undefined;
  const endpoint = (path.startsWith("http") ? new URL(path).pathname : path.split("?")[0]) ?? path;
  if (status === 410 || code === "syncStateNotFound" || code === "resyncRequired") {
    return new DeltaExpiredError(
      `${what}: Graph asks for a full resync (${status ?? ""} ${code ?? ""})`.trim(),
      {
        cause: error,
      },
    );
  }
  const detail = code ? ` ${code}` : "";
  const permission = permissionOf.find(([pattern]) => pattern.test(endpoint))?.[1] ?? "the read permission";
  if (status !== undefined && status > 0) {
    const meaning: { says: string; hint?: string } = {
      403: {
        says: `HTTP 403${detail}: the app lacks the application permission ${permission}`,
        hint: `in Entra: App registrations > the readiness app > API permissions > Add a permission > Microsoft Graph > Application permissions > ${permission}, then Grant admin consent`,
      },
      401: {
        says: `HTTP 401${detail}: token rejected`,
        hint: "check continuity.entra (tenantId, clientId) and its secret",
      },
      404: {
        says: `HTTP 404${detail}: not found`,
        hint: "continuity.apps[].entra is the service principal's object id (Enterprise applications > the app > Object ID), not the application (client) id",
      },
      429: { says: "still throttled (HTTP 429) after the SDK's retries", hint: "run again later" },
    }[status] ?? { says: `HTTP ${status}${detail}` };
    return new DirectoryReadError(what, `Graph ${endpoint}: ${meaning.says}`, meaning.hint, {
      status,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new DirectoryReadError(
    what,
    `Graph ${endpoint}: ${reason}`,
    "check continuity.entra.graphBaseUrl and that Graph is reachable",
    {
      cause: error,
    },
  );
}

/** The chain's last step, counting what it sends (the run reports its requests). */
class CountedTransport implements Middleware {
  constructor(
    private readonly transport: GraphTransport,
    private readonly stats: ReadStats,
  ) {}

  execute(context: Context): Promise<void> {
    this.stats.requests++;
    return this.transport.execute(context);
  }
}
