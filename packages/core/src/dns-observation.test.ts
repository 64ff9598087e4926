import { describe, expect, it } from "vitest";
import { acceptedAnswers, dnsDisagreements, nextObservation, publicDnsDue } from "./dns-observation.js";
import { evaluateSite } from "./evaluate.js";
import { FakeClock, InMemoryNotifier, InMemoryStore, inMemoryEvaluatorDeps } from "./in-memory.js";
import { initialSiteState, type SiteState } from "./site-state.js";
import { testConfig, testSite } from "./testing.js";

/*
 * Public DNS against the state: a disagreement is one only after the TTL plus the change's time to
 * INSYNC, a pending change accepts both sides, and the evaluator alerts once per disagreement.
 */

const config = testConfig();
const site = testSite(config); // okta -> acme.customdomains.okta.com (primary), entra -> acme-login.azurefd.net, TTL 60 s
const t0 = Date.parse("2026-12-04T10:00:00Z");
const minute = 60_000;

function primaryActive(at = t0): SiteState {
  return initialSiteState(site, at, { okta: 100, entra: 0 });
}

describe("public DNS observations", () => {
  it("keep their `since` while the answers stay, and start again when they move", () => {
    const first = nextObservation(undefined, "eu-west-1", ["ACME.customdomains.okta.com."], undefined, t0);
    expect(first).toEqual({ region: "eu-west-1", answers: ["acme.customdomains.okta.com"], since: t0 });
    expect(nextObservation(first, "eu-west-1", ["acme.customdomains.okta.com"], undefined, t0 + minute)).toBe(
      first,
    );
    const moved = nextObservation(first, "eu-west-1", [], "NXDOMAIN", t0 + 2 * minute);
    expect(moved).toEqual({ region: "eu-west-1", answers: [], error: "NXDOMAIN", since: t0 + 2 * minute });
  });

  it("accept the targets of providers with weight, both sides while a change is pending", () => {
    const state = primaryActive();
    expect([...acceptedAnswers(site, state)]).toEqual(["acme.customdomains.okta.com"]);
    const pending = {
      ...state,
      dns: {
        weights: { okta: 0, entra: 100 },
        purpose: "failover" as const,
        requestedAt: new Date(t0).toISOString(),
        attempts: 1,
      },
    };
    expect([...acceptedAnswers(site, pending)].sort()).toEqual([
      "acme-login.azurefd.net",
      "acme.customdomains.okta.com",
    ]);
  });

  it("disagree only after the TTL plus the time to INSYNC", () => {
    const state = primaryActive();
    const stuck = nextObservation(undefined, "us-west-2", ["acme-login.azurefd.net"], undefined, t0 + minute);
    const grace = 60_000 + config.policy.dns.insyncTimeoutSeconds * 1000;
    expect(dnsDisagreements(site, state, [stuck], config.policy, t0 + minute + grace)).toEqual([]);
    expect(dnsDisagreements(site, state, [stuck], config.policy, t0 + minute + grace + 1)).toEqual([
      {
        region: "us-west-2",
        answers: ["acme-login.azurefd.net"],
        expected: ["acme.customdomains.okta.com"],
        since: t0 + minute,
        graceMs: grace,
      },
    ]);
    const agrees = nextObservation(undefined, "eu-west-1", ["acme.customdomains.okta.com"], undefined, t0);
    expect(dnsDisagreements(site, state, [agrees], config.policy, t0 + 60 * minute)).toEqual([]);
  });

  it("count the grace from the state's last change, with the measured time to INSYNC when there is one", () => {
    const changedAt = t0 + 10 * minute;
    const state: SiteState = {
      ...primaryActive(),
      since: new Date(changedAt).toISOString(),
      incident: {
        id: "i1",
        site: site.id,
        provider: "okta",
        start: new Date(t0).toISOString(),
        detectedAt: new Date(t0).toISOString(),
        dnsSubmittedAt: new Date(changedAt - 40_000).toISOString(),
        insyncAt: new Date(changedAt).toISOString(),
        evidence: [],
      },
    };
    const old = nextObservation(undefined, "eu-west-1", ["acme-login.azurefd.net"], undefined, t0);
    const due = dnsDisagreements(site, state, [old], config.policy, changedAt + 100_001);
    expect(due.map((d) => [d.since, d.graceMs])).toEqual([[changedAt, 100_000]]);
    expect(dnsDisagreements(site, state, [old], config.policy, changedAt + 100_000)).toEqual([]);
  });

  it("resolve once per `everySeconds`, on the round that starts the period", () => {
    const due = [0, 10, 20, 50, 60, 70].map((s) => publicDnsDue(t0 + s * 1000, 60, 10));
    expect(due).toEqual([true, false, false, false, true, false]);
  });
});

describe("evaluateSite and public DNS", () => {
  it("alerts once when a region's answer has disagreed too long, and not before", async () => {
    // Prepare: the site is primary-active; eu-west-1 sees the secondary's path since t0.
    const clock = new FakeClock(t0);
    const store = new InMemoryStore();
    const notifier = new InMemoryNotifier();
    const deps = inMemoryEvaluatorDeps(store, clock, { notifier });
    deps.dns.records.set(site.id, { okta: 100, entra: 0 });
    await store.saveDnsObservation(site.id, {
      region: "eu-west-1",
      answers: ["acme-login.azurefd.net"],
      since: t0,
    });
    // Act
    await evaluateSite(deps, config, site.id);
    const early = notifier.intents.filter((i) => i.kind === "dns-disagrees").length;
    clock.set(t0 + 10 * minute);
    await evaluateSite(deps, config, site.id);
    clock.set(t0 + 11 * minute);
    await evaluateSite(deps, config, site.id);
    // Assess
    expect(early).toBe(0);
    const alerts = notifier.intents.filter((i) => i.kind === "dns-disagrees");
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: "dns-disagrees",
        region: "eu-west-1",
        hostname: site.hostname,
        answers: ["acme-login.azurefd.net"],
        expected: ["acme.customdomains.okta.com"],
      }),
    ]);
  });
});
