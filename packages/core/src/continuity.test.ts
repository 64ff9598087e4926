import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { type ReadinessResult, readinessAlertDue, readinessGateHolds } from "./continuity.js";
import { initialSiteState } from "./site-state.js";
import { decide } from "./state-machine.js";
import { contextAt, testConfig, testReadinessResult, testSite } from "./testing.js";

const site = (continuity: unknown, providers?: unknown[]) => ({
  regions: ["us-east-1", "us-west-2", "eu-west-1"],
  sites: [
    {
      id: "acme",
      hostname: "login.acme.com",
      hostedZoneId: "Z0123456789ABC",
      providers: providers ?? [
        {
          id: "okta",
          kind: "okta",
          issuer: "https://acme.okta.com/oauth2/default",
          dnsTarget: "acme.okta.com",
        },
        { id: "entra", kind: "entra", tenantId: "tenant-1", dnsTarget: "acme.azurefd.net" },
      ],
      continuity,
    },
  ],
});

const minimal = {
  okta: { auth: { mode: "token", tokenRef: "OKTA_READINESS_TOKEN" } },
  entra: { clientId: "app-1", clientSecretRef: "ENTRA_READINESS_SECRET" },
};

describe("sites[].continuity", () => {
  it("defaults the match keys, the minimum, and the endpoints from the providers and the public cloud", () => {
    // Prepare / Act
    const parsed = parseConfig(site(minimal));

    // Assess
    expect(parsed.ok).toBe(true);
    const continuity = parsed.ok ? parsed.config.sites[0]?.continuity : undefined;
    expect(continuity).toMatchObject({
      primary: "okta",
      secondary: "entra",
      minReadinessPct: 98,
      userMatch: { okta: "login", entra: "userPrincipalName" },
      groups: { match: "name", map: {} },
      apps: [],
      okta: { orgUrl: "https://acme.okta.com" },
      entra: {
        tenantId: "tenant-1",
        graphBaseUrl: "https://graph.microsoft.com",
        authorityHost: "https://login.microsoftonline.com",
      },
    });
  });

  it("takes sovereign-cloud endpoints from the graph-health probe, and the org from the okta-api probe", () => {
    const parsed = parseConfig(
      site(minimal, [
        {
          id: "okta",
          kind: "okta",
          issuer: "https://acme.okta.com/oauth2/default",
          dnsTarget: "acme.okta.com",
          probes: [
            {
              kind: "okta-api",
              orgUrl: "https://acme-admin.okta.com",
              auth: { mode: "token", tokenRef: "T" },
            },
          ],
        },
        {
          id: "entra",
          kind: "entra",
          tenantId: "tenant-1",
          dnsTarget: "acme.azurefd.net",
          probes: [
            {
              kind: "graph-health",
              tenantId: "tenant-1",
              clientId: "probe",
              clientSecretRef: "S",
              loginUrl: "https://login.microsoftonline.us",
              graphUrl: "https://graph.microsoft.us",
            },
          ],
        },
      ]),
    );

    const continuity = parsed.ok ? parsed.config.sites[0]?.continuity : undefined;
    expect(continuity?.okta.orgUrl).toBe("https://acme-admin.okta.com");
    expect(continuity?.entra).toMatchObject({
      graphBaseUrl: "https://graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
    });
  });

  it("refuses a site whose primary is not Okta, with the path and a hint", () => {
    const parsed = parseConfig(
      site(minimal, [
        { id: "entra", kind: "entra", tenantId: "t", dnsTarget: "acme.azurefd.net" },
        { id: "okta", kind: "okta", issuer: "https://acme.okta.com", dnsTarget: "acme.okta.com" },
      ]),
    );

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues).toContainEqual(
      expect.objectContaining({
        path: "sites.0.continuity",
        hint: expect.stringContaining("Okta provider first"),
      }),
    );
  });

  it("refuses a pasted secret where a secret's name belongs", () => {
    const parsed = parseConfig(
      site({ ...minimal, entra: { clientId: "app-1", clientSecretRef: "abc~123.secret-value" } }),
    );

    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toContain(
      "sites.0.continuity.entra.clientSecretRef",
    );
  });

  it("reads the policy's optional gate", () => {
    const parsed = parseConfig({ ...site(minimal), policy: { continuity: { gateBelowPct: 50 } } });

    expect(parsed.ok && parsed.config.policy.continuity).toEqual({ gateBelowPct: 50 });
  });
});

