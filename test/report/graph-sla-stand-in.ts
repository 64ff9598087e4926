import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TestCa } from "@idp-failover/stand-ins";

/*
 * Microsoft Graph's Entra SLA attainment endpoint on 127.0.0.1 over HTTPS (test CA), as Microsoft
 * documents it: `GET /beta/reports/sla/azureADAuthentication` answers
 * `{ "@odata.context": ..., "attainments": [{ "startDate": "2026-10-01", "endDate": "2026-10-31", "score": 99.999 }] }`
 * to a bearer whose token was minted for this host (its `aud`), and Graph's error shape otherwise.
 * Tokens come from the Entra stand-in, whose token endpoint plays login.microsoftonline.com.
 */

export interface Attainment {
  startDate: string;
  endDate: string;
  score: number;
}

export interface GraphSlaStandIn {
  url: string;
  attainments: Attainment[];
  /** Answer the next requests with this status and Graph error code (403 Authorization_RequestDenied...). */
  refuse(status: number, code: string): void;
  readonly requests: Array<{ path: string; authorized: boolean }>;
  close(): Promise<void>;
}

export async function startGraphSlaStandIn(ca: TestCa): Promise<GraphSlaStandIn> {
  const identity = await ca.issue();
  const attainments: Attainment[] = [];
  const requests: GraphSlaStandIn["requests"] = [];
  let refusal: { status: number; code: string } | undefined;
  let url = "";
  const server: Server = createServer({ key: identity.key, cert: identity.cert }, (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const authorized = audienceOf(req.headers.authorization) === url;
    requests.push({ path, authorized });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "request-id": randomUUID() });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string) =>
      send(status, { error: { code, message, innerError: { "request-id": randomUUID() } } });
    if (path !== "/beta/reports/sla/azureADAuthentication")
      return error(404, "BadRequest", "Resource not found");
    if (!authorized) return error(401, "InvalidAuthenticationToken", "Access token validation failure.");
    if (refusal)
      return error(refusal.status, refusal.code, "Insufficient privileges to complete the operation.");
    return send(200, {
      "@odata.context": `${url}/beta/$metadata#reports/sla/azureADAuthentication/$entity`,
      attainments,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    attainments,
    refuse(status, code) {
      refusal = { status, code };
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `aud` claim of a bearer JWT (not verified: the Entra stand-in's own tests cover its tokens). */
function audienceOf(authorization: string | undefined): string | undefined {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  const payload = token?.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const aud = (claims as { aud?: unknown }).aud;
    return typeof aud === "string" ? aud : undefined;
  } catch {
    return undefined;
  }
}
