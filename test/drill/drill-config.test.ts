import { parseConfig } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import {
  DrillConfigError,
  drillConfig,
  drillConfigInput,
  rerouteProbes,
} from "../../packages/runtime/src/drill/drill-config.js";

const okta = "https://127.0.0.1:4001";
const entra = "https://127.0.0.1:4002";
const idps = {
  okta: {
    issuer: `${okta}/oauth2/default`,
    samlMetadataUrl: `${okta}/app/exk1/sso/saml/metadata`,
    clientId: "0oa1",
  },
  entra: { url: entra, tenantId: "00000000-0000-4000-8000-000000000001", clientId: "1111" },
};

describe("the drill's config", () => {
  it("is a valid config with every probe URL explicit and the approver named", () => {
    // Act
    const parsed = parseConfig(drillConfigInput(idps));

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [primary, secondary] = parsed.config.sites[0]?.providers ?? [];
    expect(primary?.probes.map((p) => p.kind)).toEqual(["oidc-discovery", "jwks", "token", "saml-metadata"]);
    expect(secondary?.probes.map((p) => p.kind)).toEqual(["oidc-discovery", "jwks", "token", "graph-health"]);
    expect(parsed.config.alerting.slack?.approvers.users).toEqual(["U0DRILLOPS"]);
  });

  it("takes policy overrides deeply, keeping the drill's other settings", () => {
    // Act
    const config = drillConfig(idps, { failback: { holdSeconds: 30 } });

    // Assess
    expect(config.policy.failback.holdSeconds).toBe(30);
    expect(config.policy.failback.steps).toEqual([10, 50, 100]);
    expect(config.policy.recovery.sustainSeconds).toBe(120);
  });

  it("refuses a policy the config schema refuses, naming the setting", () => {
    // Act and assess
    expect(() => drillConfig(idps, { cadenceSeconds: 1 })).toThrow(DrillConfigError);
    expect(() => drillConfig(idps, { cadenceSeconds: 1 })).toThrow(/cadenceSeconds/);
  });

  it("merges the overrides over the drill's policy: nested objects key by key, arrays replaced", () => {
    // Act
    const { policy } = drillConfig(idps, { failure: { windowRounds: 8 }, failback: { steps: [50, 100] } });

    // Assess
    expect(policy.failure).toMatchObject({ consecutiveRounds: 2, windowRounds: 8, failedRoundsInWindow: 3 });
    expect(policy.failback.steps).toEqual([50, 100]);
  });
});

describe("a region's own network path", () => {
  it("sends every probe address through the region's path and keeps the issuers and the Graph resource", () => {
    // Prepare
    const config = drillConfig(idps);
    const routes = new Map([
      [okta, "https://127.0.0.1:5001"],
      [entra, "https://127.0.0.1:5002"],
    ]);

    // Act
    const rerouted = rerouteProbes(config, routes);

    // Assess
    const [primary, secondary] = rerouted.sites[0]?.providers ?? [];
    expect(primary?.issuer).toBe(`${okta}/oauth2/default`);
    expect(primary?.probes.find((p) => p.kind === "token")).toMatchObject({
      tokenUrl: "https://127.0.0.1:5001/oauth2/default/v1/token",
    });
    expect(primary?.probes.find((p) => p.kind === "jwks")).toMatchObject({
      url: "https://127.0.0.1:5001/oauth2/default/v1/keys",
    });
    const graph = secondary?.probes.find((p) => p.kind === "graph-health");
    expect(graph).toMatchObject({ loginUrl: "https://127.0.0.1:5002", graphUrl: entra });
    expect(secondary?.issuer).toBe(`${entra}/00000000-0000-4000-8000-000000000001/v2.0`);
  });

  it("leaves addresses on other origins alone (a port that merely starts the same is another origin)", () => {
    // Prepare
    const config = drillConfig(idps);

    // Act
    const rerouted = rerouteProbes(config, new Map([["https://127.0.0.1:400", "https://127.0.0.1:9"]]));

    // Assess
    expect(rerouted).toEqual(config);
  });
});
