import { describe, expect, it } from "vitest";
import { type ConfigIssue, parseConfig, policySchema, sitePolicySchema } from "./config.js";
import { testApprover, testConfig, testConfigInput } from "./testing.js";

/*
 * A site's own settings: any part of the policy and of alerting, merged over the deployment's
 * (objects key by key, arrays replaced, approvers whole), checked as a whole at the site's path, and
 * tags for the operator views.
 */

const sites = ["acme", "globex", "initech"];

function issuesOf(
  siteSettings: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
) {
  const parsed = parseConfig({ ...testConfigInput({ sites, siteSettings }), ...extra });
  if (parsed.ok) throw new Error("expected the config to be refused");
  return parsed.issues;
}

function only(issues: ConfigIssue[], path: string): ConfigIssue {
  const found = issues.filter((i) => i.path === path);
  expect(found, JSON.stringify(issues, null, 2)).toHaveLength(1);
  return found[0] as ConfigIssue;
}

describe("a site's own policy", () => {
  it("merges over the deployment's key by key, replaces arrays, and leaves the other sites alone", () => {
    // Act
    const config = testConfig({
      sites,
      policy: { failure: { windowRounds: 8 }, failback: { steps: [10, 50, 100] } },
      siteSettings: {
        globex: { policy: { quorum: 3, failure: { consecutiveRounds: 3 }, failback: { steps: [25, 100] } } },
      },
    });

    // Assess
    const [acme, globex] = config.sites;
    expect(globex?.policy.quorum).toBe(3);
    expect(globex?.policy.failure).toMatchObject({
      consecutiveRounds: 3,
      windowRounds: 8,
      failedRoundsInWindow: 3,
    });
    expect(globex?.policy.failback.steps).toEqual([25, 100]);
    expect(globex?.policy.failback.holdSeconds).toBe(config.policy.failback.holdSeconds);
    expect(acme?.policy).toEqual(config.policy);
    expect(config.policy.quorum).toBe(2);
  });

  it("accepts every field of the policy, so a field added to policySchema is overridable with no other change", () => {
    // Prepare: each top-level key of the policy with its default value.
    const defaults = policySchema.parse({ continuity: { gateBelowPct: 90 } });

    // Act and assess
    for (const [key, value] of Object.entries(defaults)) {
      const parsed = sitePolicySchema.safeParse({ [key]: value });
      expect(parsed.success, key).toBe(true);
    }
    // Nothing written, nothing filled in: what a site leaves out comes from the deployment.
    expect(sitePolicySchema.parse({})).toEqual({});
    expect(sitePolicySchema.parse({ failure: { windowRounds: 9 } })).toEqual({
      failure: { windowRounds: 9 },
    });
  });

  it("names an unknown key by its path with the key it resembles", () => {
    // Act
    const issues = issuesOf({ globex: { policy: { quorom: 3, failure: { consecutivRounds: 2 } } } });

    // Assess
    expect(only(issues, "sites.1.policy.quorom").hint).toBe("did you mean quorum?");
    expect(only(issues, "sites.1.policy.failure.consecutivRounds").hint).toBe(
      "did you mean consecutiveRounds?",
    );
  });

  it("checks a value as the deployment's policy does, at the site's path", () => {
    // Act
    const issues = issuesOf({ initech: { policy: { failure: { windowRounds: 0 } } } });

    // Assess
    expect(only(issues, "sites.2.policy.failure.windowRounds").message).toMatch(/>=1/);
  });

  it("checks the merged policy as a whole, at the site's path", () => {
    // Act: a quorum above the three regions, and a staleness shorter than two rounds.
    const issues = issuesOf({ globex: { policy: { quorum: 4, staleAfterSeconds: 15 } } });

    // Assess
    expect(only(issues, "sites.1.policy.quorum").message).toBe("quorum 4 is more than the 3 probe region(s)");
    expect(issues.filter((i) => i.path === "sites.1.policy.staleAfterSeconds").map((i) => i.message)).toEqual(
      [
        "a round can take 17000 ms under timeouts, longer than staleAfterSeconds",
        "must be at least two probe rounds (2 x cadenceSeconds)",
      ],
    );
    expect(issues.some((i) => i.path.startsWith("policy."))).toBe(false);
  });

  it("says a problem of the deployment's policy once, at the deployment's path", () => {
    // Act: the deployment's steps are wrong; the site changes something else.
    const issues = issuesOf(
      { globex: { policy: { quorum: 3 } } },
      { policy: { failback: { steps: [50, 10] } } },
    );

    // Assess
    expect(issues.map((i) => i.path)).toEqual(["policy.failback.steps"]);
  });

  it("refuses a cadence that is not a whole multiple of the deployment's, and says which would do", () => {
    // Act
    const issue = only(
      issuesOf({ acme: { policy: { cadenceSeconds: 25, staleAfterSeconds: 100 } } }),
      "sites.0.policy.cadenceSeconds",
    );

    // Assess
    expect(issue.message).toBe(
      "25 s is not a whole multiple of the deployment's policy.cadenceSeconds (10 s): a site's probes run on every k-th probe tick",
    );
    expect(issue.hint).toBe("use 20 or 30");
  });

  it("warns about a site's quorum of 1 at the site's path", () => {
    // Act
    const parsed = parseConfig(
      testConfigInput({ sites, siteSettings: { globex: { policy: { quorum: 1 } } } }),
    );

    // Assess
    expect(parsed.ok && parsed.warnings.map((w) => w.path)).toContain("sites.1.policy.quorum");
  });
});

