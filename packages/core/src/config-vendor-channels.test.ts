import { describe, expect, it } from "vitest";
import { type ConfigIssue, parseConfig } from "./config.js";
import { notificationChannels, notificationTargets } from "./outbox-notifier.js";
import { testConfig, testConfigInput } from "./testing.js";

/*
 * alerting.pagerduty and alerting.teams: secret references (never the key or the URL), an https link,
 * merged per site like Slack (key by key), and each an outbox channel of its own: `pagerduty` and
 * `teams` for the deployment's, `pagerduty@{site}` and `teams@{site}` for a site's own.
 */

const sites = ["acme", "globex"];

function issuesOf(input: Record<string, unknown>): ConfigIssue[] {
  const parsed = parseConfig(input);
  if (parsed.ok) throw new Error("expected the config to be refused");
  return parsed.issues;
}

describe("PagerDuty and Teams in the config", () => {
  it("needs the routing key's and the workflow URL's reference, and an https link", () => {
    // Act
    const issues = issuesOf(
      testConfigInput({
        sites,
        alerting: {
          pagerduty: { linkUrl: "http://dash.example.com" },
          teams: { webhookUrlRef: "https://prod.westus.logic.azure.com/workflows/x?sig=abc" },
        },
      }),
    );

    // Assess
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["alerting.pagerduty.routingKeyRef"]).toBe("required (string), but missing");
    expect(byPath["alerting.pagerduty.linkUrl"]).toBe("not an https URL");
    // A pasted URL where its name belongs: said, so the secret never sits in Git.
    expect(byPath["alerting.teams.webhookUrlRef"]).toMatch(/NAME of a secret/);
  });

  it("refuses a pasted PagerDuty integration key where its name belongs", () => {
    // Act
    const issues = issuesOf(
      testConfigInput({
        sites,
        alerting: { pagerduty: { routingKeyRef: "e93facc04764012d7bfb002500d5d1a6" } },
      }),
    );

    // Assess
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      [
        "alerting.pagerduty.routingKeyRef",
        "this looks like the integration key itself: name the secret that holds it, like PAGERDUTY_ROUTING_KEY",
      ],
    ]);
  });

  it("merges a site's own over the deployment's key by key, and makes it a channel of its own", () => {
    // Prepare
    const alerting = {
      pagerduty: { routingKeyRef: "PD_NOC_KEY", linkUrl: "https://dash.example.com" },
      teams: { webhookUrlRef: "TEAMS_NOC_URL" },
    };

    // Act
    const config = testConfig({
      sites,
      alerting,
      siteSettings: {
        acme: {
          alerting: {
            pagerduty: { routingKeyRef: "PD_ACME_KEY" },
            teams: { linkUrl: "https://acme.example.com/runbook" },
          },
        },
      },
    });

    // Assess
    const [acme, globex] = config.sites;
    expect(acme?.alerting.pagerduty).toEqual({
      routingKeyRef: "PD_ACME_KEY",
      linkUrl: "https://dash.example.com",
    });
    expect(acme?.alerting.teams).toEqual({
      webhookUrlRef: "TEAMS_NOC_URL",
      linkUrl: "https://acme.example.com/runbook",
    });
    expect(globex?.alerting.pagerduty).toEqual(config.alerting.pagerduty);
    const channels = notificationChannels(config);
    expect(channels("acme")).toEqual(expect.arrayContaining(["pagerduty@acme", "teams@acme"]));
    expect(channels("globex")).toEqual(expect.arrayContaining(["pagerduty", "teams"]));
    expect(notificationTargets(config).map((t) => t.channel)).toEqual(
      expect.arrayContaining(["pagerduty", "teams", "pagerduty@acme", "teams@acme"]),
    );
  });

  it("gives a site PagerDuty when the deployment has none, and then needs its routing key's reference", () => {
    // Act
    const issues = issuesOf(
      testConfigInput({
        sites,
        siteSettings: { globex: { alerting: { pagerduty: { linkUrl: "https://globex.example.com" } } } },
      }),
    );
    const config = testConfig({
      sites,
      siteSettings: { globex: { alerting: { pagerduty: { routingKeyRef: "PD_GLOBEX_KEY" } } } },
    });

    // Assess
    const issue = issues.find((i) => i.path === "sites.1.alerting.pagerduty.routingKeyRef");
    expect(issue?.message).toBe("required (string), but missing");
    expect(issue?.hint).toMatch(/merged over the deployment's alerting/);
    expect(config.sites[0]?.alerting.pagerduty).toBeUndefined();
    expect(notificationChannels(config)("globex")).toContain("pagerduty@globex");
    expect(notificationChannels(config)("acme")).not.toContain("pagerduty");
  });
});
