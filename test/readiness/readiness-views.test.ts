import { InMemoryMessageRefs, InMemoryStore } from "@idp-failover/core";
import { testReadinessResult } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { formatStatus, type SiteStatus } from "../../packages/cli/src/commands/status.js";
import { buildSnapshot } from "../../packages/runtime/src/dashboard/dashboard-snapshot.js";
import { drillConfig } from "../../packages/runtime/src/drill/drill-config.js";
import { idleDrillIdps } from "../support/drill-idps.js";

/* Where operators see readiness besides `idpctl readiness`: `idpctl status` and the dashboard. */

const defaults = testReadinessResult();
const result = testReadinessResult({
  site: "example",
  mode: "incremental",
  readinessPct: 96.25,
  users: { ...defaults.users, primaryActive: 240, matched: 238, ready: 231 },
  groups: { ...defaults.groups, membershipDrift: 4, withDrift: 3 },
  apps: {
    mapped: 1,
    assignedInPrimary: 80,
    coveredInSecondary: 74,
    items: [
      {
        name: "Workday",
        okta: "0oa1",
        entra: "sp-1",
        assignedInPrimary: 80,
        coveredInSecondary: 74,
        notCoveredCount: 6,
        notCovered: [],
        assignmentRequired: true,
        groupsNotAssigned: ["Team 00004"],
      },
    ],
  },
});

describe("readiness in idpctl status", () => {
  const base: SiteStatus = {
    site: "example",
    hostname: "login.example.com",
    dns: { error: "not asked" },
    verdicts: {},
    transitions: [],
    outboxWaiting: 0,
  };

  it("shows the last run's headline, below the minimum said plainly", () => {
    expect(formatStatus({ ...base, readiness: result })).toContain(
      "  readiness  96.2% ready: entra for okta's 240 active user(s) (minimum 98%, BELOW the minimum), incremental read 2026-03-02T05:22:10.000Z",
    );
  });

  it("says when nothing was measured yet, or why it could not be read", () => {
    expect(formatStatus({ ...base, readiness: null })).toContain("readiness  not measured yet");
    expect(formatStatus({ ...base, readiness: { error: "AccessDeniedException" } })).toContain(
      "readiness  unavailable (AccessDeniedException)",
    );
    expect(formatStatus(base)).not.toContain("readiness");
  });
});

describe("readiness on the dashboard", () => {
  it("shows the headline and the worst drift first for a site with continuity", async () => {
    const config = drillConfig({
      ...idleDrillIdps,
      continuity: {
        apps: [{ name: "Workday", okta: "0oa1", entra: "sp-1" }],
        entraClientId: "readiness-app",
      },
    });

    const snapshot = await buildSnapshot({
      kind: "drill",
      title: "drill",
      config,
      store: new InMemoryStore(),
      refs: new InMemoryMessageRefs(),
      clock: { now: () => Date.parse("2026-03-02T09:00:00Z") },
      recent: () => [],
      lastRound: () => undefined,
      approval: { as: "U0DRILLOPS" },
      readiness: async () => result,
    });

    expect(snapshot.sites[0]?.readiness).toMatchObject({
      status: "complete",
      readinessPct: 96.25,
      drift: [
        "Workday: 6 of 80 cannot sign in",
        "4 group membership(s) missing",
        "2 without an account in entra",
        "1 disabled in entra",
      ],
    });
  });
});
