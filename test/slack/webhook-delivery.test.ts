import { type WebhookEndpoint, webhookEndpoints } from "@idp-failover/slack";
import {
  localReceiverAllowance,
  startWebhookReceiver,
  type WebhookReceiver,
  webhookTestSecret,
} from "@idp-failover/stand-ins";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harnessConfig, SiteHarness } from "./harness.js";

/*
 * Signed webhooks from the outbox to receivers on 127.0.0.1 that verify signatures as
 * docs/webhooks.md describes: every event arrives signed, and a dead or slow endpoint delays only
 * its own deliveries.
 */

let ops: WebhookReceiver;
let audit: WebhookReceiver;
let site: SiteHarness;
const secrets = { ops: webhookTestSecret("ops"), audit: webhookTestSecret("audit") };

beforeEach(async () => {
  const receiverClock = () => Math.floor(site.clock.now() / 1000);
  ops = await startWebhookReceiver({ secret: secrets.ops, nowSeconds: receiverClock });
  audit = await startWebhookReceiver({ secret: secrets.audit, nowSeconds: receiverClock });
  site = new SiteHarness(
    // The config names the channels (validate admits public URLs only); `endpoints()` hands the
    // deliverer the local receivers with the test-only allowance.
    harnessConfig([
      { name: "ops", url: "https://ops.hooks.example.com/idp-failover" },
      { name: "audit", url: "https://audit.hooks.example.com/idp-failover" },
    ]),
  );
});

afterEach(async () => {
  await Promise.all([ops.close(), audit.close()]);
});

function endpoints(overrides: Partial<Record<"ops" | "audit", string>> = {}): WebhookEndpoint[] {
  return [
    { name: "ops", url: ops.url, secret: overrides.ops ?? secrets.ops, ...localReceiverAllowance },
    { name: "audit", url: audit.url, secret: overrides.audit ?? secrets.audit, ...localReceiverAllowance },
  ];
}

function deliver(hooks = endpoints(), timeoutMs = 5000) {
  return site.deliver({ webhooks: hooks, webhookTimeoutMs: timeoutMs });
}

async function failOver() {
  await site.step({ okta: "ok" });
  await site.stepUntil({ okta: "down" }, async () => (await site.stateName()) === "secondary-active");
}

const webhookIntents = (name: string) =>
  [...site.outbox.deliveries.values()].filter((d) => d.channel === `webhook:${name}`).map((d) => d.intent);

