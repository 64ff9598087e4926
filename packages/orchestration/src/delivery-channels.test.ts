import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { deliveryChannels } from "./delivery-channels.js";

/*
 * The channels a runtime can open from its secrets: PagerDuty and Teams like webhooks, a missing
 * secret said with what waits for it (never skipped), a Teams URL that is not https refused.
 */

const config = testConfig({
  sites: ["acme", "globex"],
  alerting: { pagerduty: { routingKeyRef: "PD_NOC_KEY" }, teams: { webhookUrlRef: "TEAMS_NOC_URL" } },
  siteSettings: { acme: { alerting: { pagerduty: { routingKeyRef: "PD_ACME_KEY" } } } },
});

describe("deliveryChannels for PagerDuty and Teams", () => {
  it("opens each channel whose secret is set and says which wait for which secret", () => {
    // Act
    const channels = deliveryChannels(config, (ref) =>
      ref === "PD_NOC_KEY"
        ? "R0NOC000000000000000000000000000"
        : ref === "TEAMS_NOC_URL"
          ? "http://not-tls.example"
          : undefined,
    );

    // Assess
    expect(channels.pagerduty).toEqual([
      { channel: "pagerduty", routingKey: "R0NOC000000000000000000000000000" },
    ]);
    expect(channels.teams).toEqual([]);
    expect(channels.missing).toEqual(
      expect.arrayContaining([
        { ref: "PD_ACME_KEY", waits: "PagerDuty events on pagerduty@acme" },
        { ref: "TEAMS_NOC_URL", waits: "Teams cards on teams (its value is not an https URL)" },
      ]),
    );
  });
});
