import { SecondaryState } from "@idp-failover/readiness";
import { directoryIds } from "@idp-failover/stand-ins";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type ReadinessWorld, startReadinessWorld } from "./world.js";

/*
 * A readiness run with the real SDK clients (@okta/okta-sdk-nodejs, @microsoft/microsoft-graph-client)
 * against the Okta and Entra stand-ins over HTTPS: scores, pagination, rate limits and throttling,
 * missing scopes and permissions, and the incremental run through Graph delta links.
 */

let world: ReadinessWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const apps = [
  { name: "Salesforce", groups: [0, 1, 2] },
  { name: "Workday", groups: [3, 4] },
];

describe("the score", () => {
  it("counts users missing or disabled in Entra, and users an app's service principal leaves out", async () => {
    // Prepare: 1,000 users; Entra lacks user 10 and has user 11 disabled; Workday's service principal
    // lacks the assignment of group 4.
    world = await startReadinessWorld({
      users: 1000,
      groups: 40,
      apps,
      drift: { missingUsers: [10], disabledUsers: [11], unassignedGroups: [[1, 4]] },
    });

    // Act
    const { result } = await world.run();

    // Assess: group 4 has 50 members; users 10 and 11 are in no app group of theirs (groups 10, 31 and 11, 32).
    expect(result).toMatchObject({
      status: "complete",
      mode: "full",
      users: {
        primaryActive: 1000,
        matched: 999,
        missingCount: 1,
        missing: ["user10@example.com"],
        disabledInSecondaryCount: 1,
        disabledInSecondary: ["user11@example.com"],
      },
    });
    const workday = result.apps.items[1];
    expect(workday).toMatchObject({ assignedInPrimary: 100, coveredInSecondary: 50, notCoveredCount: 50 });
    expect(workday?.groupsNotAssigned).toEqual(["Team 00004"]);
    expect(result.users.ready).toBe(1000 - 2 - 50);
    expect(result.readinessPct).toBeCloseTo(94.8, 6);
  });

  it("lets every enabled user in to a service principal that does not require assignment", async () => {
    world = await startReadinessWorld({
      users: 300,
      groups: 10,
      apps: [{ name: "Intranet", groups: [0] }],
      drift: { unassignedGroups: [[0, 0]], assignmentNotRequired: [0], disabledUsers: [0] },
    });

    const { result } = await world.run();

    // User 0 is disabled (not ready); everyone else in group 0 gets in without an assignment.
    expect(result.apps.items[0]).toMatchObject({
      assignmentRequired: false,
      notCoveredCount: 1,
      groupsNotAssigned: [],
    });
    expect(result.users.ready).toBe(299);
  });

  it("leaves out Okta users who cannot sign in, and the built-in Everyone group", async () => {
    world = await startReadinessWorld({ users: 200, inactiveUsers: 30, groups: 5 });

    const { result } = await world.run();

    expect(result.users.primaryActive).toBe(200);
    expect(result.readinessPct).toBe(100);
    expect(result.groups).toMatchObject({ primary: 5, mapped: 5, unmappedCount: 0, membershipDrift: 0 });
  });

  it("reports membership drift both ways, worst first, and groups Entra lacks", async () => {
    world = await startReadinessWorld({
      users: 400,
      groups: 8,
      drift: {
        missingGroups: [7],
        missingMemberships: [
          [0, 0],
          [8, 0],
          [1, 1],
        ],
      },
    });
    world.entra.directory.change.addMember(2, 0);

    const { result } = await world.run();

    expect(result.groups).toMatchObject({
      mapped: 7,
      unmappedCount: 1,
      unmapped: ["Team 00007"],
      membershipDrift: 3,
    });
    expect(result.groups.worst.map((g) => [g.name, g.missingInSecondary, g.extraInSecondary])).toEqual([
      ["Team 00000", 2, 0],
      ["Team 00001", 1, 0],
      ["Team 00002", 0, 1],
    ]);
  });

  it("matches on email and mail when told to, and maps groups by an explicit map", async () => {
    world = await startReadinessWorld(
      { users: 50, groups: 3 },
      {
        continuity: {
          userMatch: { okta: "email", entra: "mail" },
          groups: { match: "map", map: { [directoryIds.oktaGroup(1)]: directoryIds.entraGroup(1) } },
        },
      },
    );
    const first = world.entra.directory.directory.users[0];
    if (first) first.mail = null;

    const { result } = await world.run();

    expect(result.users).toMatchObject({ missingCount: 1, missing: ["user0@example.com"] });
    expect(result.groups).toMatchObject({ match: "map", mapped: 1, unmappedCount: 2 });
  });
});

