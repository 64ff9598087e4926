import { describe, expect, it } from "vitest";
import type { Config } from "./config.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { type Decision, decide, type Input } from "./state-machine.js";
import { contextAt, testConfig, testSite, withImpairedRegions, withMode } from "./testing.js";
import type { GlobalVerdict, SiteVerdicts } from "./verdict.js";

/*
 * The state machine as walks through successive inputs, the way an evaluator sees them.
 * Each walk starts on the primary at T0 with all providers up.
 */

const T0 = Date.parse("2026-03-01T00:00:00Z");
const second = 1000;
const minute = 60 * second;

type Verdicts = Record<string, GlobalVerdict> | SiteVerdicts;
const allUp: Verdicts = { okta: "up", entra: "up" };

class Walk {
  state: SiteState;
  now = T0;
  last: Decision = { kind: "hold" };

  constructor(readonly config: Config = testConfig()) {
    this.state = initialSiteState(testSite(config), T0);
    this.tick(allUp);
  }

  at(ms: number): this {
    this.now = ms;
    return this;
  }

  after(ms: number): this {
    this.now += ms;
    return this;
  }

  send(input: Input, verdicts: Verdicts = this.lastVerdicts): Decision {
    this.lastVerdicts = verdicts;
    const simple = Object.values(verdicts).every((v) => typeof v === "string");
    const ctx = simple
      ? contextAt(this.config, this.now, verdicts as Record<string, GlobalVerdict>)
      : { ...contextAt(this.config, this.now, {}), verdicts: verdicts as SiteVerdicts };
    this.last = decide(this.state, input, ctx);
    if (this.last.kind === "apply") this.state = this.last.next;
    return this.last;
  }

  tick(verdicts: Verdicts): Decision {
    return this.send({ kind: "tick" }, verdicts);
  }

  /** Submits and syncs whatever DNS change is pending, as the evaluator would. */
  syncDns(changeId = "C1"): void {
    expect(this.state.dns, "a DNS change should be pending").toBeDefined();
    this.send({ kind: "dns-submitted", changeId });
    this.after(30 * second);
    this.send({ kind: "dns-insync" });
  }

  /** An operator's failover (`idpctl failover`), as operator:ana. */
  failOverByHand(to: string, reason: string): Decision {
    return this.send({ kind: "manual-failover", to, actor: "operator:ana", reason });
  }

  /** Walks to secondary-active through an okta outage. */
  failOver(): this {
    this.after(10 * second).tick({ okta: "down", entra: "up" });
    this.syncDns();
    return this;
  }

  private lastVerdicts: Verdicts = allUp;
}

function transitionOf(decision: Decision): string | undefined {
  return decision.kind === "apply" && decision.transition
    ? `${decision.transition.from} -> ${decision.transition.to}`
    : undefined;
}

function notificationsOf(decision: Decision): string[] {
  return decision.kind === "apply" ? decision.effects.notifications.map((n) => n.kind) : [];
}

