import { lookup } from "node:dns/promises";
import { FakeClock, InMemoryMessageRefs, InMemoryOutbox, type NotificationIntent } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import {
  deliverNotifications,
  notificationHttpClient,
  notificationSenders,
  pagerDutyDedupKey,
  pagerDutyEndpoints,
  teamsEndpoints,
} from "@idp-failover/slack";
import {
  createTestCa,
  type PagerDutyStandIn,
  pagerDutyStandInRoutingKey,
  startPagerDutyStandIn,
  startTeamsWorkflowStandIn,
  type TeamsWorkflowStandIn,
} from "@idp-failover/stand-ins";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

const lookupAll = (host: string) => lookup(host, { all: true });

/*
 * PagerDuty and Teams from the outbox, through the real senders and the one HTTP client, to stand-ins
 * on 127.0.0.1 over TLS (a test CA the client is told to trust) that validate bodies as the vendors
 * document: one incident is one PagerDuty alert (triggered, acknowledged, resolved under one
 * dedup_key), a 429 waits for its Retry-After, a 400 is abandoned with PagerDuty's reason.
 */

let ca: Awaited<ReturnType<typeof createTestCa>>;
let pagerDuty: PagerDutyStandIn;
let teams: TeamsWorkflowStandIn;
const start = Date.parse("2026-03-02T09:00:00.000Z");
const routingKeyRef = "PAGERDUTY_ROUTING_KEY";
const teamsUrlRef = "TEAMS_WORKFLOW_URL";
const runbook = "https://runbooks.example.com/idp-failover";

beforeAll(async () => {
  ca = await createTestCa();
});

beforeEach(async () => {
  pagerDuty = await startPagerDutyStandIn({ ca });
  teams = await startTeamsWorkflowStandIn({ ca });
  return async () => {
    await Promise.all([pagerDuty.close(), teams.close()]);
  };
});

const config = testConfig({
  sites: ["acme"],
  alerting: {
    pagerduty: { routingKeyRef, linkUrl: runbook },
    teams: { webhookUrlRef: teamsUrlRef, linkUrl: runbook },
  },
});

function world(
  routingKey = pagerDutyStandInRoutingKey,
  options: { teamsUrl?: string; allowPrivate?: boolean } = {},
) {
  const allowPrivate = options.allowPrivate ?? true;
  const clock = new FakeClock(start);
  const outbox = new InMemoryOutbox();
  const secrets: Record<string, string> = {
    [routingKeyRef]: routingKey,
    [teamsUrlRef]: options.teamsUrl ?? teams.webhookUrl,
  };
  const pd = pagerDutyEndpoints(config, (ref) => secrets[ref]).endpoints.map((e) => ({
    ...e,
    eventsUrl: pagerDuty.eventsUrl,
    allowPrivate,
  }));
  const senders = notificationSenders({
    config,
    refs: new InMemoryMessageRefs(),
    clock,
    http: notificationHttpClient({ ca: ca.certPem }),
    pagerduty: pd,
    teams: teamsEndpoints(config, (ref) => secrets[ref]).endpoints.map((e) => ({ ...e, allowPrivate })),
    // A public-looking name that resolves to the stand-in's loopback address.
    resolveAll: async (host: string) =>
      host === "prod.westus.logic.example.com" ? [{ address: "127.0.0.1", family: 4 }] : lookupAll(host),
  });
  const notify = async (...intents: NotificationIntent[]) => {
    for (const intent of intents) await outbox.enqueue([intent], ["pagerduty", "teams"], clock.now());
  };
  const deliver = () => deliverNotifications({ outbox, clock, senders });
  return { clock, outbox, notify, deliver };
}

const weights = { okta: 0, entra: 100 };
let seq = 0;
function intent(kind: string, incidentId: string | undefined, fields: Record<string, unknown> = {}) {
  seq += 1;
  return {
    id: `acme:${seq}:${kind}`,
    site: "acme",
    at: new Date(start + seq * 1000).toISOString(),
    ...(incidentId ? { incidentId } : {}),
    kind,
    ...fields,
  } as NotificationIntent;
}
const failingOver = (incident: string) =>
  intent("failing-over", incident, {
    from: "okta",
    to: "entra",
    reason: "okta down in 3 of 3 regions",
    actor: "evaluator",
    weights,
    evidence: [],
  });
