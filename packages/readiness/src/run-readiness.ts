import {
  type Clock,
  mapConcurrent,
  type ReadinessResult,
  type Site,
  type SiteContinuity,
} from "@idp-failover/core";
import { entraGroupsByName, ReadinessComparison } from "./compare.js";
import {
  DeltaExpiredError,
  DirectoryReadError,
  type PrimaryDirectory,
  type SecondaryAssignment,
  type SecondaryDirectory,
} from "./directory.js";
import { type MatchAttribute, SecondaryState } from "./secondary-state.js";

/*
 * One readiness run for one site: read the Entra secondary (incrementally from a stored state when
 * one is fresh enough, else in full), then stream the Okta primary through the comparison. Every
 * read that fails is recorded (what, why, how to fix) and the run goes on with the others, so one run
 * names every missing scope and permission at once; a run with any failure is partial and gives no
 * score.
 *
 * Incremental means the Entra side: Graph's delta links continue from yesterday's state. The Okta
 * side is read in full every time: Okta has no change feed for group memberships and app assignments
 * short of the System Log, and `lastUpdated` filters miss deleted users and groups (they are simply
 * gone), while the primary is the reference every score is a share of. See docs/readiness.md.
 */

export interface ReadinessRunDeps {
  primary: PrimaryDirectory;
  secondary: SecondaryDirectory;
  clock: Clock;
  /** The Entra state the last run stored; without one (or too old) the Entra side is read in full. */
  stored?: SecondaryState;
  /** Read the Entra side in full even with a stored state. */
  full?: boolean;
  /** Okta group member lists read at once. Default 4. */
  concurrency?: number;
}

export interface ReadinessRunOutcome {
  result: ReadinessResult;
  /** The Entra state to store for the next incremental run (undefined when the Entra read failed). */
  secondaryState?: SecondaryState;
}

/** Delta links of directory objects expire after seven days; resync a day before. */
export const fullReadEveryMs = 6 * 86_400_000;

export class NoContinuityError extends Error {
  override name = "NoContinuityError";
}

export async function runReadiness(site: Site, deps: ReadinessRunDeps): Promise<ReadinessRunOutcome> {
  const settings = site.continuity;
  if (!settings) throw new NoContinuityError(`site ${site.id} has no continuity settings`);
  const failures: Array<{ what: string; message: string; hint?: string }> = [];
  const attempt = async (what: string, read: () => Promise<void>): Promise<boolean> => {
    try {
      await read();
      return true;
    } catch (error) {
      failures.push(describe(what, error));
      return false;
    }
  };

  const { state, mode, ok: secondaryOk } = await readSecondary(settings, deps, failures);
  const comparison = new ReadinessComparison(site.id, settings, state, deps.clock, mode);

  // The secondary's apps: who each service principal lets in.
  for (const [i, app] of settings.apps.entries()) {
    await attempt(`graph servicePrincipals/${app.entra}`, async () => {
      const sp = await deps.secondary.readServicePrincipal(app.entra);
      const assignments: SecondaryAssignment[] = [];
      await deps.secondary.readAssignments(app.entra, (a) => assignments.push(a));
      comparison.secondaryApp(i, sp, assignments);
    });
  }

  // The primary: users, then groups and their members, then app assignments.
  const usersOk = await attempt("okta users", () =>
    deps.primary.readUsers((u) => comparison.addPrimaryUser(u)),
  );
  const mapped: string[] = [];
  const groupsOk = await attempt("okta groups", () => {
    const byName = entraGroupsByName(state);
    return deps.primary.readGroups((g) => {
      if (comparison.addPrimaryGroup(g, byName)) mapped.push(g.id);
    });
  });
  if (usersOk && groupsOk) {
    await mapConcurrent(mapped, deps.concurrency ?? 4, (groupId) =>
      attempt(`okta group ${groupId} members`, async () => {
        const members = comparison.groupMembers(groupId);
        await deps.primary.readGroupMembers(groupId, members.add);
        members.end();
      }),
    );
  }
  for (const [i, app] of settings.apps.entries()) {
    const assignments = comparison.primaryApp(i);
    if (groupsOk)
      await attempt(`okta app ${app.okta} groups`, () =>
        deps.primary.readAppGroups(app.okta, assignments.addGroup),
      );
    if (usersOk) {
      await attempt(`okta app ${app.okta} users`, () =>
        deps.primary.readAppUsers(app.okta, (user) => assignments.addUser(user.userId)),
      );
    }
  }

  for (const failure of failures) comparison.fail(failure);
  const result = comparison.result({
    okta: deps.primary.stats.requests,
    graph: deps.secondary.stats.requests,
    throttled: deps.primary.stats.throttled + deps.secondary.stats.throttled,
  });
  return secondaryOk ? { result, secondaryState: state } : { result };
}

/** The partial result of a run that could not read at all (no credentials): nothing read, every reason. */
export function unreadResult(
  site: Site,
  reasons: Array<{ what: string; message: string; hint?: string }>,
  clock: Clock,
): ReadinessResult {
  const settings = site.continuity;
  if (!settings) throw new NoContinuityError(`site ${site.id} has no continuity settings`);
  const comparison = new ReadinessComparison(
    site.id,
    settings,
    new SecondaryState(settings.userMatch.entra, ""),
    clock,
    "full",
  );
  for (const reason of reasons) comparison.fail(reason);
  return comparison.result({ okta: 0, graph: 0, throttled: 0 });
}

/** The Entra side: continue from the stored state by delta, or read it whole. */
async function readSecondary(
  settings: SiteContinuity,
  deps: ReadinessRunDeps,
  failures: Array<{ what: string; message: string; hint?: string }>,
): Promise<{ state: SecondaryState; mode: ReadinessResult["mode"]; ok: boolean }> {
  const match: MatchAttribute = settings.userMatch.entra;
  const now = deps.clock.now();
  const stored = deps.stored;
  const usable =
    stored &&
    !deps.full &&
    stored.matchAttribute === match &&
    stored.usersDeltaLink !== "" &&
    stored.groupsDeltaLink !== "" &&
    now - Date.parse(stored.fullReadAt) < fullReadEveryMs;
  if (usable) {
    try {
      stored.usersDeltaLink = await deps.secondary.readUserChanges(stored.usersDeltaLink, (c) =>
        stored.applyUser(c),
      );
      stored.groupsDeltaLink = await deps.secondary.readGroupChanges(stored.groupsDeltaLink, (c) =>
        stored.applyGroup(c),
      );
      return { state: stored, mode: "incremental", ok: true };
    } catch (error) {
      // An expired link: Graph wants a full read. Anything else is a failure of this run.
      if (!(error instanceof DeltaExpiredError)) {
        failures.push(describe("graph delta", error));
        return { state: stored, mode: "incremental", ok: false };
      }
    }
  }
  const state = new SecondaryState(match, new Date(now).toISOString());
  let ok = true;
  try {
    state.usersDeltaLink = await deps.secondary.readUserChanges(undefined, (c) => state.applyUser(c));
  } catch (error) {
    failures.push(describe("graph users", error));
    ok = false;
  }
  try {
    state.groupsDeltaLink = await deps.secondary.readGroupChanges(undefined, (c) => state.applyGroup(c));
  } catch (error) {
    failures.push(describe("graph groups", error));
    ok = false;
  }
  return { state, mode: "full", ok };
}

function describe(what: string, error: unknown): { what: string; message: string; hint?: string } {
  if (error instanceof DirectoryReadError) {
    return { what: error.what || what, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { what, message: message.split("\n")[0] ?? message };
}