describe("primary-active", () => {
  it("fails over to the secondary when the primary is down and the secondary is up", () => {
    const walk = new Walk();
    const decision = walk.after(10 * second).tick({ okta: "down", entra: "up" });

    expect(transitionOf(decision)).toBe("primary-active -> failing-over");
    expect(walk.state.dns?.weights).toEqual({ okta: 0, entra: 100 });
    expect(walk.state.active).toBe("entra");
    expect(walk.state.incident?.provider).toBe("okta");
    expect(notificationsOf(decision)).toContain("failing-over");
    const effects = decision.kind === "apply" ? decision.effects : undefined;
    expect(effects?.events.some((e) => e.type === "state-changed")).toBe(true);
    expect(effects?.audit[0]).toMatchObject({
      action: "transition",
      from: "primary-active",
      to: "failing-over",
    });
  });

  it("raises both-down once and never fails over onto a down secondary", () => {
    const walk = new Walk();
    const first = walk.after(10 * second).tick({ okta: "down", entra: "down" });
    const again = walk.after(10 * second).tick({ okta: "down", entra: "down" });

    expect(transitionOf(first)).toBeUndefined();
    expect(walk.state.state).toBe("primary-active");
    expect(walk.state.dns).toBeUndefined();
    expect(notificationsOf(first)).toContain("both-down");
    expect(again.kind).toBe("hold");
  });

  it("fails over once the secondary has been back for the settle time while the primary stays down", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "down", entra: "down" });
    const back = walk.after(10 * second).tick({ okta: "down", entra: "up" });
    expect(transitionOf(back)).toBeUndefined();
    expect(back.kind !== "refuse" ? back.recheckAt : undefined).toBe(walk.now + 30 * second);

    const settled = walk.after(30 * second).tick({ okta: "down", entra: "up" });
    expect(transitionOf(settled)).toBe("primary-active -> failing-over");
  });

  it("takes no action while fewer than a quorum of regions can judge, and pages once after the dwell", () => {
    const walk = new Walk();
    const since = walk.now;
    const impaired = () =>
      withImpairedRegions({ okta: "down", entra: "up" }, ["us-east-1", "us-west-2"], since);
    const first = walk.after(10 * second).tick(impaired());

    expect(transitionOf(first)).toBeUndefined();
    expect(walk.state.dns).toBeUndefined();
    expect(notificationsOf(first)).toEqual([]);
    const paged = walk.at(since + 5 * minute).tick(impaired());
    expect(notificationsOf(paged)).toEqual(["monitor-impaired"]);
    const page = paged.kind === "apply" ? paged.effects.notifications[0] : undefined;
    expect(page).toMatchObject({
      site: "*",
      impairedRegions: ["us-east-1", "us-west-2"],
      holding: true,
      id: `monitor:${new Date(since).toISOString()}:impaired:us-east-1,us-west-2+holding`,
    });
    expect(notificationsOf(walk.after(10 * second).tick(impaired()))).toEqual([]);
    walk.after(10 * second).tick(allUp);
    const restored = walk.after(5 * minute).tick(allUp);
    expect(notificationsOf(restored)).toEqual(["monitor-restored"]);
    expect(walk.state.state).toBe("primary-active");
  });

  it("still fails over on an outage the unimpaired regions agree on", () => {
    const walk = new Walk();
    const decision = walk
      .after(10 * second)
      .tick(withImpairedRegions({ okta: "down", entra: "up" }, ["us-west-2"], walk.now));

    expect(transitionOf(decision)).toBe("primary-active -> failing-over");
  });

  it("does not call a monitor that has never seen enough regions impaired", () => {
    const decision = new Walk().tick({ okta: "impaired", entra: "impaired" });

    expect(notificationsOf(decision)).not.toContain("monitor-impaired");
  });

  it("alerts on a degraded primary only once it has lasted the dwell, and never fails over for it", () => {
    const walk = new Walk();
    const first = walk.after(10 * second).tick({ okta: "degraded", entra: "up" });
    const settled = walk.after(5 * minute).tick({ okta: "degraded", entra: "up" });

    expect(transitionOf(first)).toBeUndefined();
    expect(notificationsOf(first)).toEqual([]);
    expect(notificationsOf(settled)).toEqual(["provider-degraded"]);
    expect(transitionOf(settled)).toBeUndefined();
  });

  it("keeps quiet about a degradation that ends within the dwell", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "degraded", entra: "up" });
    const back = walk.after(2 * minute).tick(allUp);
    const later = walk.after(10 * minute).tick(allUp);

    expect(notificationsOf(back)).toEqual([]);
    expect(notificationsOf(later)).toEqual([]);
  });

  it("tells operators when the standby goes down", () => {
    const walk = new Walk();
    expect(notificationsOf(walk.after(10 * second).tick({ okta: "up", entra: "down" }))).toEqual([
      "provider-down",
    ]);
  });

  it("changes nothing when the same verdicts are seen again", () => {
    const walk = new Walk();
    expect(walk.after(10 * second).tick(allUp).kind).toBe("hold");
  });
});

