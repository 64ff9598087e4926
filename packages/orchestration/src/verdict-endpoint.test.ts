import type { DataPlaneItem } from "@idp-failover/core/data-plane-answer";
import { describe, expect, it } from "vitest";
import { answerVerdictRequest, type VerdictEndpointDeps } from "./verdict-endpoint.js";

/* The verdict endpoint's answers, apart from Lambda and DynamoDB. */

const now = Date.parse("2026-05-04T09:00:00Z");
const manifest = { sites: [{ id: "acme", providers: ["okta", "entra"] }], staleAfterSeconds: 45 };

function deps(get: (site: string, region: string) => Promise<DataPlaneItem | undefined>) {
  const errors: string[] = [];
  const endpoint: VerdictEndpointDeps = {
    manifest,
    region: "eu-west-1",
    items: { get },
    now: () => now,
    onError: (_error, site) => errors.push(site),
  };
  return { endpoint, errors };
}

const oktaDown = async (): Promise<DataPlaneItem> => ({
  site: "acme",
  region: "eu-west-1",
  writtenAt: now,
  providers: { okta: { lastRoundAt: now, down: true, latched: false } },
});

describe("answerVerdictRequest", () => {
  it("answers a health check from the region's item, uncached", async () => {
    const { endpoint } = deps(oktaDown);
    const answer = await answerVerdictRequest({ method: "GET", path: "/v1/health/acme/okta" }, endpoint);
    expect(answer).toEqual({
      statusCode: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      body: "down in this region\n",
    });
  });

  it("abstains (200) when the region's item cannot be read, and reports the failure", async () => {
    const { endpoint, errors } = deps(async () => {
      throw new Error("ProvisionedThroughputExceededException");
    });
    const answer = await answerVerdictRequest({ method: "GET", path: "/v1/health/acme/okta" }, endpoint);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatch(/abstains/);
    expect(errors).toEqual(["acme"]);
  });

  it("refuses other methods and paths without reading anything", async () => {
    let reads = 0;
    const { endpoint } = deps(async () => {
      reads++;
      return undefined;
    });
    const post = await answerVerdictRequest({ method: "POST", path: "/v1/health/acme/okta" }, endpoint);
    const other = await answerVerdictRequest({ method: "GET", path: "/v1/health/acme" }, endpoint);
    const unknown = await answerVerdictRequest({ method: "GET", path: "/v1/health/acme/ping" }, endpoint);
    expect([post.statusCode, other.statusCode, unknown.statusCode]).toEqual([405, 404, 404]);
    expect(unknown.body).toBe("unknown provider\n");
    expect(reads).toBe(0);
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
      return (
        entry && {
          site,
          region: "eu-west-1",
          writtenAt: now,
          providers: { okta: { lastRoundAt: now, ...entry } },
        }
      );
    },
  });
  const ask = (
    state: Record<string, { down: boolean; latched: boolean }>,
    path = "/v1/path/okta.front.example",
  ) =>
    answerVerdictRequest(
      { method: "GET", path },
      { manifest: shared, region: "eu-west-1", items: items(state), now: () => now },
    );

  it("reads every member's item and says down only when all fresh members are down", async () => {
    const both = await ask({ a: { down: true, latched: false }, b: { down: true, latched: false } });
    expect(both.statusCode).toBe(503);
    const one = await ask({ a: { down: true, latched: false }, b: { down: false, latched: false } });
    expect(one.statusCode).toBe(200);
  });

  it("keeps the latch only while every member holds it", async () => {
    expect(
      (await ask({ a: { down: false, latched: true }, b: { down: false, latched: true } })).statusCode,
    ).toBe(503);
    expect(
      (await ask({ a: { down: false, latched: true }, b: { down: false, latched: false } })).statusCode,
    ).toBe(200);
  });

  it("does not know a path that is not shared", async () => {
    expect((await ask({}, "/v1/path/elsewhere.example")).statusCode).toBe(404);
  });
});
