import { describe, expect, it } from "vitest";
import type { NotificationIntent } from "./effects.js";
import { FakeClock, InMemoryOutbox } from "./in-memory.js";
import { notificationChannels, notificationTargets, OutboxNotifier } from "./outbox-notifier.js";
import { testConfig } from "./testing.js";

/*
 * Which outbox channels a notification goes to: its site's own destinations, the deployment's for a
 * deployment-wide one, each destination named once whatever the number of sites that use it.
 */

const hook = (name: string, url: string) => ({ name, url, secretRef: "HOOK_SECRET" });

const config = testConfig({
  sites: ["acme", "globex", "initech"],
  alerting: { slack: { channel: "#noc" }, webhooks: [hook("noc", "https://noc.example.net/hook")] },
  siteSettings: {
    acme: { alerting: { slack: { channel: "#acme-idp" } } },
    globex: {
      alerting: {
        webhooks: [
          hook("noc", "https://noc.example.net/hook"),
          hook("pd", "https://events.example.com/globex"),
        ],
      },
    },
  },
});

describe("notification channels", () => {
  it("send a site's notifications to its own destinations and deployment-wide ones to the deployment's", () => {
    // Act
    const channelsOf = notificationChannels(config);

    // Assess
    expect(channelsOf("acme")).toEqual(["slack@acme", "webhook:noc"]);
    expect(channelsOf("globex")).toEqual(["slack", "webhook:noc", "webhook:pd@globex"]);
    expect(channelsOf("initech")).toEqual(["slack", "webhook:noc"]);
    expect(channelsOf("*")).toEqual(["slack", "webhook:noc"]);
  });

  it("list each destination once, with the settings it is sent with", () => {
    // Act
    const targets = notificationTargets(config);

    // Assess
    expect(targets.map((t) => t.channel)).toEqual([
      "slack",
      "webhook:noc",
      "slack@acme",
      "webhook:pd@globex",
    ]);
    expect(targets.find((t) => t.channel === "slack@acme")).toMatchObject({
      slack: { channel: "#acme-idp" },
    });
  });

  it("enqueue each intent on its own site's channels", async () => {
    // Prepare
    const outbox = new InMemoryOutbox();
    const notifier = new OutboxNotifier(outbox, notificationChannels(config), new FakeClock(0));
    const intent = (site: string): NotificationIntent => ({
      id: `${site}:1:monitor`,
      kind: "monitor-restored",
      site,
      at: "2026-12-04T10:00:00.000Z",
      provider: "*",
      since: "2026-12-04T09:50:00.000Z",
    });

    // Act
    await notifier.notify([intent("acme"), intent("*")]);

    // Assess
    expect([...outbox.deliveries.values()].map((d) => `${d.intent.site} ${d.channel}`).sort()).toEqual([
      "* slack",
      "* webhook:noc",
      "acme slack@acme",
      "acme webhook:noc",
    ]);
  });
});