describe("failing-over", () => {
  it("records the change id, then reaches secondary-active when the change is INSYNC", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "down", entra: "up" });
    walk.send({ kind: "dns-submitted", changeId: "C42" });
    expect(walk.state.dns?.changeId).toBe("C42");
    expect(walk.state.incident?.dnsChangeId).toBe("C42");

    const decision = walk.after(30 * second).send({ kind: "dns-insync" });

    expect(transitionOf(decision)).toBe("failing-over -> secondary-active");
    expect(walk.state.weights).toEqual({ okta: 0, entra: 100 });
    expect(walk.state.dns).toBeUndefined();
    expect(notificationsOf(decision)).toContain("failed-over");
    expect(walk.state.incident?.insyncAt).toBe(new Date(walk.now).toISOString());
  });

  it("retries a throttled change with backoff and alerts only on the first failure", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "down", entra: "up" });
    const first = walk.send({ kind: "dns-failed", retryable: true, message: "Throttling" });
    const second_ = walk.send({ kind: "dns-failed", retryable: true, message: "Throttling" });

    expect(notificationsOf(first)).toEqual(["dns-error"]);
    expect(notificationsOf(second_)).toEqual([]);
    expect(walk.state.dns?.attempts).toBe(2);
    expect(walk.state.dns?.retryAt).toBe(new Date(walk.now + 15 * second).toISOString());
    expect(walk.state.state).toBe("failing-over");
  });

  it("alerts and re-checks the records when a change stays PENDING past the timeout", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "down", entra: "up" });
    walk.send({ kind: "dns-submitted", changeId: "C9" });
    expect(transitionOf(walk.after(4 * minute).tick({ okta: "down", entra: "up" }))).toBeUndefined();
    expect(walk.state.dns?.changeId).toBe("C9");

    const stuck = walk.after(minute).tick({ okta: "down", entra: "up" });

    expect(notificationsOf(stuck)).toEqual(["dns-error"]);
    expect(walk.state.dns?.changeId).toBeUndefined();
    expect(walk.state.dns?.weights).toEqual({ okta: 0, entra: 100 });
    expect(walk.state.state).toBe("failing-over");
  });

  it("stops retrying a change Route 53 rejects, keeping the state truthful", () => {
    const walk = new Walk();
    walk.after(10 * second).tick({ okta: "down", entra: "up" });
    const decision = walk.send({ kind: "dns-failed", retryable: false, message: "InvalidChangeBatch" });

    expect(walk.state.dns?.rejected).toBe(true);
    expect(walk.state.weights).toEqual({ okta: 100, entra: 0 });
    expect(walk.state.state).toBe("failing-over");
    expect(notificationsOf(decision)).toEqual(["dns-error"]);
  });
});

describe("secondary-active", () => {
  it("asks for failback approval once the primary has been up for recovery.sustain", () => {
    const walk = new Walk().failOver();
    walk.after(5 * minute).tick(allUp);
    const early = walk.after(9 * minute).tick(allUp);
    expect(transitionOf(early)).toBeUndefined();
    expect(early.kind !== "refuse" ? early.recheckAt : undefined).toBe(walk.now + minute);

    const due = walk.after(minute).tick(allUp);

    expect(transitionOf(due)).toBe("secondary-active -> failback-pending");
    expect(walk.state.approval?.expiresAt).toBe(new Date(walk.now + 4 * 3600 * second).toISOString());
    expect(notificationsOf(due)).toContain("failback-requested");
  });

  it("restarts the sustain clock when the primary degrades", () => {
    const walk = new Walk().failOver();
    walk.after(minute).tick(allUp);
    walk.after(8 * minute).tick({ okta: "degraded", entra: "up" });
    walk.after(minute).tick(allUp);

    expect(transitionOf(walk.after(5 * minute).tick(allUp))).toBeUndefined();
    expect(transitionOf(walk.after(5 * minute).tick(allUp))).toBe("secondary-active -> failback-pending");
  });

  it("moves straight back to a healthy primary when the secondary goes down", () => {
    const walk = new Walk().failOver();
    walk.after(minute).tick(allUp);
    const decision = walk.after(minute).tick({ okta: "up", entra: "down" });

    expect(transitionOf(decision)).toBe("secondary-active -> failing-over");
    expect(walk.state.dns?.weights).toEqual({ okta: 100, entra: 0 });
    walk.syncDns("C2");
    expect(walk.state.state).toBe("primary-active");
    expect(walk.state.incident).toBeUndefined();
  });
});