const failbackStarted = (incident: string) =>
  intent("failback-started", incident, { approvedBy: "slack:U0APPROVER", weights, steps: 3 });
const failbackDone = (incident: string) =>
  intent("failback-done", incident, { primary: "okta", approvedBy: "slack:U0APPROVER" });

describe("PagerDuty from the outbox", () => {
  it("triggers, acknowledges and resolves one incident under one dedup_key", async () => {
    // Prepare
    const { notify, deliver } = world();
    await notify(failingOver("inc-1"), failbackStarted("inc-1"), failbackDone("inc-1"));

    // Act
    const report = await deliver();

    // Assess
    expect(report.results.every((r) => r.outcome === "delivered")).toBe(true);
    const alerts = pagerDuty.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      dedupKey: "idp-failover/acme/incident:inc-1",
      status: "resolved",
      severity: "critical",
      actions: ["trigger", "acknowledge", "resolve"],
    });
    expect(alerts[0]?.summary).toContain("login.acme.example.com: failing over okta -> entra");
    const trigger = pagerDuty.received[0]?.body;
    expect(trigger).toMatchObject({
      links: [{ href: runbook }],
      client: "idp-failover",
      client_url: runbook,
      payload: { source: "login.acme.example.com", class: "failing-over", group: "acme" },
    });
  });

  it("gives two incidents two alerts", async () => {
    const { notify, deliver } = world();
    await notify(failingOver("inc-1"), failbackDone("inc-1"), failingOver("inc-2"));

    await deliver();

    expect(pagerDuty.alerts().map((a) => [a.dedupKey, a.status])).toEqual([
      ["idp-failover/acme/incident:inc-1", "resolved"],
      ["idp-failover/acme/incident:inc-2", "triggered"],
    ]);
  });

  it("sends nothing for what needs no one (a failback step), and a resolve for an alert never opened is dropped by PagerDuty", async () => {
    const { notify, deliver } = world();
    const step = intent("failback-progress", "inc-3", {
      step: 2,
      steps: 3,
      weights,
      approvedBy: "slack:U0A",
    });
    await notify(step, failbackDone("inc-3"));

    const report = await deliver();

    expect(report.results.filter((r) => r.channel === "pagerduty").map((r) => r.outcome)).toEqual([
      "delivered",
      "delivered",
    ]);
    expect(pagerDuty.received.map((r) => r.body.event_action)).toEqual(["resolve"]);
    expect(pagerDuty.received[0]?.effect).toBe("dropped");
    expect(pagerDuty.alerts()).toEqual([]);
  });

  it("retries a 429 at PagerDuty's Retry-After, then delivers", async () => {
    const { clock, notify, deliver, outbox } = world();
    await notify(failingOver("inc-4"));
    pagerDuty.answerNext({ status: 429, retryAfterSeconds: 30 });

    const first = await deliver();
    const retried = first.results.find((r) => r.channel === "pagerduty");
    clock.advance(30_000);
    await deliver();

    expect(retried).toMatchObject({ outcome: "retry", nextAttemptAt: start + 30_000 });
    expect(pagerDuty.alerts()).toHaveLength(1);
    const delivery = [...outbox.deliveries.values()].find((d) => d.channel === "pagerduty");
    expect(delivery?.deliveredAt).toBe(start + 30_000);
  });

  it("abandons an event PagerDuty refuses (400), with PagerDuty's reason", async () => {
    // Prepare: a routing key of the wrong length, as a mistyped secret would be.
    const { notify, deliver } = world("not-a-routing-key");
    await notify(failingOver("inc-5"));

    const report = await deliver();

    const result = report.results.find((r) => r.channel === "pagerduty");
    expect(result?.outcome).toBe("abandoned");
    expect(result?.error).toContain("'routing_key' must be 32 characters");
  });

  it("keys the monitor's episodes and a standby's outage apart from incidents", () => {
    const impaired = intent("monitor-impaired", undefined, {
      provider: "okta",
      staleRegions: ["eu-west-1"],
      freshRegions: [],
      since: "2026-03-02T08:00:00.000Z",
    });
    expect(pagerDutyDedupKey({ ...impaired, site: "*" })).toBe(
      "idp-failover/*/monitor:2026-03-02T08:00:00.000Z",
    );
    expect(pagerDutyDedupKey(intent("provider-down", undefined, { provider: "entra", evidence: [] }))).toBe(
      "idp-failover/acme/provider:entra",
    );
  });
});

