import { FakeClock } from "@idp-failover/core";
import {
  ClientCredentials,
  type HttpClient,
  HttpRequestError,
  NodeHttpClient,
  TokenRequestError,
} from "@idp-failover/http";
import { entraGraphCredentials } from "@idp-failover/http/graph";
import {
  createTestCa,
  type EntraStandIn,
  entraStandInDefaults,
  startEntraStandIn,
} from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "../support/rejection.js";

/*
 * The one client-credentials flow against the Entra stand-in's v2.0 token endpoint (real HTTPS, a
 * test CA): a token is kept until five minutes before it expires by the clock it is given, minted
 * again after that or when told to forget it, and a refusal says which OAuth error it was.
 */

const { tenantId } = entraStandInDefaults;
const { clientId, clientSecret } = entraStandInDefaults.client;
let entra: EntraStandIn;
let http: NodeHttpClient;

beforeAll(async () => {
  const ca = await createTestCa();
  entra = await startEntraStandIn({ ca });
  http = new NodeHttpClient({ ca: ca.certPem });
});
afterAll(async () => {
  await entra.close();
});

function graphApp(clock: FakeClock, secret = clientSecret): ClientCredentials {
  return entraGraphCredentials(
    { tenantId, clientId, clientSecret: secret, loginUrl: entra.url, graphUrl: entra.graphUrl },
    { http, clock },
  );
}

describe("client credentials", () => {
  it("keeps a token until five minutes before it expires, by the clock it is given", async () => {
    // Prepare: the stand-in's tokens live 3599 s, as Entra's do.
    const clock = new FakeClock(Date.parse("2026-12-01T00:00:00Z"));
    const credentials = graphApp(clock);
    const before = entra.count("token");

    // Act
    const first = await credentials.accessToken();
    clock.advance((3599 - 301) * 1000);
    const kept = await credentials.accessToken();
    clock.advance(2000);
    const renewed = await credentials.accessToken();

    // Assess
    expect(kept).toBe(first);
    expect(renewed).not.toBe(first);
    expect(entra.count("token") - before).toBe(2);
  });

  it("mints a new token once told to forget the one it holds (the resource server refused it)", async () => {
    // Prepare
    const clock = new FakeClock(Date.parse("2026-12-01T00:00:00Z"));
    const credentials = graphApp(clock);
    await credentials.accessToken();
    const before = entra.count("token");

    // Act
    credentials.forget();
    await credentials.accessToken();

    // Assess
    expect(entra.count("token") - before).toBe(1);
  });

  it("says the endpoint refused the credentials, as auth with the OAuth error, never quoting the secret", async () => {
    // Act
    const error = await rejectionOf(
      graphApp(new FakeClock(0), "not-the-secret").accessToken(),
      TokenRequestError,
    );

    // Assess
    expect(error).toMatchObject({ errorClass: "auth", status: 401, oauthError: "invalid_client" });
    expect(error.message).toMatch(/^Entra token endpoint: HTTP 401 invalid_client/);
    expect(error.message).not.toContain("not-the-secret");
  });

  it("never sends a client secret over plain http to another host", async () => {
    // Prepare: a client that records what it is asked to send.
    const asked: string[] = [];
    const recording: HttpClient = {
      request: async (url) => {
        asked.push(url);
        throw new Error("not reached");
      },
      agentFor: () => {
        throw new Error("not used");
      },
    };
    const credentials = new ClientCredentials(
      { tokenUrl: "http://idp.example/oauth2/v1/token", clientId, clientSecret, scope: "s" },
      { http: recording, clock: new FakeClock(0) },
    );

    // Act
    const error = await rejectionOf(credentials.accessToken(), HttpRequestError);

    // Assess
    expect(error.message).toContain("without TLS");
    expect(asked).toEqual([]);
  });
});