function pendingFailback(): Walk {
  const walk = new Walk().failOver();
  walk.after(minute).tick(allUp);
  walk.after(10 * minute).tick(allUp);
  expect(walk.state.state).toBe("failback-pending");
  return walk;
}

describe("failback-pending", () => {
  it("starts a stepped failback when an approver approves", () => {
    const walk = pendingFailback();
    const id = walk.state.approval?.id ?? "";
    const decision = walk.after(minute).send({ kind: "approve", approvalId: id, actor: "slack:U1" });

    expect(transitionOf(decision)).toBe("failback-pending -> failing-back");
    expect(walk.state.dns?.weights).toEqual({ okta: 10, entra: 90 });
    expect(walk.state.incident?.approvedBy).toBe("slack:U1");
    expect(decision.kind === "apply" ? decision.effects.notifications : []).toEqual([
      expect.objectContaining({
        kind: "failback-started",
        approvalId: id,
        approvedBy: "slack:U1",
        weights: { okta: 10, entra: 90 },
        steps: 3,
      }),
    ]);
  });

  it.each([
    [
      "a second click on the same request",
      (w: Walk, id: string) => w.send({ kind: "approve", approvalId: id, actor: "slack:U2" }),
      "already approved by slack:U1",
    ],
  ])("refuses %s", (_name, act, reason) => {
    const walk = pendingFailback();
    const id = walk.state.approval?.id ?? "";
    walk.send({ kind: "approve", approvalId: id, actor: "slack:U1" });
    const decision = act(walk, id);

    expect(decision.kind).toBe("refuse");
    expect(decision.kind === "refuse" ? decision.reason : "").toContain(reason);
  });

  it("refuses an approval that is not the current request", () => {
    const walk = pendingFailback();
    const decision = walk.send({ kind: "approve", approvalId: "acme.old", actor: "slack:U1" });
    expect(decision.kind === "refuse" ? decision.reason : "").toContain("no longer current");
  });

  it("refuses an expired approval, then renews the request", () => {
    const walk = pendingFailback();
    const id = walk.state.approval?.id ?? "";
    walk.after(4 * 3600 * second);
    const refused = walk.send({ kind: "approve", approvalId: id, actor: "slack:U1" });
    expect(refused.kind === "refuse" ? refused.reason : "").toContain("expired");

    const renewed = walk.tick(allUp);
    expect(notificationsOf(renewed)).toEqual(["failback-deferred", "failback-requested"]);
    expect(walk.state.approval?.id).not.toBe(id);
    expect(walk.state.state).toBe("failback-pending");
  });

  it("refuses to approve while the primary is not up", () => {
    const walk = pendingFailback();
    walk.tick({ okta: "degraded", entra: "up" });
    const decision = walk.send({
      kind: "approve",
      approvalId: walk.state.approval?.id ?? "",
      actor: "slack:U1",
    });
    expect(decision.kind === "refuse" ? decision.reason : "").toContain("degraded");
  });

  it("cancels the request when the primary goes down again", () => {
    const walk = pendingFailback();
    const id = walk.state.approval?.id ?? "";
    const decision = walk.after(minute).tick({ okta: "down", entra: "up" });

    expect(transitionOf(decision)).toBe("failback-pending -> secondary-active");
    const late = walk.send({ kind: "approve", approvalId: id, actor: "slack:U1" });
    expect(late.kind === "refuse" ? late.reason : "").toContain("cancelled");
  });

  it("snoozes for an hour, then asks again", () => {
    const walk = pendingFailback();
    const decision = walk.send({
      kind: "snooze",
      approvalId: walk.state.approval?.id ?? "",
      actor: "slack:U1",
    });
    expect(transitionOf(decision)).toBe("failback-pending -> secondary-active");

    expect(transitionOf(walk.after(59 * minute).tick(allUp))).toBeUndefined();
    expect(transitionOf(walk.after(minute).tick(allUp))).toBe("secondary-active -> failback-pending");
  });

  it("stays on the secondary for a day when asked to", () => {
    const walk = pendingFailback();
    walk.send({ kind: "decline", approvalId: walk.state.approval?.id ?? "", actor: "slack:U1" });

    expect(transitionOf(walk.after(23 * 3600 * second).tick(allUp))).toBeUndefined();
    expect(transitionOf(walk.after(3600 * second).tick(allUp))).toBe("secondary-active -> failback-pending");
  });
});

