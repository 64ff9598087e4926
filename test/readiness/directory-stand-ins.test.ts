import { NodeHttpClient } from "@idp-failover/http";
import { entraStandInDefaults, oktaStandInDefaults } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReadinessWorld, startReadinessWorld } from "./world.js";

/*
 * The directory stand-ins' wire formats as a client without an SDK sees them: Okta's Link header,
 * rate-limit headers and error bodies; Graph's paging and error bodies.
 */

let world: ReadinessWorld;
let http: NodeHttpClient;
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  world = await startReadinessWorld({ users: 30, groups: 3, apps: [{ name: "Salesforce", groups: [0] }] });
  http = new NodeHttpClient({ ca: world.ca.certPem });
});
afterAll(async () => {
  await world.close();
});

const okta = (path: string, authorization = `SSWS ${oktaStandInDefaults.apiToken}`) =>
  http.request(`${world.okta.url}${path}`, { headers: { authorization }, signal: signal() });

async function graphToken(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: entraStandInDefaults.readinessClient.clientId,
    client_secret: entraStandInDefaults.readinessClient.clientSecret,
    scope: `${world.entra.graphUrl}/.default`,
  });
  const answer = await http.request(`${world.entra.url}/${entraStandInDefaults.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    signal: signal(),
  });
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}

describe("the Okta directory stand-in", () => {
  it("pages with limit and a Link rel=next, and counts each bucket in X-Rate-Limit-*", async () => {
    const first = await okta("/api/v1/users?limit=20");
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1] ?? "";
    const second = await http.request(next, {
      headers: { authorization: `SSWS ${oktaStandInDefaults.apiToken}` },
      signal: signal(),
    });

    expect((JSON.parse(first.body) as unknown[]).length).toBe(20);
    expect((JSON.parse(second.body) as unknown[]).length).toBe(10);
    expect(second.headers.link).not.toContain('rel="next"');
    expect(Number(second.headers["x-rate-limit-remaining"])).toBe(
      Number(first.headers["x-rate-limit-remaining"]) - 1,
    );
    expect(first.headers["x-rate-limit-limit"]).toBe("600");
    expect(Number(first.headers["x-rate-limit-reset"])).toBeGreaterThan(0);
  });

  it("lists apps and their assignments, and says which app it does not know", async () => {
    const apps = JSON.parse((await okta("/api/v1/apps")).body) as Array<{ id: string; label: string }>;
    const users = JSON.parse((await okta(`/api/v1/apps/${apps[0]?.id}/users`)).body) as Array<{
      scope: string;
    }>;
    const missing = await okta("/api/v1/apps/0oaNope/users");

    expect(apps.map((a) => a.label)).toEqual(["Salesforce"]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((u) => u.scope === "GROUP")).toBe(true);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ errorCode: "E0000007" });
  });

  it("refuses a bad token with E0000011", async () => {
    const answer = await okta("/api/v1/groups", "SSWS wrong");

    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({
      errorCode: "E0000011",
      errorSummary: "Invalid token provided",
    });
  });
});

describe("the Graph directory stand-in", () => {
  it("pages users with $top (at most 999) and @odata.nextLink", async () => {
    const token = await graphToken();
    const answer = await http.request(
      `${world.entra.graphUrl}/v1.0/users?$top=25&$select=id,userPrincipalName`,
      {
        headers: { authorization: `Bearer ${token}` },
        signal: signal(),
      },
    );
    const page = JSON.parse(answer.body) as {
      value: Array<Record<string, unknown>>;
      "@odata.nextLink"?: string;
    };

    expect(page.value).toHaveLength(25);
    expect(Object.keys(page.value[0] ?? {})).toEqual(["id", "userPrincipalName"]);
    expect(page["@odata.nextLink"]).toContain("$skiptoken=25");
  });

  it("answers a token without the permission with 403 Authorization_RequestDenied", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: entraStandInDefaults.client.clientId,
      client_secret: entraStandInDefaults.client.clientSecret,
      scope: `${world.entra.graphUrl}/.default`,
    });
    const tokenAnswer = await http.request(
      `${world.entra.url}/${entraStandInDefaults.tenantId}/oauth2/v2.0/token`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        signal: signal(),
      },
    );
    const token = (JSON.parse(tokenAnswer.body) as { access_token: string }).access_token;

    const answer = await http.request(`${world.entra.graphUrl}/v1.0/servicePrincipals`, {
      headers: { authorization: `Bearer ${token}` },
      signal: signal(),
    });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: {
        code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.",
      },
    });
    expect(answer.headers["request-id"]).toBeDefined();
  });
});
