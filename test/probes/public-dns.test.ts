import { resolvePublicly } from "@idp-failover/probes";
import { type PublicDnsStandIn, startPublicDnsStandIn } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/* resolvePublicly (node:dns Resolver) against a local DNS server on 127.0.0.1 (dns2 over UDP). */

let dns: PublicDnsStandIn;
beforeAll(async () => {
  dns = await startPublicDnsStandIn();
});
afterAll(async () => {
  await dns.close();
});

describe("resolvePublicly", () => {
  it("answers the CNAME target Route 53 serves for a weighted CNAME, lowercase without the dot", async () => {
    dns.answer("login.acme.test", { type: "CNAME", target: "OKTA.idp.acme.test." });
    const answer = await resolvePublicly("login.acme.test", "CNAME", { servers: [dns.server] });
    expect(answer).toEqual({ answers: ["okta.idp.acme.test"] });
    expect(dns.queries).toContain("login.acme.test");
  });

  it("answers the addresses of an A record", async () => {
    dns.answer("a.acme.test", { type: "A", addresses: ["192.0.2.10", "192.0.2.11"] });
    const answer = await resolvePublicly("a.acme.test", "A", { servers: [dns.server] });
    expect(answer.answers.sort()).toEqual(["192.0.2.10", "192.0.2.11"]);
  });

  it("says NXDOMAIN when the name does not exist, as a value", async () => {
    dns.answer("gone.acme.test", { type: "NXDOMAIN" });
    expect(await resolvePublicly("gone.acme.test", "CNAME", { servers: [dns.server] })).toEqual({
      answers: [],
      error: "NXDOMAIN",
    });
  });

  it("says TIMEOUT when no resolver answers", async () => {
    // A UDP port nobody listens on: the resolver retries, then gives up.
    const answer = await resolvePublicly("login.acme.test", "CNAME", {
      servers: ["127.0.0.1:9"],
      timeoutMs: 200,
      tries: 1,
    });
    expect(answer.answers).toEqual([]);
    expect(["TIMEOUT", "REFUSED"]).toContain(answer.error);
  });
});