describe("a site's own alerting", () => {
  it("merges Slack key by key, replaces approvers whole and webhooks as a list", () => {
    // Prepare
    const alerting = {
      slack: { channel: "#noc", approvers: { users: [testApprover], userGroups: ["S0NOC"] } },
      webhooks: [{ name: "noc", url: "https://noc.example.net/hook", secretRef: "NOC_HOOK_SECRET" }],
    };
    const own = {
      slack: { channel: "#acme-idp", approvers: { users: ["U0ACME"] } },
      webhooks: [{ name: "acme", url: "https://acme.example.com/hook", secretRef: "ACME_HOOK_SECRET" }],
    };

    // Act
    const config = testConfig({ sites, alerting, siteSettings: { acme: { alerting: own } } });

    // Assess
    const [acme, globex] = config.sites;
    expect(acme?.alerting.slack).toEqual({
      channel: "#acme-idp",
      approvers: { users: ["U0ACME"], userGroups: [] },
      botTokenRef: "SLACK_BOT_TOKEN",
      signingSecretRef: "SLACK_SIGNING_SECRET",
    });
    expect(acme?.alerting.webhooks.map((w) => w.name)).toEqual(["acme"]);
    expect(globex?.alerting).toEqual({ slack: config.alerting.slack, webhooks: config.alerting.webhooks });
  });

  it("gives a site Slack of its own when the deployment has none, and then needs its channel", () => {
    // Act
    const withChannel = testConfig({
      sites,
      alerting: {},
      siteSettings: {
        acme: { alerting: { slack: { channel: "#acme", botTokenRef: "ACME_SLACK_BOT_TOKEN" } } },
      },
    });
    const issues = issuesOf(
      { acme: { alerting: { slack: { approvers: { users: ["U0ACME"] } } } } },
      { alerting: {} },
    );

    // Assess
    expect(withChannel.sites[0]?.alerting.slack?.botTokenRef).toBe("ACME_SLACK_BOT_TOKEN");
    expect(withChannel.sites[1]?.alerting.slack).toBeUndefined();
    expect(only(issues, "sites.0.alerting.slack.channel").message).toBe("required (string), but missing");
  });

  it("refuses an event bus per site, with a hint", () => {
    // Act
    const issue = only(
      issuesOf({ globex: { alerting: { eventBus: "globex" } } }),
      "sites.1.alerting.eventBus",
    );

    // Assess
    expect(issue.message).toBe(
      "the event bus is the deployment's: every site's events go to alerting.eventBus",
    );
    expect(issue.hint).toMatch(/EventBridge rule matching detail.site/);
  });

  it("names unknown keys and bad secret references by their path", () => {
    // Act
    const issues = issuesOf({
      initech: { alerting: { slack: { chanel: "#x", botTokenRef: "xoxb-123" }, webhook: [] } },
    });

    // Assess
    expect(only(issues, "sites.2.alerting.slack.chanel").hint).toBe("did you mean channel?");
    expect(only(issues, "sites.2.alerting.webhook").hint).toBe("did you mean webhooks?");
    expect(only(issues, "sites.2.alerting.slack.botTokenRef").message).toMatch(/NAME of a secret/);
  });

  it("warns when a site's own Slack bot would post to the deployment's channel with its approvers", () => {
    // Act
    const parsed = parseConfig(
      testConfigInput({
        sites,
        siteSettings: { globex: { alerting: { slack: { botTokenRef: "GLOBEX_BOT" } } } },
      }),
    );

    // Assess
    const paths = parsed.ok ? parsed.warnings.map((w) => w.path) : [];
    expect(paths).toContain("sites.1.alerting.slack.channel");
    expect(paths).toContain("sites.1.alerting.slack.approvers");
  });
});

describe("a site's tags", () => {
  it("keeps short lowercase labels and refuses others and repeats, by path", () => {
    // Act
    const config = testConfig({ sites, siteSettings: { acme: { tags: ["gold", "eu-west"] } } });
    const badTag = issuesOf({ globex: { tags: ["Gold", "eu"] } });
    const repeated = issuesOf({ initech: { tags: ["eu", "eu"] } });

    // Assess
    expect(config.sites.map((s) => s.tags)).toEqual([["gold", "eu-west"], [], []]);
    expect(only(badTag, "sites.1.tags.0").message).toBe(
      "a tag is lowercase letters, digits and dashes (max 32)",
    );
    expect(only(repeated, "sites.2.tags.1").message).toBe('duplicate value "eu" (also at sites.2.tags.0)');
  });
});
