import { type NotificationIntent, parseConfig } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { limits } from "./block-kit.js";
import {
  answeredApproval,
  approvalActions,
  approvalBlocks,
  renderNotification,
  renderReply,
  siteView,
} from "./messages.js";
import { joinsThread, threadRule } from "./threads.js";

const parsed = parseConfig({
  alerting: { slack: { channel: "#idp-failover" } },
  policy: { failback: { snoozeSeconds: 3600, declineSeconds: 86_400 } },
  sites: [
    {
      id: "example",
      hostname: "login.example.com",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      providers: [
        {
          id: "okta",
          kind: "okta",
          issuer: "https://example.okta.com",
          dnsTarget: "example.customdomains.okta.com",
        },
        { id: "entra", kind: "entra", tenantId: "t-1", dnsTarget: "example-login.azurefd.net" },
      ],
    },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const view = siteView(parsed.config, "example");
const base = { site: "example", at: "2026-03-02T09:05:00.000Z", incidentId: "example-20260302-090500" };

const evidence = [
  {
    region: "us-east-1",
    verdict: "down" as const,
    evidence: [
      {
        probe: "oidc-discovery",
        class: "http-5xx" as const,
        message: "HTTP 503 <b>Service</b>",
        latencyMs: 212.4,
        status: 503,
      },
    ],
  },
  { region: "eu-west-1", verdict: "stale" as const, evidence: [] },
];

const allText = (message: { text: string; blocks: unknown[] }) =>
  `${message.text}\n${JSON.stringify(message.blocks)}`;

describe("Slack messages", () => {
  it("offers failback with three confirmed buttons carrying the site and approval id, and the expiry", () => {
    // Prepare
    const intent: NotificationIntent = {
      ...base,
      id: "example:9:failback-requested",
      kind: "failback-requested",
      approvalId: "example.abc123",
      expiresAt: "2026-03-02T13:05:00.000Z",
      primary: "okta",
      healthySince: "2026-03-02T08:55:00.000Z",
    };
    // Act
    const message = renderNotification(intent, view);
    // Assess
    const actions = message.blocks.find((b) => b.type === "actions");
    expect(actions?.type === "actions" && actions.block_id).toBe(approvalBlocks.actions);
    const buttons = actions?.type === "actions" ? actions.elements : [];
    expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
      [approvalActions.approve, "Approve failback"],
      [approvalActions.snooze, "Snooze 1 h"],
      [approvalActions.decline, "Stay on secondary"],
    ]);
    for (const button of buttons) {
      expect(button.confirm?.title.text).toBeTruthy();
      expect(button.confirm?.confirm.text).toBeTruthy();
      expect(JSON.parse(button.value ?? "")).toEqual({ site: "example", approvalId: "example.abc123" });
    }
    expect(allText(message)).toContain("Expires <!date^1772456700^");
    expect(allText(message)).toContain("2026-03-02 13:05 UTC");
  });

  it("says what each region saw and the DNS change once failed over", () => {
    const intent: NotificationIntent = {
      ...base,
      id: "example:5:failed-over",
      kind: "failed-over",
      from: "okta",
      to: "entra",
      changeId: "C0123ABC",
      submittedAt: "2026-03-02T09:05:10.000Z",
      insyncAt: "2026-03-02T09:05:40.000Z",
      evidence,
    };
    const text = allText(renderNotification(intent, view));
    expect(text).toContain("okta → entra");
    expect(text).toContain("`C0123ABC`");
    expect(text).toContain("*INSYNC*");
    expect(text).toContain("<!date^1772442340^");
    expect(text).toContain("*us-east-1*: down");
    expect(text).toContain("`oidc-discovery` http-5xx 503 in 212 ms: HTTP 503 &lt;b&gt;Service&lt;/b&gt;");
    expect(text).toContain("*eu-west-1*: stale");
    // In the incident's thread the reply is short: the thread's first message carries the rest.
    expect(allText(renderReply(intent, view))).not.toContain("us-east-1");
  });

  it("says no action was taken when every provider is down or the monitor is impaired", () => {
    const bothDown = renderNotification(
      {
        ...base,
        id: "a",
        kind: "both-down",
        providers: ["okta", "entra"],
        evidence: [...evidence, ...evidence],
      },
      view,
    );
    expect(allText(bothDown)).toContain("No action taken");
    expect(allText(bothDown)).toContain("What each region saw of entra");
    const impaired = renderNotification(
      {
        ...base,
        id: "b",
        kind: "monitor-impaired",
        provider: "*",
        staleRegions: ["eu-west-1"],
        freshRegions: ["us-east-1"],
        impairedRegions: ["us-west-2"],
        reasons: { "us-west-2": "canaries failing: aws-region (connection reset)" },
        holding: true,
      },
      view,
    );
    expect(allText(impaired)).toContain("No automatic action");
    expect(impaired.text).toBe("Monitor impaired in us-west-2, eu-west-1: no automatic action");
    expect(allText(impaired)).toContain("us-west-2: canaries failing: aws-region (connection reset)");
    expect(allText(impaired)).toContain("not as any vendor's downtime");
  });

  it("names a vendor mode and what it means for sign-ins", () => {
    const readOnly = renderNotification(
      { ...base, id: "c", kind: "provider-degraded", provider: "okta", evidence: [], mode: "read-only" },
      view,
    );
    expect(readOnly.text).toBe("[example] okta degraded (read-only mode)");
    expect(allText(readOnly)).toContain("Sign-ins and tokens work");
    const bothImpaired = renderNotification(
      {
        ...base,
        id: "d",
        kind: "both-down",
        providers: ["okta", "entra"],
        evidence,
        modes: { entra: "backup-auth" },
      },
      view,
    );
    expect(allText(bothImpaired)).toContain("entra is in backup authentication");
    expect(allText(bothImpaired)).toContain("No action taken");
  });

  it("keeps every text within Slack's limits however long a probe's message is", () => {
    const long = "x".repeat(10_000);
    const intent: NotificationIntent = {
      ...base,
      id: "c",
      kind: "failing-over",
      from: "okta",
      to: "entra",
      reason: long,
      actor: "evaluator",
      weights: { okta: 0, entra: 100 },
      evidence: Array.from({ length: 40 }, (_, i) => ({
        region: `r${i}`,
        verdict: "down" as const,
        evidence: [{ probe: "token", class: "auth" as const, message: long, latencyMs: 1, status: 401 }],
      })),
    };
    const message = renderNotification(intent, view);
    expect(message.blocks.length).toBeLessThanOrEqual(limits.blocks);
    for (const block of message.blocks) {
      if (block.type === "section" && block.text)
        expect(block.text.text.length).toBeLessThanOrEqual(limits.sectionText);
      if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(limits.headerText);
    }
    expect(message.text.length).toBeLessThanOrEqual(limits.messageText);
  });

  it("replaces an answered approval's buttons and expiry with one status line", () => {
    const request = renderNotification(
      {
        ...base,
        id: "d",
        kind: "failback-requested",
        approvalId: "example.x",
        expiresAt: "2026-03-02T13:05:00.000Z",
        primary: "okta",
        healthySince: "2026-03-02T08:55:00.000Z",
      },
      view,
    );
    const once = answeredApproval(request.blocks, "approved", request.text);
    const twice = answeredApproval(once.blocks, "step 1 of 3", request.text);
    expect(twice.blocks.some((b) => b.type === "actions" || b.block_id === approvalBlocks.expiry)).toBe(
      false,
    );
    expect(twice.blocks.filter((b) => b.block_id === approvalBlocks.status)).toHaveLength(1);
    expect(JSON.stringify(twice.blocks)).toContain("step 1 of 3");
    expect(twice.blocks.length).toBe(request.blocks.length - 1);
  });
});

describe("threads", () => {
  const at = "2026-03-02T09:00:00.000Z";
  it("keeps an incident in one thread however long it lasts", () => {
    const rule = threadRule({ ...base, id: "e", kind: "failback-done", primary: "okta" });
    expect(rule.key).toBe(`incident:${base.incidentId}`);
    expect(rule.broadcast).toBe(true);
    expect(
      joinsThread(
        rule,
        { ...base, at: "2026-04-01T00:00:00.000Z", id: "e", kind: "failback-done", primary: "okta" },
        at,
      ),
    ).toBe(true);
  });

  it("starts a new subject thread for a new manual failover, and stops joining old ones after a day", () => {
    const failing = {
      site: "example",
      at,
      id: "f",
      kind: "failing-over" as const,
      from: "okta",
      to: "entra",
      reason: "drill",
      actor: "operator:ana",
      weights: {},
      evidence: [],
    };
    expect(threadRule(failing)).toMatchObject({ key: "flow", startsNew: true });
    // A verified operator is an ARN in the audit trail; the message names the person, not the account.
    const verified = { ...failing, actor: "operator:arn:aws:sts::123456789012:assumed-role/Oncall/ana" };
    const byArn = allText(renderNotification(verified, view));
    expect(byArn).toContain("*ana (Oncall)*");
    expect(byArn).not.toContain("123456789012");
    const insync = {
      site: "example",
      id: "g",
      kind: "failed-over" as const,
      from: "okta",
      to: "entra",
      insyncAt: at,
    };
    expect(joinsThread(threadRule({ ...insync, at }), { ...insync, at }, at)).toBe(true);
    const late = { ...insync, at: "2026-03-03T09:00:00.000Z" };
    expect(joinsThread(threadRule(late), late, at)).toBe(false);
  });
});

describe("readiness messages", () => {
  const text = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

  it("says how ready the secondary was when failing over", () => {
    const intent: NotificationIntent = {
      ...base,
      id: "example:3:failing-over",
      kind: "failing-over",
      from: "okta",
      to: "entra",
      reason: "okta down in us-east-1, us-west-2",
      actor: "evaluator",
      weights: { okta: 0, entra: 100 },
      evidence,
      readiness: { pct: 97.46, at: "2026-03-02T05:20:00.000Z" },
    };

    expect(text(renderNotification(intent, view))).toContain(
      "*Readiness of entra:* 97.4% of okta's active users",
    );
  });

  it("alerts that the secondary is below the minimum, with the apps leaving people out, in its own thread", () => {
    const intent: NotificationIntent = {
      id: "example:readiness:2026-03-02T05:20:00.000Z",
      site: "example",
      at: "2026-03-02T05:20:00.000Z",
      kind: "readiness-low",
      secondary: "entra",
      status: "complete",
      readinessPct: 91.2,
      minReadinessPct: 98,
      primaryActive: 1200,
      missingCount: 40,
      disabledCount: 3,
      apps: [{ name: "Workday", notCoveredCount: 60 }],
      reasons: [],
    };

    const message = renderNotification(intent, view);

    expect(message.text).toBe("[example] entra is 91.2% ready, below 98%");
    expect(text(message)).toContain("Workday: 60 user(s) could not sign in");
    expect(text(message)).toContain("Failover is not held by this");
    expect(threadRule(intent)).toMatchObject({ key: "readiness", startsNew: true });
  });

  it("says readiness is unknown after a partial read, with each reason and its fix", () => {
    const intent: NotificationIntent = {
      id: "example:readiness:2026-03-03T05:20:00.000Z",
      site: "example",
      at: "2026-03-03T05:20:00.000Z",
      kind: "readiness-low",
      secondary: "entra",
      status: "partial",
      readinessPct: null,
      minReadinessPct: 98,
      primaryActive: 0,
      missingCount: 0,
      disabledCount: 0,
      apps: [],
      reasons: [
        "Graph /groups/delta: HTTP 403 Authorization_RequestDenied: the app lacks GroupMember.Read.All (fix: …)",
      ],
    };

    const message = renderNotification(intent, view);

    expect(message.text).toContain("unknown: the read was partial");
    expect(text(message)).toContain("GroupMember.Read.All");
  });

  it("says a failover was held by the gate and how to fail over by hand", () => {
    const intent: NotificationIntent = {
      ...base,
      id: "example:4:failover-held",
      kind: "failover-held",
      from: "okta",
      to: "entra",
      reason: "entra was 40.0% ready at 2026-03-02T05:20:00.000Z, below policy.continuity.gateBelowPct 50%",
      evidence,
    };

    const message = renderNotification(intent, view);

    expect(text(message)).toContain("idpctl failover --site example --to entra");
    expect(threadRule(intent)).toMatchObject({ key: `incident:${base.incidentId}`, broadcast: true });
  });
});
