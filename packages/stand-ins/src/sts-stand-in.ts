import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { closeServer, escapeXml, readBody, startOnLoopback } from "./http-parts.js";

/*
 * AWS STS on 127.0.0.1, as far as `GetCallerIdentity` goes, in STS's query protocol: a form POST
 * (`Action=GetCallerIdentity&Version=2011-06-15`), answered with
 * `GetCallerIdentityResponse/GetCallerIdentityResult/{Arn,UserId,Account}` and `ResponseMetadata`,
 * errors in the query envelope (`ErrorResponse/Error/{Type,Code,Message}`). Who the caller is comes
 * from the access key id in the request's SigV4 `Authorization` header, so two operators are two
 * keys; an unknown key is refused as AWS refuses one (`InvalidClientTokenId`, HTTP 403).
 */

export interface StsIdentity {
  arn: string;
  account: string;
  userId: string;
}

export type StsFaultCode = "InvalidClientTokenId" | "ExpiredToken" | "AccessDenied" | "Throttling";

const faultStatus: Record<StsFaultCode, number> = {
  InvalidClientTokenId: 403,
  ExpiredToken: 400,
  AccessDenied: 403,
  Throttling: 400,
};

const faultMessage: Record<StsFaultCode, string> = {
  InvalidClientTokenId: "The security token included in the request is invalid.",
  ExpiredToken: "The security token included in the request is expired",
  AccessDenied: "User is not authorized to perform this operation",
  Throttling: "Rate exceeded",
};

export class StsStandIn {
  /** Access key ids of the GetCallerIdentity calls answered (or refused), in order. */
  readonly calls: string[] = [];
  private readonly identities = new Map<string, StsIdentity>();
  private readonly faults: StsFaultCode[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static start(options: { identities?: Record<string, StsIdentity> } = {}): Promise<StsStandIn> {
    return startOnLoopback(
      (server, url) => {
        const standIn = new StsStandIn(server, url);
        for (const [key, identity] of Object.entries(options.identities ?? {}))
          standIn.setIdentity(key, identity);
        return standIn;
      },
      (standIn, req, res) => standIn.serve(req, res),
    );
  }

  /** Whose credentials `accessKeyId` is. */
  setIdentity(accessKeyId: string, identity: StsIdentity): void {
    this.identities.set(accessKeyId, identity);
  }

  /** The next `times` calls fail with `code`. */
  failNext(code: StsFaultCode, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(code);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const requestId = randomUUID();
    const reply = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
      res.end(body);
    };
    const refuse = (code: StsFaultCode | "InvalidAction", message: string, status: number) =>
      reply(
        status,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    if (
      req.method !== "POST" ||
      form.get("Action") !== "GetCallerIdentity" ||
      form.get("Version") !== "2011-06-15"
    ) {
      refuse("InvalidAction", `the STS stand-in answers GetCallerIdentity (Version 2011-06-15) only`, 400);
      return;
    }
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    this.calls.push(accessKeyId);
    const fault = this.faults.shift();
    if (fault) {
      refuse(fault, faultMessage[fault], faultStatus[fault]);
      return;
    }
    const identity = this.identities.get(accessKeyId);
    if (!identity) {
      refuse("InvalidClientTokenId", faultMessage.InvalidClientTokenId, 403);
      return;
    }
    reply(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${escapeXml(identity.arn)}</Arn><UserId>${escapeXml(identity.userId)}</UserId><Account>${escapeXml(identity.account)}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  }
}
