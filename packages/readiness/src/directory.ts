/*
 * What a readiness run reads, as plain records, and the two readers it reads them with: the
 * primary (Okta, through @okta/okta-sdk-nodejs) and the secondary (Entra, through
 * @microsoft/microsoft-graph-client). Readers stream: each calls `visit` once per record as its pages
 * arrive and keeps nothing, so a run's memory is what the comparison keeps, never a page list.
 */

export interface PrimaryUser {
  id: string;
  /** Okta lifecycle status: ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, SUSPENDED, ... */
  status: string;
  login: string;
  email: string | undefined;
}

export interface PrimaryGroup {
  id: string;
  name: string;
  /** OKTA_GROUP, APP_GROUP (imported, like AD groups) or BUILT_IN (Everyone). */
  type: string;
}

export interface PrimaryAppUser {
  userId: string;
  /** USER (assigned directly) or GROUP (through a group assignment). */
  scope: string;
}

/** The Okta org as a readiness run reads it. */
export interface PrimaryDirectory {
  readUsers(visit: (user: PrimaryUser) => void): Promise<void>;
  readGroups(visit: (group: PrimaryGroup) => void): Promise<void>;
  readGroupMembers(groupId: string, visit: (userId: string) => void): Promise<void>;
  readAppUsers(appId: string, visit: (user: PrimaryAppUser) => void): Promise<void>;
  readAppGroups(appId: string, visit: (groupId: string) => void): Promise<void>;
  readonly stats: ReadStats;
}

/** A user as a Graph delta round reports it: present (with its properties) or removed. */
export type SecondaryUserChange =
  | {
      id: string;
      removed: false;
      userPrincipalName: string | null;
      mail: string | null;
      accountEnabled: boolean;
    }
  | { id: string; removed: true };

/** A group as a Graph delta round reports it: its name and the members added or removed. */
export type SecondaryGroupChange =
  | {
      id: string;
      removed: false;
      displayName: string | undefined;
      membersAdded: string[];
      membersRemoved: string[];
    }
  | { id: string; removed: true };

export interface SecondaryServicePrincipal {
  id: string;
  displayName: string;
  appRoleAssignmentRequired: boolean;
  accountEnabled: boolean;
}

export interface SecondaryAssignment {
  principalId: string;
  principalType: string;
}

/** The Entra tenant as a readiness run reads it: users and groups through delta queries. */
export interface SecondaryDirectory {
  /** A delta round from `deltaLink` (the whole state without one); returns the next round's link. */
  readUserChanges(
    deltaLink: string | undefined,
    visit: (change: SecondaryUserChange) => void,
  ): Promise<string>;
  readGroupChanges(
    deltaLink: string | undefined,
    visit: (change: SecondaryGroupChange) => void,
  ): Promise<string>;
  readServicePrincipal(id: string): Promise<SecondaryServicePrincipal>;
  readAssignments(
    servicePrincipalId: string,
    visit: (assignment: SecondaryAssignment) => void,
  ): Promise<void>;
  readonly stats: ReadStats;
}

export interface ReadStats {
  requests: number;
  /** Answers that were 429 (each waited out and retried by the SDK). */
  throttled: number;
}

/**
 * Something could not be read: a missing scope or permission, a wrong id, an outage. The message
 * names what and why, the hint how to fix it; neither ever holds a secret.
 */
export class DirectoryReadError extends Error {
  override name = "DirectoryReadError";
  constructor(
    /** What was being read, like `okta users` or `graph servicePrincipals/{id}`. */
    readonly what: string,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/** Graph no longer knows a stored delta link (expired after seven days, or a resync was asked for). */
export class DeltaExpiredError extends Error {
  override name = "DeltaExpiredError";
}

/** Waits `ms` (a rate limit's reset, a Retry-After). Injected: tests move a clock instead of sleeping. */
export type Wait = (ms: number) => Promise<void>;

export const realWait: Wait = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