describe("webhook delivery", () => {
  it("posts every notification, signed, with a schema version and its id and kind in headers", async () => {
    // Prepare
    await failOver();
    // Act
    await deliver();
    // Assess
    const expected = webhookIntents("ops");
    expect(expected.map((i) => i.kind)).toEqual(expect.arrayContaining(["failing-over", "failed-over"]));
    expect(ops.received.every((r) => r.verified)).toBe(true);
    expect(ops.accepted()).toEqual(expected.map((intent) => ({ schemaVersion: 1, ...intent })));
    expect(ops.received.map((r) => [r.headers["webhook-id"], r.headers["idp-failover-event"]])).toEqual(
      expected.map((i) => [i.id, i.kind]),
    );
    expect(audit.accepted()).toHaveLength(expected.length);
  });

  it("never lets a hung endpoint hold back another one", async () => {
    await failOver();
    ops.answerAll({ hang: true });

    const report = await deliver(endpoints(), 1500);

    expect(audit.accepted()).toHaveLength(webhookIntents("audit").length);
    const opsResults = report.results.filter((r) => r.channel === "webhook:ops");
    expect(opsResults).toEqual([
      expect.objectContaining({ outcome: "retry", error: "ops: no answer within 1500 ms" }),
    ]);
    const untouched = [...site.outbox.deliveries.values()].filter(
      (d) => d.channel === "webhook:ops" && d.attempts === 0,
    );
    expect(untouched).toHaveLength(webhookIntents("ops").length - 1);
  });

  it("comes back at the endpoint's Retry-After and then delivers the rest", async () => {
    await failOver();
    ops.answerNext({ status: 503, retryAfterSeconds: 120 });

    const first = await deliver();
    const opsFirst = first.results.filter((r) => r.channel === "webhook:ops");
    expect(
      opsFirst.every((r) => r.outcome === "retry" && r.nextAttemptAt === site.clock.now() + 120_000),
    ).toBe(true);

    site.clock.advance(120_000);
    await deliver();
    expect(ops.accepted().map((b) => b.id)).toEqual(webhookIntents("ops").map((i) => i.id));
  });

  it("gives up on an endpoint that says it is gone (410), keeping the record", async () => {
    await failOver();
    ops.answerAll({ status: 410 });
    const report = await deliver();
    expect(report.results.find((r) => r.channel === "webhook:ops")).toMatchObject({
      outcome: "abandoned",
      error: "ops: HTTP 410 (endpoint gone)",
    });
    expect([...site.outbox.deliveries.values()].find((d) => d.channel === "webhook:ops")?.abandoned).toBe(
      true,
    );
  });

  it("does not follow a redirect: the signed body goes only where it was configured to", async () => {
    await failOver();
    ops.answerAll({ status: 307, location: audit.url });

    const report = await deliver([
      { name: "ops", url: ops.url, secret: secrets.ops, ...localReceiverAllowance },
    ]);

    expect(report.results.find((r) => r.channel === "webhook:ops")).toMatchObject({
      outcome: "retry",
      error: `ops: HTTP 307: a redirect to ${audit.url}, not followed; configure the final URL`,
    });
    expect(audit.received).toHaveLength(0);
  });

  it("is refused by a receiver that holds another secret, and retries until it gives up", async () => {
    await failOver();
    const retry = { maxAttempts: 3, backoffSeconds: [10], maxRetryAfterSeconds: 60 };
    for (let i = 0; i < 5; i++) {
      await site.deliver({ webhooks: endpoints({ ops: webhookTestSecret("a stale secret") }), retry });
      site.clock.advance(10_000);
    }
    expect(ops.received.length).toBeGreaterThan(0);
    expect(ops.received.every((r) => !r.verified && r.status === 401)).toBe(true);
    const first = [...site.outbox.deliveries.values()].find((d) => d.channel === "webhook:ops");
    expect(first).toMatchObject({ abandoned: true, attempts: 3, lastError: "ops: HTTP 401" });
    expect(audit.received.every((r) => r.verified)).toBe(true);
  });

  it("holds deliveries for a webhook whose secret is not resolved, rather than send them unsigned", async () => {
    await failOver();
    const { endpoints: resolved, missing } = webhookEndpoints(site.config, (ref) =>
      ref === "WEBHOOK_SECRET" ? undefined : secrets.ops,
    );
    expect(missing).toEqual([
      { channel: "webhook:ops", secretRef: "WEBHOOK_SECRET" },
      { channel: "webhook:audit", secretRef: "WEBHOOK_SECRET" },
    ]);
    const report = await deliver(resolved);
    expect(ops.received).toHaveLength(0);
    expect(audit.received).toHaveLength(0);
    const webhookResults = report.results.filter((r) => r.channel.startsWith("webhook:"));
    expect(webhookResults.map((r) => r.channel).sort()).toEqual(["webhook:audit", "webhook:ops"]);
    for (const result of webhookResults) {
      expect(result).toMatchObject({
        outcome: "retry",
        error: expect.stringContaining("no sender for channel"),
      });
    }
  });

  it("holds deliveries for a webhook whose secret is not a whsec_ secret, saying why and not quoting it", async () => {
    // Act
    const { endpoints: resolved, missing } = webhookEndpoints(site.config, () => "plain-text-password");
    // Assess
    expect(resolved).toEqual([]);
    expect(missing.map((m) => m.problem)).toEqual([
      expect.stringContaining("is not a Standard Webhooks secret"),
      expect.stringContaining("is not a Standard Webhooks secret"),
    ]);
    expect(JSON.stringify(missing)).not.toContain("plain-text-password");
  });
});

describe("webhook delivery's address rules", () => {
  const resolvesTo = (address: string) => async () => [{ address, family: 4 }];

  it("refuses a public name that resolves to a loopback address, without retrying it", async () => {
    // Prepare: the receiver listens on 127.0.0.1; its URL names a public-looking host that resolves there.
    await failOver();
    const url = ops.url.replace("127.0.0.1", "hooks.example.com");
    const endpoint = { name: "ops", url, secret: secrets.ops, allowInsecure: true };
    // Act
    const report = await site.deliver({ webhooks: [endpoint], resolveAll: resolvesTo("127.0.0.1") });
    // Assess
    expect(ops.received).toHaveLength(0);
    expect(report.results.find((r) => r.channel === "webhook:ops")).toMatchObject({
      outcome: "abandoned",
      error:
        "ops: refused: hooks.example.com resolves to 127.0.0.1, a loopback address; webhooks go to public addresses only",
    });
  });

  it("delivers to that name with the test-only allowPrivate, connecting to the address it checked", async () => {
    // Prepare
    await failOver();
    const url = ops.url.replace("127.0.0.1", "hooks.example.com");
    const endpoint = { name: "ops", url, secret: secrets.ops, ...localReceiverAllowance };
    // Act
    await site.deliver({ webhooks: [endpoint], resolveAll: resolvesTo("127.0.0.1") });
    // Assess
    expect(ops.accepted().map((b) => b.id)).toEqual(webhookIntents("ops").map((i) => i.id));
    expect(ops.received[0]?.headers.host).toBe(new URL(url).host);
  });

  it("refuses a metadata address even with allowPrivate", async () => {
    // Prepare
    await failOver();
    const endpoint = {
      name: "ops",
      url: "http://hooks.example.com/",
      secret: secrets.ops,
      ...localReceiverAllowance,
    };
    // Act
    const report = await site.deliver({
      webhooks: [endpoint],
      resolveAll: resolvesTo("169.254.169.254"),
    });
    // Assess
    expect(report.results.find((r) => r.channel === "webhook:ops")?.error).toContain(
      "169.254.169.254, a cloud metadata service",
    );
  });
});
