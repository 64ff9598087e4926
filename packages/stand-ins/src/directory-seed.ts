/*
 * The directories the Okta and Entra stand-ins serve to a readiness run, made from a compact
 * description, so a test can say "2,000 users, 50 groups, 3 apps, and Entra lost users 5 and 9" and
 * the bench can make 100,000 users without a fixture file. Users, groups and apps are numbered; ids
 * derive from the numbers the way each vendor's ids look (Okta `00u…`, Entra GUIDs), so a test can
 * name any object without a lookup. Both directories stay mutable: a test changes one side between
 * two runs (the Entra stand-in records each change for delta queries).
 */

export interface DirectorySpec {
  /** Active users of the Okta org: user i signs in as `user{i}@{domain}`. */
  users: number;
  groups: number;
  /** Each user belongs to this many groups (default 2), spread evenly over the groups. */
  groupsPerUser?: number;
  /** Apps, assigned to groups by index in both IdPs (group-based assignment, the common setup). */
  apps?: Array<{ name: string; groups: number[]; users?: number[] }>;
  domain?: string;
  /** Okta users in other states (not counted as active), after the active ones. */
  inactiveUsers?: number;
  /** What the Entra side lacks or has differently (indices of Okta users, groups, apps). */
  drift?: {
    /** Users with no Entra account. */
    missingUsers?: readonly number[];
    /** Users whose Entra account is disabled. */
    disabledUsers?: readonly number[];
    /** Groups that do not exist in Entra. */
    missingGroups?: readonly number[];
    /** Memberships Entra lacks: [user, group]. */
    missingMemberships?: ReadonlyArray<readonly [number, number]>;
    /** Apps whose service principal lacks one of the Okta app's group assignments: [app, group]. */
    unassignedGroups?: ReadonlyArray<readonly [number, number]>;
    /** Apps whose service principal does not require assignment (every enabled user may sign in). */
    assignmentNotRequired?: readonly number[];
  };
}

export interface OktaDirectoryUser {
  id: string;
  status: "ACTIVE" | "DEPROVISIONED" | "SUSPENDED" | "STAGED" | "PASSWORD_EXPIRED" | "LOCKED_OUT";
  login: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface OktaDirectoryGroup {
  id: string;
  name: string;
  type: "OKTA_GROUP" | "APP_GROUP" | "BUILT_IN";
  /** Indices into `users`. */
  members: number[];
}

export interface OktaDirectoryApp {
  id: string;
  label: string;
  /** Direct user assignments (indices into `users`). */
  users: number[];
  /** Group assignments (indices into `groups`). */
  groups: number[];
}

export interface OktaDirectory {
  users: OktaDirectoryUser[];
  groups: OktaDirectoryGroup[];
  apps: OktaDirectoryApp[];
}

export interface EntraDirectoryUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  /** Removed users stay as tombstones so indices hold; delta reports them `@removed`. */
  deleted?: boolean;
}

export interface EntraDirectoryGroup {
  id: string;
  displayName: string;
  /** Indices into `users`. */
  members: Set<number>;
  deleted?: boolean;
}

export interface EntraServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoleAssignmentRequired: boolean;
  accountEnabled: boolean;
  assignments: Array<{ principalType: "User" | "Group"; index: number }>;
}

export interface EntraDirectory {
  users: EntraDirectoryUser[];
  groups: EntraDirectoryGroup[];
  servicePrincipals: EntraServicePrincipal[];
}

export const directoryIds = {
  oktaUser: (i: number) => `00u${i.toString(36).padStart(17, "0")}`,
  oktaGroup: (i: number) => `00g${i.toString(36).padStart(17, "0")}`,
  oktaApp: (i: number) => `0oa${i.toString(36).padStart(17, "0")}`,
  entraUser: (i: number) => guid(1, i),
  entraGroup: (i: number) => guid(2, i),
  entraServicePrincipal: (i: number) => guid(3, i),
  entraAppId: (i: number) => guid(4, i),
  /** The number an id was made from (the stand-ins page by it). */
  indexOf: (id: string): number =>
    id.includes("-") ? Number.parseInt(id.slice(-12), 16) : Number.parseInt(id.slice(3), 36),
};