const result = (patch: Partial<ReadinessResult>) => testReadinessResult({ readinessPct: 99, ...patch });

describe("readinessAlertDue", () => {
  it("alerts when readiness drops below the minimum, once", () => {
    const low = result({ readinessPct: 90 });

    expect(readinessAlertDue(low, result({}))).toBe("below-minimum");
    expect(readinessAlertDue(low, undefined)).toBe("below-minimum");
    expect(readinessAlertDue(result({ readinessPct: 85 }), low)).toBeUndefined();
    expect(readinessAlertDue(result({}), low)).toBeUndefined();
  });

  it("alerts once for a partial read, and again for a drop after it", () => {
    const partial = result({ status: "partial", readinessPct: null });

    expect(readinessAlertDue(partial, result({}))).toBe("partial");
    expect(readinessAlertDue(partial, partial)).toBeUndefined();
    expect(readinessAlertDue(result({ readinessPct: 50 }), partial)).toBe("below-minimum");
  });
});

describe("the failover gate (policy.continuity.gateBelowPct)", () => {
  const T0 = Date.parse("2026-03-01T00:00:00Z");
  const readiness = { site: "acme", secondary: "entra", readinessPct: 40, at: "2026-02-28T06:00:00.000Z" };

  it("never holds without a gate, without a measurement, or with a measurement of another provider", () => {
    expect(readinessGateHolds(undefined, readiness, "entra")).toBeUndefined();
    expect(readinessGateHolds(50, undefined, "entra")).toBeUndefined();
    expect(readinessGateHolds(50, readiness, "oidc1")).toBeUndefined();
    expect(readinessGateHolds(30, readiness, "entra")).toBeUndefined();
    expect(readinessGateHolds(50, readiness, "entra")).toContain("40.0% ready");
  });

  it("holds an automatic failover onto a secondary below the gate, and alerts once", () => {
    // Prepare
    const config = testConfig({ policy: { continuity: { gateBelowPct: 50 } } });
    let state = initialSiteState(testSite(config), T0);
    const ctx = (now: number) => ({ ...contextAt(config, now, { okta: "down", entra: "up" }), readiness });

    // Act
    const first = decide(state, { kind: "tick" }, ctx(T0 + 10_000));
    if (first.kind === "apply") state = first.next;
    const second = decide(state, { kind: "tick" }, ctx(T0 + 20_000));

    // Assess
    expect(first.kind === "apply" && first.transition).toBeFalsy();
    expect(first.kind === "apply" && first.effects.notifications.map((n) => n.kind)).toContain(
      "failover-held",
    );
    expect(state.state).toBe("primary-active");
    expect(second.kind === "apply" ? second.effects.notifications.map((n) => n.kind) : []).not.toContain(
      "failover-held",
    );
  });

  it("fails over as usual without the gate, and says how ready the secondary was", () => {
    const config = testConfig();
    const state = initialSiteState(testSite(config), T0);

    const decision = decide(
      state,
      { kind: "tick" },
      {
        ...contextAt(config, T0 + 10_000, { okta: "down", entra: "up" }),
        readiness,
      },
    );

    expect(decision.kind === "apply" && decision.transition?.to).toBe("failing-over");
    const intent =
      decision.kind === "apply"
        ? decision.effects.notifications.find((n) => n.kind === "failing-over")
        : undefined;
    expect(intent).toMatchObject({ readiness: { pct: 40, at: readiness.at } });
    expect(decision.kind === "apply" && decision.next.incident).toMatchObject({
      secondaryReadinessPct: 40,
      secondaryReadinessAt: readiness.at,
    });
  });
});