function failingBack(): Walk {
  const walk = pendingFailback();
  walk.send({ kind: "approve", approvalId: walk.state.approval?.id ?? "", actor: "slack:U1" });
  return walk;
}

describe("failing-back", () => {
  it("steps 10 -> 50 -> 100, holding each step healthy, then ends the incident", () => {
    const walk = failingBack();
    walk.syncDns("S1");
    expect(walk.state.weights).toEqual({ okta: 10, entra: 90 });
    walk.after(4 * minute).tick(allUp);
    expect(walk.state.dns).toBeUndefined();

    walk.after(minute).tick(allUp);
    expect(walk.state.dns?.weights).toEqual({ okta: 50, entra: 50 });
    walk.syncDns("S2");
    walk.after(5 * minute).tick(allUp);
    expect(walk.state.dns?.weights).toEqual({ okta: 100, entra: 0 });
    walk.syncDns("S3");
    const done = walk.after(5 * minute).tick(allUp);

    expect(transitionOf(done)).toBe("failing-back -> primary-active");
    expect(notificationsOf(done)).toContain("failback-done");
    expect(walk.state.incident).toBeUndefined();
    expect(done.kind === "apply" ? done.effects.incident?.endAt : undefined).toBe(
      new Date(walk.now).toISOString(),
    );
  });

  const midStep = [
    {
      title: "aborts to the secondary when the primary degrades mid-step",
      later: minute,
      verdicts: { okta: "degraded", entra: "up" },
      transition: "failing-back -> secondary-active",
      dnsWeights: { okta: 0, entra: 100 },
      notifications: ["failback-aborted"],
      failbackStep: undefined,
    },
    {
      title: "holds the step while the monitor is impaired",
      later: 10 * minute,
      verdicts: { okta: "impaired", entra: "impaired" },
      transition: undefined,
      dnsWeights: undefined,
      notifications: [],
      failbackStep: 0,
    },
    {
      title: "finishes at once on the primary when the secondary fails mid-failback",
      later: minute,
      verdicts: { okta: "up", entra: "down" },
      transition: "failing-back -> failing-over",
      dnsWeights: { okta: 100, entra: 0 },
      notifications: [],
      failbackStep: undefined,
    },
    {
      title: "holds the weights when both fail mid-failback",
      later: minute,
      verdicts: { okta: "down", entra: "down" },
      transition: undefined,
      dnsWeights: undefined,
      notifications: ["both-down"],
      failbackStep: 0,
    },
  ] satisfies Array<{ title: string; verdicts: Verdicts } & Record<string, unknown>>;

  it.each(midStep.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    // Prepare: the first step (10% on the primary) is in sync.
    const walk = failingBack();
    walk.syncDns("S1");

    // Act
    const decision = walk.after(c.later).tick(c.verdicts);

    // Assess: the transition and the DNS change asked for (none: undefined), what the on-call
    // hears, and the failback's step (gone once it ends).
    expect(transitionOf(decision)).toBe(c.transition);
    expect(walk.state.dns?.weights).toEqual(c.dnsWeights);
    expect(notificationsOf(decision)).toEqual(expect.arrayContaining(c.notifications));
    expect(walk.state.failback?.step).toBe(c.failbackStep);
  });
});