function guid(kind: number, i: number): string {
  return `${kind}0000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

export const groupName = (i: number) => `Team ${String(i).padStart(5, "0")}`;

/** The groups user `i` belongs to: spread so every group gets about the same number of members. */
export function groupsOfUser(i: number, groups: number, perUser: number): number[] {
  if (groups === 0) return [];
  const out = new Set<number>();
  for (let k = 0; k < perUser; k++) out.add((i + k * Math.max(1, Math.floor(groups / perUser)) + k) % groups);
  return [...out];
}

/** An Okta org and an Entra tenant holding the same people, but for the drift the spec names. */
export function seedDirectories(spec: DirectorySpec): { okta: OktaDirectory; entra: EntraDirectory } {
  const domain = spec.domain ?? "example.com";
  const perUser = spec.groupsPerUser ?? 2;
  const drift = spec.drift ?? {};
  const missingUsers = new Set(drift.missingUsers ?? []);
  const disabledUsers = new Set(drift.disabledUsers ?? []);
  const missingGroups = new Set(drift.missingGroups ?? []);
  const missingMemberships = new Set((drift.missingMemberships ?? []).map(([u, g]) => `${u}:${g}`));
  const unassigned = new Set((drift.unassignedGroups ?? []).map(([a, g]) => `${a}:${g}`));
  const notRequired = new Set(drift.assignmentNotRequired ?? []);

  const total = spec.users + (spec.inactiveUsers ?? 0);
  const inactive: OktaDirectoryUser["status"][] = ["DEPROVISIONED", "SUSPENDED", "STAGED"];
  const oktaUsers: OktaDirectoryUser[] = [];
  const entraUsers: EntraDirectoryUser[] = [];
  for (let i = 0; i < total; i++) {
    const login = `user${i}@${domain}`;
    oktaUsers.push({
      id: directoryIds.oktaUser(i),
      status: i < spec.users ? "ACTIVE" : (inactive[i % inactive.length] ?? "SUSPENDED"),
      login,
      email: login,
      firstName: `First${i}`,
      lastName: `Last${i}`,
    });
    entraUsers.push({
      id: directoryIds.entraUser(i),
      userPrincipalName: login,
      mail: login,
      accountEnabled: !disabledUsers.has(i),
      ...(missingUsers.has(i) || i >= spec.users ? { deleted: true } : {}),
    });
  }

  const oktaGroups: OktaDirectoryGroup[] = [];
  const entraGroups: EntraDirectoryGroup[] = [];
  for (let g = 0; g < spec.groups; g++) {
    oktaGroups.push({ id: directoryIds.oktaGroup(g), name: groupName(g), type: "OKTA_GROUP", members: [] });
    entraGroups.push({
      id: directoryIds.entraGroup(g),
      displayName: groupName(g),
      members: new Set(),
      ...(missingGroups.has(g) ? { deleted: true } : {}),
    });
  }
  for (let i = 0; i < spec.users; i++) {
    for (const g of groupsOfUser(i, spec.groups, perUser)) {
      oktaGroups[g]?.members.push(i);
      if (!missingUsers.has(i) && !missingMemberships.has(`${i}:${g}`)) entraGroups[g]?.members.add(i);
    }
  }

  const oktaApps: OktaDirectoryApp[] = [];
  const servicePrincipals: EntraServicePrincipal[] = [];
  (spec.apps ?? []).forEach((app, a) => {
    oktaApps.push({
      id: directoryIds.oktaApp(a),
      label: app.name,
      users: app.users ?? [],
      groups: app.groups,
    });
    servicePrincipals.push({
      id: directoryIds.entraServicePrincipal(a),
      appId: directoryIds.entraAppId(a),
      displayName: app.name,
      appRoleAssignmentRequired: !notRequired.has(a),
      accountEnabled: true,
      assignments: [
        ...app.groups
          .filter((g) => !unassigned.has(`${a}:${g}`))
          .map((index) => ({ principalType: "Group" as const, index })),
        ...(app.users ?? []).map((index) => ({ principalType: "User" as const, index })),
      ],
    });
  });

  // The Okta org's built-in group: every user is in it, and Entra has no counterpart.
  oktaGroups.push({
    id: directoryIds.oktaGroup(spec.groups),
    name: "Everyone",
    type: "BUILT_IN",
    members: Array.from({ length: total }, (_, i) => i),
  });

  return {
    okta: { users: oktaUsers, groups: oktaGroups, apps: oktaApps },
    entra: { users: entraUsers, groups: entraGroups, servicePrincipals },
  };
}
