import {
  type Clock,
  type GroupDrift,
  type PartialReason,
  type ReadinessApp,
  type ReadinessResult,
  readinessListLimit,
  type SiteContinuity,
} from "@idp-failover/core";
import type {
  PrimaryGroup,
  PrimaryUser,
  SecondaryAssignment,
  SecondaryServicePrincipal,
} from "./directory.js";
import type { SecondaryState } from "./secondary-state.js";

/*
 * The comparison, pure and streaming: the run feeds it the secondary's state first, then the
 * primary's users, groups and app assignments one at a time, as the readers stream them; it keeps
 * per primary user a number, its match and whether anything keeps them out, and per app and group a
 * few counters. Nothing here reads the network or the clock but the one it is given.
 *
 * A primary user counts when Okta says they can sign in (ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT,
 * RECOVERY: the last three are people with a working account who are briefly blocked). They are
 * ready when an Entra user with the same match key exists and is enabled, and every mapped app they
 * are assigned in Okta lets them in through its service principal (assigned directly or through a
 * direct member group, or the service principal requires no assignment).
 */

const activeStatuses = new Set(["ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"]);
/** Groups the comparison reports with the most drift. */
const worstGroups = 20;
/** Not-covered users listed per app. */
const perAppList = 20;

export class ReadinessComparison {
  private readonly startedAt: string;
  private readonly partial: PartialReason[] = [];
  // Primary users, by number.
  private readonly primaryIndex = new Map<string, number>();
  private readonly logins: string[] = [];
  /** The matched secondary user's number, or -1. */
  private match = new Int32Array(1024);
  /** 1 when something keeps the user out of the secondary. */
  private blocked = new Uint8Array(1024);
  private readonly users = {
    primaryActive: 0,
    matched: 0,
    missingCount: 0,
    missing: [] as string[],
    disabledInSecondaryCount: 0,
    disabledInSecondary: [] as string[],
  };
  // Groups.
  private readonly groupMapping = new Map<string, string>();
  private readonly groupNames = new Map<string, string>();
  private readonly groups = {
    primary: 0,
    mapped: 0,
    unmappedCount: 0,
    unmapped: [] as string[],
    membershipDrift: 0,
    withDrift: 0,
    worst: [] as GroupDrift[],
  };
  // Apps, in the order of continuity.apps.
  private readonly apps: Array<{ report: ReadinessApp; covered?: Uint8Array; assignedGroups: Set<string> }>;

  constructor(
    private readonly site: string,
    private readonly settings: SiteContinuity,
    private readonly secondary: SecondaryState,
    private readonly clock: Clock,
    private readonly mode: ReadinessResult["mode"],
  ) {
    this.startedAt = new Date(clock.now()).toISOString();
    this.apps = settings.apps.map((app) => ({
      report: {
        name: app.name ?? app.okta,
        okta: app.okta,
        entra: app.entra,
        assignedInPrimary: 0,
        coveredInSecondary: 0,
        notCoveredCount: 0,
        notCovered: [],
        assignmentRequired: true,
        groupsNotAssigned: [],
      },
      assignedGroups: new Set(),
    }));
  }

  /** Something could not be read: the result is partial and gives no score. */
  fail(reason: PartialReason): void {
    this.partial.push(reason);
  }

  // ---- the secondary's apps ---------------------------------------------------------------

  /** A mapped app's service principal and its assignments: who Entra lets sign in to it. */
  secondaryApp(
    app: number,
    sp: SecondaryServicePrincipal,
    assignments: readonly SecondaryAssignment[],
  ): void {
    const entry = this.apps[app];
    if (!entry) return;
    const state = this.secondary;
    const covered = new Uint8Array(state.userCount);
    entry.report.assignmentRequired = sp.appRoleAssignmentRequired;
    if (entry.report.name === entry.report.okta && sp.displayName) entry.report.name = sp.displayName;
    if (sp.accountEnabled) {
      if (!sp.appRoleAssignmentRequired) covered.fill(1);
      for (const a of assignments) {
        if (a.principalType === "User") {
          const index = state.indexOf(a.principalId);
          if (index < covered.length) covered[index] = 1;
        } else if (a.principalType === "Group") {
          entry.assignedGroups.add(a.principalId);
          for (const member of state.groups.get(a.principalId)?.members ?? []) {
            if (member < covered.length) covered[member] = 1;
          }
        }
      }
      for (let i = 0; i < covered.length; i++) if (covered[i] && !state.canSignIn(i)) covered[i] = 0;
    }
    entry.covered = covered;
  }

  // ---- the primary's users ----------------------------------------------------------------

  addPrimaryUser(user: PrimaryUser): void {
    if (!activeStatuses.has(user.status)) return;
    const n = this.users.primaryActive++;
    this.grow(n);
    this.primaryIndex.set(user.id, n);
    this.logins.push(user.login);
    const key = (this.settings.userMatch.okta === "email" ? user.email : user.login)?.toLowerCase();
    const match = key ? this.secondary.keyIndex().get(key) : undefined;
    this.match[n] = match ?? -1;
    if (match === undefined) {
      this.blocked[n] = 1;
      this.users.missingCount++;
      if (this.users.missing.length < readinessListLimit) this.users.missing.push(user.login);
      return;
    }
    this.users.matched++;
    if (!this.secondary.enabled[match]) {
      this.blocked[n] = 1;
      this.users.disabledInSecondaryCount++;
      if (this.users.disabledInSecondary.length < readinessListLimit)
        this.users.disabledInSecondary.push(user.login);
    }
  }

  // ---- groups -----------------------------------------------------------------------------

