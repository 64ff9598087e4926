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