describe("operator commands", () => {
  it("freezes from any state and then ignores outages", () => {
    const walk = new Walk();
    const frozen = walk.send({ kind: "freeze", actor: "operator:ana", reason: "IdP migration" });
    expect(transitionOf(frozen)).toBe("primary-active -> frozen");

    const outage = walk.after(minute).tick({ okta: "down", entra: "up" });
    expect(transitionOf(outage)).toBeUndefined();
    expect(walk.state.dns).toBeUndefined();
  });

  it("unfreezes to the state the weights describe", () => {
    const walk = new Walk().failOver();
    walk.send({ kind: "freeze", actor: "operator:ana", reason: "hold" });
    const decision = walk.send({ kind: "unfreeze", actor: "operator:ana", reason: "" });

    expect(transitionOf(decision)).toBe("frozen -> secondary-active");
    expect(walk.state.active).toBe("entra");
  });

  it("restores clean weights when unfrozen mid-failback", () => {
    const walk = failingBack();
    walk.syncDns("S1");
    walk.send({ kind: "freeze", actor: "operator:ana", reason: "hold" });
    walk.send({ kind: "unfreeze", actor: "operator:ana", reason: "" });

    expect(walk.state.state).toBe("secondary-active");
    expect(walk.state.dns?.weights).toEqual({ okta: 0, entra: 100 });
  });

  it.each<[string, Input, Verdicts, string]>([
    [
      "onto a down provider",
      { kind: "manual-failover", to: "entra", actor: "operator:ana", reason: "drill" },
      { okta: "up", entra: "down" },
      "down provider",
    ],
    [
      "onto an unknown provider",
      { kind: "manual-failover", to: "ping", actor: "operator:ana", reason: "drill" },
      allUp,
      "unknown provider",
    ],
    [
      "onto the provider already serving",
      { kind: "manual-failover", to: "okta", actor: "operator:ana", reason: "drill" },
      allUp,
      "already serves",
    ],
    [
      "a failback from primary-active",
      { kind: "manual-failback", actor: "operator:ana", reason: "" },
      allUp,
      "starts from",
    ],
    [
      "an unfreeze when not frozen",
      { kind: "unfreeze", actor: "operator:ana", reason: "" },
      allUp,
      "not frozen",
    ],
  ])("refuses a manual failover %s", (_name, input, verdictsNow, reason) => {
    const walk = new Walk();
    const decision = walk.send(input, verdictsNow);
    expect(decision.kind).toBe("refuse");
    expect(decision.kind === "refuse" ? decision.reason : "").toContain(reason);
  });

  it("refuses commands other than unfreeze while frozen", () => {
    const walk = new Walk();
    walk.send({ kind: "freeze", actor: "operator:ana", reason: "hold" });
    const decision = walk.failOverByHand("entra", "x");
    expect(decision.kind === "refuse" ? decision.reason : "").toContain("frozen");
  });

  it("fails over by hand onto a healthy secondary", () => {
    const walk = new Walk();
    const decision = walk.failOverByHand("entra", "Okta change window");

    expect(transitionOf(decision)).toBe("primary-active -> failing-over");
    expect(decision.kind === "apply" ? decision.transition?.actor : "").toBe("operator:ana");
  });

  it("fails back by hand only when the primary is up", () => {
    const walk = new Walk().failOver();
    const refused = walk.send(
      { kind: "manual-failback", actor: "operator:ana", reason: "" },
      { okta: "degraded", entra: "up" },
    );
    expect(refused.kind).toBe("refuse");

    const accepted = walk.send(
      { kind: "manual-failback", actor: "operator:ana", reason: "vendor confirmed fix" },
      allUp,
    );
    expect(transitionOf(accepted)).toBe("secondary-active -> failing-back");
  });
});