describe("paging and rate limits", () => {
  it("follows Okta's Link headers and Graph's nextLink through every page", async () => {
    world = await startReadinessWorld({ users: 450, groups: 3, groupsPerUser: 1 });

    const { result } = await world.run();

    // Okta: 3 pages of users (200), 1 of groups, 1 per group's members. Graph: 3 of users (200 per
    // delta page), 1 of groups, and the token.
    expect(result.requests.okta).toBe(3 + 1 + 3);
    expect(world.okta.requests.filter((r) => r.path === "/api/v1/users")).toHaveLength(3);
    expect(world.entra.requests.filter((r) => r.path === "/v1.0/users/delta")).toHaveLength(3);
    expect(result.users.matched).toBe(450);
  });

  it("reads a group whose members Graph spreads over several delta pages", async () => {
    world = await startReadinessWorld({ users: 5000, groups: 2, groupsPerUser: 1 });

    const { result, secondaryState } = await world.run();

    expect(secondaryState?.groups.get(directoryIds.entraGroup(0))?.members.size).toBe(2500);
    expect(result.groups.membershipDrift).toBe(0);
  });

  it("waits for Okta's rate-limit reset before a bucket runs out, then carries on", async () => {
    // Prepare: 4 requests a minute per bucket; reading users takes 5 pages.
    world = await startReadinessWorld({ users: 900, groups: 2 }, { okta: { directoryRateLimit: 4 } });

    // Act
    const { result } = await world.run();

    // Assess: the run paused (on the moved clock) before running out, so Okta never said 429.
    expect(result.status).toBe("complete");
    expect(result.requests.throttled).toBe(0);
    expect(world.waits.length).toBeGreaterThan(0);
    expect(world.waits.every((ms) => ms > 0 && ms <= 61_000)).toBe(true);
    expect(result.users.primaryActive).toBe(900);
  });

  it("retries Okta's 429 after X-Rate-Limit-Reset when concurrent reads overrun the bucket", async () => {
    world = await startReadinessWorld(
      { users: 100, groups: 12, groupsPerUser: 1 },
      { okta: { directoryRateLimit: 3 } },
    );

    const { result } = await world.run();

    expect(result.status).toBe("complete");
    expect(result.requests.throttled).toBeGreaterThan(0);
    expect(world.okta.requests.some((r) => r.path.startsWith("/api/v1/groups/"))).toBe(true);
  });

  it("honours Graph's 429 Retry-After through the SDK's RetryHandler", async () => {
    world = await startReadinessWorld(
      { users: 700, groups: 2 },
      { entra: { graphRateLimit: { requests: 3, windowMs: 10_000 } } },
    );

    const { result } = await world.run();

    expect(result.status).toBe("complete");
    expect(result.requests.throttled).toBeGreaterThan(0);
    expect(world.waits).toContain(10_000);
  });
});

