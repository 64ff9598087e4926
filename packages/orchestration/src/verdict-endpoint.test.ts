import type { DataPlaneItem } from "@idp-failover/core/data-plane-answer";
import { testDataPlaneItem } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { answerVerdictRequest, type VerdictEndpointDeps } from "./verdict-endpoint.js";

/* The verdict endpoint's answers, apart from Lambda and DynamoDB: withdraw (200) or keep (404). */

const now = Date.parse("2026-05-04T09:00:00Z");
const manifest = { sites: [{ id: "acme", providers: ["okta", "entra"] }], staleAfterSeconds: 45 };
const secret = "f3b1c0de5ecret0f3b1c0de5ecret0ab";
const path = (site = "acme", provider = "okta", key = secret) => `/v1/${key}/health/${site}/${provider}`;

function deps(get: (site: string, region: string) => Promise<DataPlaneItem | undefined>) {
  const errors: string[] = [];
  const endpoint: VerdictEndpointDeps = {
    manifest,
    region: "eu-west-1",
    secret,
    items: { get },
    now: () => now,
    onError: (_error, site) => errors.push(site),
  };
  return { endpoint, errors };
}

const oktaDown = async (): Promise<DataPlaneItem> => testDataPlaneItem(now, { okta: { down: true } });

describe("answerVerdictRequest", () => {
  it("answers withdraw (200 with the marker) from the region's item when okta must go", async () => {
    const { endpoint } = deps(oktaDown);
    const answer = await answerVerdictRequest({ method: "GET", path: path() }, endpoint);
    expect(answer).toMatchObject({
      statusCode: 200,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      body: "idp-failover:withdraw down in this region\n",
      outcome: { site: "acme", provider: "okta", withdraw: true },
    });
  });

  it("keeps (404) a provider that is up", async () => {
    const { endpoint } = deps(oktaDown);
    const answer = await answerVerdictRequest({ method: "GET", path: path("acme", "entra") }, endpoint);
    expect(answer).toMatchObject({ statusCode: 404, body: "keep: not down in this region\n" });
  });

  it("keeps (404) when the region's item cannot be read, and reports the failure", async () => {
    const { endpoint, errors } = deps(async () => {
      throw new Error("ProvisionedThroughputExceededException");
    });
    const answer = await answerVerdictRequest({ method: "GET", path: path() }, endpoint);
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toMatch(/unavailable/);
    expect(errors).toEqual(["acme"]);
  });

  it("answers a wrong or missing secret exactly like an unknown path, without reading anything", async () => {
    let reads = 0;
    const { endpoint } = deps(async () => {
      reads++;
      return oktaDown();
    });
    const wrong = await answerVerdictRequest(
      { method: "GET", path: path("acme", "okta", "guess") },
      endpoint,
    );
    const missing = await answerVerdictRequest({ method: "GET", path: "/v1/health/acme/okta" }, endpoint);
    const post = await answerVerdictRequest({ method: "POST", path: path() }, endpoint);
    expect([wrong.statusCode, wrong.body]).toEqual([404, "keep: not found\n"]);
    expect([missing.statusCode, missing.body]).toEqual([404, "keep: not found\n"]);
    expect(post.statusCode).toBe(405);
    expect(JSON.stringify([wrong, missing])).not.toContain(secret);
    expect(reads).toBe(0);
  });

  it("keeps (404) for a site or provider the manifest does not have", async () => {
    const { endpoint } = deps(oktaDown);
    const unknown = await answerVerdictRequest({ method: "GET", path: path("acme", "ping") }, endpoint);
    expect([unknown.statusCode, unknown.body]).toEqual([404, "keep: unknown provider\n"]);
  });

  it("never withdraws without a configured secret", async () => {
    const { endpoint } = deps(oktaDown);
    const answer = await answerVerdictRequest(
      { method: "GET", path: "/v1//health/acme/okta" },
      { ...endpoint, secret: "" },
    );
    expect(answer.statusCode).toBe(404);
  });
});

describe("answerVerdictRequest for a shared path", () => {
  const shared = {
    sites: [
      { id: "a", providers: ["okta", "entra"] },
      { id: "b", providers: ["okta", "entra"] },
    ],
    sharedPaths: [
      {
        target: "okta.front.example",
        members: [
          { site: "a", provider: "okta" },
          { site: "b", provider: "okta" },
        ],
      },
    ],
    staleAfterSeconds: 45,
  };
  const items = (state: Record<string, { down: boolean; latched: boolean }>) => ({
    get: async (site: string): Promise<DataPlaneItem | undefined> => {
      const entry = state[site];
      return entry && testDataPlaneItem(now, { site, okta: entry });
    },
  });
  const ask = (
    state: Record<string, { down: boolean; latched: boolean }>,
    path = `/v1/${secret}/path/okta.front.example`,
  ) =>
    answerVerdictRequest(
      { method: "GET", path },
      { manifest: shared, region: "eu-west-1", secret, items: items(state), now: () => now },
    );

  it("reads every member's item and withdraws (200) only when every member's answer is withdraw", async () => {
    const both = await ask({ a: { down: true, latched: false }, b: { down: true, latched: false } });
    expect(both.statusCode).toBe(200);
    const one = await ask({ a: { down: true, latched: false }, b: { down: false, latched: false } });
    expect(one.statusCode).toBe(404);
  });

  it("withdraws for the latch only while every member holds it", async () => {
    expect(
      (await ask({ a: { down: false, latched: true }, b: { down: false, latched: true } })).statusCode,
    ).toBe(200);
    expect(
      (await ask({ a: { down: false, latched: true }, b: { down: false, latched: false } })).statusCode,
    ).toBe(404);
  });

  it("does not know a path that is not shared, nor one asked without the secret", async () => {
    expect((await ask({}, `/v1/${secret}/path/elsewhere.example`)).statusCode).toBe(404);
    const noSecret = await ask(
      { a: { down: false, latched: true }, b: { down: false, latched: true } },
      "/v1/path/okta.front.example",
    );
    expect(noSecret.statusCode).toBe(404);
  });
});