  /**
   * A primary group; returns the Entra group it maps to (its members are then worth reading), or
   * undefined. Okta's built-in Everyone group has no counterpart and is left out.
   */
  addPrimaryGroup(group: PrimaryGroup, entraByName: ReadonlyMap<string, string | null>): string | undefined {
    if (group.type === "BUILT_IN") return undefined;
    this.groups.primary++;
    this.groupNames.set(group.id, group.name);
    const { match, map } = this.settings.groups;
    const mapped =
      map[group.id] ?? (match === "name" ? entraByName.get(group.name.toLowerCase()) : undefined);
    if (!mapped || !this.secondary.groups.has(mapped)) {
      this.groups.unmappedCount++;
      if (this.groups.unmapped.length < readinessListLimit) {
        this.groups.unmapped.push(
          mapped === null ? `${group.name} (several Entra groups have this name)` : group.name,
        );
      }
      return undefined;
    }
    this.groups.mapped++;
    this.groupMapping.set(group.id, mapped);
    return mapped;
  }

  /** Counts one mapped group's membership drift from its Okta members, streamed. */
  groupMembers(oktaGroupId: string): { add(userId: string): void; end(): void } {
    const entraId = this.groupMapping.get(oktaGroupId) ?? "";
    const secondaryMembers = this.secondary.groups.get(entraId)?.members ?? new Set<number>();
    let primaryMembers = 0;
    let missing = 0;
    const both = new Set<number>();
    return {
      add: (userId) => {
        const n = this.primaryIndex.get(userId);
        if (n === undefined) return; // not an active user
        primaryMembers++;
        const s = this.match[n] ?? -1;
        if (s >= 0 && secondaryMembers.has(s)) both.add(s);
        else missing++;
      },
      end: () => {
        let extra = 0;
        for (const m of secondaryMembers) if (this.secondary.alive[m] && !both.has(m)) extra++;
        if (missing === 0 && extra === 0) return;
        this.groups.withDrift++;
        this.groups.membershipDrift += missing;
        const drift: GroupDrift = {
          name: this.groupNames.get(oktaGroupId) ?? oktaGroupId,
          okta: oktaGroupId,
          entra: entraId,
          primaryMembers,
          missingInSecondary: missing,
          extraInSecondary: extra,
        };
        const worst = this.groups.worst;
        const at = worst.findIndex((w) => rankOf(w) < rankOf(drift));
        worst.splice(at === -1 ? worst.length : at, 0, drift);
        if (worst.length > worstGroups) worst.pop();
      },
    };
  }

  // ---- the primary's app assignments ------------------------------------------------------

  /** One mapped app's Okta assignments, streamed: users (direct or through groups) and groups. */
  primaryApp(app: number): { addUser(userId: string): void; addGroup(oktaGroupId: string): void } {
    const entry = this.apps[app];
    return {
      addUser: (userId) => {
        const n = this.primaryIndex.get(userId);
        if (!entry || n === undefined) return;
        entry.report.assignedInPrimary++;
        const s = this.match[n] ?? -1;
        if (s >= 0 && entry.covered?.[s] === 1) {
          entry.report.coveredInSecondary++;
          return;
        }
        this.blocked[n] = 1;
        entry.report.notCoveredCount++;
        if (entry.report.notCovered.length < perAppList)
          entry.report.notCovered.push(this.logins[n] ?? userId);
      },
      addGroup: (oktaGroupId) => {
        if (!entry?.report.assignmentRequired) return;
        const entraId = this.groupMapping.get(oktaGroupId);
        if (entraId && entry.assignedGroups.has(entraId)) return;
        if (entry.report.groupsNotAssigned.length < readinessListLimit) {
          const name = this.groupNames.get(oktaGroupId) ?? oktaGroupId;
          entry.report.groupsNotAssigned.push(entraId ? name : `${name} (no Entra counterpart)`);
        }
      },
    };
  }

  // ---- the result ---------------------------------------------------------------------------

  result(requests: ReadinessResult["requests"]): ReadinessResult {
    const active = this.users.primaryActive;
    let blocked = 0;
    for (let n = 0; n < active; n++) blocked += this.blocked[n] ?? 0;
    const ready = active - blocked;
    const complete = this.partial.length === 0;
    const items = this.apps.map((a) => a.report);
    return {
      schemaVersion: 1,
      site: this.site,
      primary: this.settings.primary,
      secondary: this.settings.secondary,
      startedAt: this.startedAt,
      at: new Date(this.clock.now()).toISOString(),
      mode: this.mode,
      status: complete ? "complete" : "partial",
      readinessPct: complete ? (active === 0 ? 100 : (ready / active) * 100) : null,
      minReadinessPct: this.settings.minReadinessPct,
      partial: this.partial,
      users: { ...this.users, ready },
      groups: { match: this.settings.groups.match, ...this.groups },
      apps: {
        mapped: items.length,
        assignedInPrimary: items.reduce((sum, a) => sum + a.assignedInPrimary, 0),
        coveredInSecondary: items.reduce((sum, a) => sum + a.coveredInSecondary, 0),
        items,
      },
      requests,
    };
  }

  private grow(n: number): void {
    if (n < this.match.length) return;
    const match = new Int32Array(this.match.length * 2);
    match.set(this.match);
    this.match = match;
    const blocked = new Uint8Array(this.blocked.length * 2);
    blocked.set(this.blocked);
    this.blocked = blocked;
  }
}

function rankOf(drift: GroupDrift): number {
  return drift.missingInSecondary * 2 + drift.extraInSecondary;
}

/** Entra group names (lower-cased) -> id; `null` for a name several groups share (ambiguous). */
export function entraGroupsByName(state: SecondaryState): Map<string, string | null> {
  const byName = new Map<string, string | null>();
  for (const [id, group] of state.groups) {
    const name = group.name.toLowerCase();
    byName.set(name, byName.has(name) ? null : id);
  }
  return byName;
}