describe("what cannot be read", () => {
  it("names every missing Okta scope with its fix, and gives no score", async () => {
    // Prepare: a service app whose token carries okta.users.read only.
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    world = await startReadinessWorld(
      { users: 20, groups: 2, apps: [{ name: "Salesforce", groups: [0] }] },
      {
        okta: { serviceApps: [{ clientId: "0oaReadinessApp", publicJwk: await exportJWK(publicKey) }] },
        oktaAuth: {
          mode: "private-key",
          clientId: "0oaReadinessApp",
          privateKeyRef: "OKTA_READINESS_KEY",
          scopes: ["okta.users.read"],
        },
        secrets: { OKTA_READINESS_KEY: await exportPKCS8(privateKey) },
      },
    );

    // Act
    const { result } = await world.run();

    // Assess
    expect(result).toMatchObject({ status: "partial", readinessPct: null });
    const messages = result.partial.map((p) => `${p.what}: ${p.message} / ${p.hint ?? ""}`);
    expect(
      messages.some(
        (m) =>
          m.includes("okta groups") &&
          m.includes("missing scope okta.groups.read") &&
          m.includes("Okta API Scopes"),
      ),
    ).toBe(true);
    expect(messages.some((m) => m.includes("missing scope okta.apps.read"))).toBe(true);
    expect(result.users.primaryActive).toBe(20);
  });

  it("names a missing Graph permission with how to grant it", async () => {
    world = await startReadinessWorld(
      { users: 20, groups: 2 },
      {
        entra: {
          clients: [
            {
              clientId: "33333333-0000-4000-8000-000000000001",
              clientSecret: "s3cret-value-xyz",
              roles: ["User.Read.All"],
            },
          ],
        },
        continuity: {
          entra: {
            clientId: "33333333-0000-4000-8000-000000000001",
            clientSecretRef: "ENTRA_READINESS_SECRET",
          },
        },
        secrets: { ENTRA_READINESS_SECRET: "s3cret-value-xyz" },
      },
    );
    // The continuity above replaced the endpoints; point them back at the stand-in.
    const continuity = world.site.continuity;
    if (continuity)
      continuity.entra = {
        ...continuity.entra,
        graphBaseUrl: world.entra.graphUrl,
        authorityHost: world.entra.url,
      };

    const { result } = await world.run();

    expect(result.status).toBe("partial");
    const groups = result.partial.find((p) => p.what === "graph groups");
    expect(groups?.message).toContain("Authorization_RequestDenied");
    expect(groups?.message).toContain("GroupMember.Read.All");
    expect(groups?.hint).toContain("Grant admin consent");
    expect(JSON.stringify(result)).not.toContain("s3cret-value-xyz");
  });

  it("says which app id Okta or Entra does not know", async () => {
    world = await startReadinessWorld(
      { users: 10, groups: 1 },
      { continuity: { apps: [{ okta: "0oaNoSuchApp", entra: "30000000-0000-4000-8000-0000000000ff" }] } },
    );
    const continuity = world.site.continuity;
    if (continuity) continuity.okta = { ...continuity.okta, orgUrl: world.okta.url };

    const { result } = await world.run();

    expect(result.partial.map((p) => p.what)).toEqual(
      expect.arrayContaining([
        "graph servicePrincipals/30000000-0000-4000-8000-0000000000ff",
        "okta app 0oaNoSuchApp users",
      ]),
    );
    expect(result.partial.find((p) => p.what.startsWith("graph"))?.hint).toContain("object id");
  });
});

describe("the incremental run", () => {
  it("continues from the stored Entra state with delta links, and sees what changed", async () => {
    // Prepare: a full run, its state stored and read back.
    world = await startReadinessWorld({ users: 600, groups: 6, apps: [{ name: "Salesforce", groups: [0] }] });
    const first = await world.run();
    const stored = SecondaryState.fromBytes(first.secondaryState?.toBytes() ?? Buffer.alloc(0));
    expect(stored).toBeDefined();
    world.entra.directory.change.setUserEnabled(1, false);
    world.entra.directory.change.deleteUser(2);
    world.entra.directory.change.removeMember(0, 0);
    const graphRequestsBefore = world.entra.requests.length;

    // Act
    world.clock.t += 86_400_000;
    const second = await world.run(stored ? { stored } : {});

    // Assess: one delta request each for users and groups instead of a full read, plus the token and
    // the app's service principal and assignments (read whole every run).
    expect(second.result.mode).toBe("incremental");
    expect(world.entra.requests.length - graphRequestsBefore).toBe(2 + 1 + 2);
    expect(second.result.users).toMatchObject({
      missing: ["user2@example.com"],
      disabledInSecondary: ["user1@example.com"],
    });
    // Salesforce is assigned to group 0: user 0 left it, user 2 (a member) is gone; user 1 is not in it.
    expect(second.result.apps.items[0]?.notCovered).toEqual(["user0@example.com", "user2@example.com"]);
  });

  it("reads Entra in full again when Graph no longer knows the delta link", async () => {
    world = await startReadinessWorld({ users: 100, groups: 2 });
    const first = await world.run();
    world.entra.directory.resetDeltaTokens();
    world.entra.directory.change.setUserEnabled(3, false);

    const second = await world.run(first.secondaryState ? { stored: first.secondaryState } : {});

    expect(second.result).toMatchObject({ mode: "full", status: "complete" });
    expect(second.result.users.disabledInSecondary).toEqual(["user3@example.com"]);
  });

  it("reads Entra in full when the stored state is six days old", async () => {
    world = await startReadinessWorld({ users: 50, groups: 1 });
    const first = await world.run();

    world.clock.t += 6 * 86_400_000;
    const second = await world.run(first.secondaryState ? { stored: first.secondaryState } : {});

    expect(second.result.mode).toBe("full");
  });
});