describe("more than two providers", () => {
  it("fails over to the healthiest provider, skipping a down one", () => {
    const walk = new Walk(testConfig({ extraProviders: 1 }));
    const decision = walk.after(10 * second).tick({ okta: "down", entra: "down", oidc1: "up" });

    expect(transitionOf(decision)).toBe("primary-active -> failing-over");
    expect(walk.state.dns?.weights).toEqual({ okta: 0, entra: 0, oidc1: 100 });
  });

  it("prefers an up provider over a degraded one of higher priority", () => {
    const walk = new Walk(testConfig({ extraProviders: 1 }));
    walk.after(10 * second).tick({ okta: "down", entra: "degraded", oidc1: "up" });
    expect(walk.state.active).toBe("oidc1");
  });
});

describe("versions", () => {
  it("bumps the version on every applied decision and never on a hold", () => {
    const walk = new Walk();
    const before = walk.state.version;
    walk.after(10 * second).tick(allUp);
    expect(walk.state.version).toBe(before);
    walk.after(10 * second).tick({ okta: "down", entra: "up" });
    expect(walk.state.version).toBe(before + 1);
  });
});

describe("flip-rate limit (policy.maxDnsChangesPerHour)", () => {
  /** Okta down -> failover -> entra down -> back to okta, `times` times, each flip synced. */
  function alternate(walk: Walk, times: number): void {
    for (let i = 0; i < times; i++) {
      walk.after(40 * second).tick({ okta: "down", entra: "up" });
      if (walk.state.dns) walk.syncDns(`C${2 * i + 1}`);
      walk.after(2 * minute).tick(allUp);
      walk.after(2 * minute).tick({ okta: "up", entra: "down" });
      if (walk.state.dns) walk.syncDns(`C${2 * i + 2}`);
      walk.after(2 * minute).tick(allUp);
    }
  }

  it("stays where it is after 4 automatic changes in an hour, pages once, and resumes after a quiet hour", () => {
    const walk = new Walk();
    alternate(walk, 2);
    expect(walk.state.flips).toHaveLength(4);
    expect(walk.state.state).toBe("primary-active");

    const blocked = walk.after(40 * second).tick({ okta: "down", entra: "up" });
    expect(transitionOf(blocked)).toBeUndefined();
    expect(walk.state.dns).toBeUndefined();
    expect(notificationsOf(blocked)).toEqual(["flapping-paused"]);
    const audit = blocked.kind === "apply" ? blocked.effects.audit : [];
    expect(audit.map((a) => a.action)).toEqual(["flapping-paused"]);
    expect(notificationsOf(walk.after(5 * minute).tick({ okta: "down", entra: "up" }))).not.toContain(
      "flapping-paused",
    );
    const until = Date.parse(walk.state.paused?.until ?? "");
    expect(until).toBe(walk.now + 60 * minute);

    walk.after(10 * minute).tick(allUp);
    const resumed = walk.at(until).tick(allUp);
    expect(notificationsOf(resumed)).toContain("flapping-resumed");
    expect(walk.state.paused).toBeUndefined();
    expect(transitionOf(walk.after(10 * second).tick({ okta: "down", entra: "up" }))).toBe(
      "primary-active -> failing-over",
    );
  });

  it("resumes at once on an operator's command, which is audited", () => {
    const walk = new Walk();
    alternate(walk, 2);
    walk.after(40 * second).tick({ okta: "down", entra: "up" });
    expect(walk.state.paused).toBeDefined();

    const resumed = walk.send({ kind: "resume", actor: "operator:ana", reason: "Okta confirmed fixed" });
    expect(notificationsOf(resumed)).toEqual(["flapping-resumed"]);
    expect(resumed.kind === "apply" ? resumed.effects.audit[0] : undefined).toMatchObject({
      action: "resume",
      actor: "operator:ana",
    });
    expect(transitionOf(walk.after(10 * second).tick({ okta: "down", entra: "up" }))).toBe(
      "primary-active -> failing-over",
    );
  });

  it("refuses a resume when nothing is paused", () => {
    const walk = new Walk();
    expect(walk.send({ kind: "resume", actor: "operator:ana", reason: "" })).toEqual({
      kind: "refuse",
      reason: "automatic changes are not paused",
    });
  });

  it("never limits an operator's own failover", () => {
    const walk = new Walk();
    alternate(walk, 2);
    walk.after(40 * second).tick({ okta: "down", entra: "up" });
    const manual = walk.failOverByHand("entra", "by hand");
    expect(transitionOf(manual)).toBe("primary-active -> failing-over");
  });
});