/** A card's FactSet as title -> value. */
function factsOf(card: Record<string, unknown> | undefined): Record<string, string> {
  const body = (card?.body ?? []) as Array<{ type: string; facts?: Array<{ title: string; value: string }> }>;
  const factSet = body.find((element) => element.type === "FactSet");
  return Object.fromEntries((factSet?.facts ?? []).map((f) => [f.title, f.value]));
}

describe("Teams from the outbox", () => {
  it("posts an Adaptive Card with the site, state, serving IdP, time and a link, accepted with 202", async () => {
    const { notify, deliver } = world();
    await notify(
      failingOver("inc-6"),
      intent("failed-over", "inc-6", { from: "okta", to: "entra", insyncAt: new Date(start).toISOString() }),
    );

    const report = await deliver();

    expect(report.results.filter((r) => r.channel === "teams").every((r) => r.outcome === "delivered")).toBe(
      true,
    );
    const cards = teams.cards();
    expect(cards).toHaveLength(2);
    const facts = factsOf(cards[1]);
    expect(facts).toMatchObject({
      Site: "acme (login.acme.example.com)",
      State: "failed over: entra serves the login",
      Serving: "entra",
      Incident: "inc-6",
    });
    expect(cards[1]?.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open dashboard / runbook", url: runbook },
    ]);
    expect(JSON.stringify(cards)).not.toContain("Action.Submit");
  });

  it("sends nothing to a workflow URL on a loopback address, and says the rule without the URL", async () => {
    const literal = new URL(teams.webhookUrl);
    literal.hostname = "127.0.0.1";
    const { notify, deliver } = world(pagerDutyStandInRoutingKey, {
      teamsUrl: literal.href,
      allowPrivate: false,
    });
    await notify(failingOver("inc-10"));

    const report = await deliver();

    const result = report.results.find((r) => r.channel === "teams");
    expect(result?.outcome).toBe("abandoned");
    expect(result?.error).toContain("refused");
    expect(result?.error).toContain("loopback");
    expect(result?.error).not.toContain(new URL(teams.webhookUrl).search);
    expect(teams.cards()).toHaveLength(0);
  });

  it("sends nothing to a public-looking workflow name that resolves to a loopback address", async () => {
    const url = new URL(teams.webhookUrl);
    url.hostname = "prod.westus.logic.example.com";
    const { notify, deliver } = world(pagerDutyStandInRoutingKey, {
      teamsUrl: url.href,
      allowPrivate: false,
    });
    await notify(failingOver("inc-11"));

    const report = await deliver();

    const result = report.results.find((r) => r.channel === "teams");
    expect(result?.outcome).toBe("abandoned");
    expect(result?.error).toContain("127.0.0.1");
    expect(teams.cards()).toHaveLength(0);
  });

  it("retries while the workflow is throttled (429) and abandons a card Teams refuses (400)", async () => {
    const { clock, notify, deliver } = world();
    await notify(failingOver("inc-7"));
    teams.answerNext({ status: 429, retryAfterSeconds: 5 }, { status: 400, body: '{"error":"bad card"}' });

    const first = (await deliver()).results.find((r) => r.channel === "teams");
    clock.advance(5000);
    const second = (await deliver()).results.find((r) => r.channel === "teams");

    expect(first).toMatchObject({ outcome: "retry", nextAttemptAt: start + 5000 });
    expect(second).toMatchObject({ outcome: "abandoned" });
    expect(second?.error).toContain("HTTP 400");
  });

  it("never says the workflow's URL (its signature) in an error", async () => {
    const { notify, deliver } = world();
    await notify(failingOver("inc-8"));
    teams.answerNext({ status: 500 });

    const result = (await deliver()).results.find((r) => r.channel === "teams");

    expect(result?.error).toBe("Teams (teams): HTTP 500");
  });
});