describe("one incident, one thread", () => {
  it("keeps a provider that goes down again before the dwell in the same incident, and resolves it once", () => {
    const config = testConfig({ policy: { maxDnsChangesPerHour: 1 } });
    const walk = new Walk(config);
    // No failover target: the incident has no failover and ends with the provider's recovery.
    walk.after(10 * second).tick({ okta: "down", entra: "down" });
    const id = walk.state.incident?.id;
    walk.after(4 * minute).tick({ okta: "up", entra: "down" });
    walk.after(4 * minute).tick({ okta: "down", entra: "down" });
    walk.after(4 * minute).tick({ okta: "up", entra: "down" });

    expect(walk.state.incident?.id).toBe(id);
    expect(walk.state.incident?.episodes).toHaveLength(1);
    const resolved = walk.after(5 * minute).tick({ okta: "up", entra: "down" });
    expect(notificationsOf(resolved)).toEqual(["incident-resolved"]);
    expect(walk.state.incident).toBeUndefined();
    const record = resolved.kind === "apply" ? resolved.effects.incident : undefined;
    expect(record?.endAt).toBe(record?.recoveredAt);
  });

  it("sends at most maxPerIncident messages; decisions always go out", () => {
    const walk = new Walk(testConfig({ policy: { notifications: { maxPerIncident: 3, dwellSeconds: 0 } } }));
    walk.failOver(); // failing-over, failed-over: 2
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(...notificationsOf(walk.after(minute).tick({ okta: "up", entra: "degraded" })));
      sent.push(...notificationsOf(walk.after(minute).tick({ okta: "up", entra: "up" })));
    }
    // The approval request is a decision people answer: it goes out past the cap.
    expect(sent.filter((kind) => kind !== "failback-requested")).toHaveLength(1);
    expect(sent).toContain("failback-requested");
    expect(walk.state.incident?.suppressed).toBeGreaterThan(0);
  });
});

describe("vendor modes", () => {
  it("does not fail over onto a secondary in backup authentication: no change, one page", () => {
    const walk = new Walk();
    const first = walk
      .after(10 * second)
      .tick(withMode({ okta: "down", entra: "up" }, "entra", "backup-auth"));

    expect(transitionOf(first)).toBeUndefined();
    expect(walk.state.dns).toBeUndefined();
    const page =
      first.kind === "apply" ? first.effects.notifications.find((n) => n.kind === "both-down") : undefined;
    expect(page).toMatchObject({ modes: { entra: "backup-auth" } });
  });

  it("treats a read-only primary as degraded: a named alert after the dwell, no failover", () => {
    const walk = new Walk();
    walk.after(10 * second).tick(withMode({ okta: "up", entra: "up" }, "okta", "read-only"));
    const settled = walk.after(5 * minute).tick(withMode({ okta: "up", entra: "up" }, "okta", "read-only"));

    expect(transitionOf(settled)).toBeUndefined();
    const alert = settled.kind === "apply" ? settled.effects.notifications[0] : undefined;
    expect(alert).toMatchObject({ kind: "provider-degraded", provider: "okta", mode: "read-only" });
  });
});
