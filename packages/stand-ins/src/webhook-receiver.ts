import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBody } from "./http-parts.js";

/*
 * A webhook receiver on 127.0.0.1 that checks Standard Webhooks signatures the way docs/webhooks.md
 * tells receivers to (written from that document, not from the sender's code): the key is the base64
 * after `whsec_`, HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{raw body}" in base64, compared
 * in constant time against each space-separated `v1,` value of webhook-signature, the timestamp within
 * five minutes of the receiver's clock. Unverified requests get 401. It can be told to answer with an
 * error status, a Retry-After, a redirect, or not at all.
 */

/** A Standard Webhooks secret for tests, the same for the same label: `whsec_` and 32 bytes in base64. */
export function webhookTestSecret(label: string): string {
  return `whsec_${createHash("sha256").update(label).digest("base64")}`;
}

/** What a webhook pointed at a stand-in receiver needs: it is http on 127.0.0.1 (docs/webhooks.md). */
export const localReceiverAllowance = { allowInsecure: true, allowPrivate: true } as const;

export interface ReceivedWebhook {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  verified: boolean;
  /** Why verification failed. */
  problem?: string;
  /** The parsed body, when verified. */
  json?: Record<string, unknown>;
  /** What the receiver answered (0: it never answered). */
  status: number;
}

export type WebhookAnswer =
  | { status: number; retryAfterSeconds?: number; location?: string }
  /** Hold the request open without answering (a hung endpoint). */
  | { hang: true };

export interface WebhookReceiverOptions {
  /** A Standard Webhooks secret: `whsec_` and base64. */
  secret: string;
  /** The receiver's clock in Unix seconds. Default: the wall clock. */
  nowSeconds?: () => number;
  toleranceSeconds?: number;
}

export interface WebhookReceiver {
  url: string;
  readonly received: readonly ReceivedWebhook[];
  /** Bodies that verified and were accepted (answered 2xx), in arrival order. */
  accepted(): Array<Record<string, unknown>>;
  /** Answers the next requests like this, in order (then 200 again). */
  answerNext(...answers: WebhookAnswer[]): void;
  /** Answers every request like this until `reset`. */
  answerAll(answer: WebhookAnswer): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const tolerance = options.toleranceSeconds ?? 300;
  const key = Buffer.from(options.secret.replace(/^whsec_/, ""), "base64");
  const received: ReceivedWebhook[] = [];
  const queued: WebhookAnswer[] = [];
  let always: WebhookAnswer | undefined;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void readBody(req).then((rawBody) => answer(req, res, rawBody));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function answer(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const problem = verify(req, rawBody);
    const entry: ReceivedWebhook = {
      headers: { ...req.headers },
      rawBody,
      verified: problem === undefined,
      ...(problem ? { problem } : {}),
      status: 0,
    };
    received.push(entry);
    if (problem) {
      entry.status = 401;
      res.writeHead(401).end(problem);
      return;
    }
    entry.json = JSON.parse(rawBody) as Record<string, unknown>;
    const planned = always ?? queued.shift() ?? { status: 200 };
    if ("hang" in planned) return;
    entry.status = planned.status;
    res.writeHead(planned.status, {
      "content-type": "text/plain",
      ...(planned.retryAfterSeconds !== undefined
        ? { "retry-after": String(planned.retryAfterSeconds) }
        : {}),
      ...(planned.location !== undefined ? { location: planned.location } : {}),
    });
    res.end(planned.status < 300 ? "ok" : "not now");
  }

  function verify(req: IncomingMessage, rawBody: string): string | undefined {
    const id = req.headers["webhook-id"];
    const timestamp = req.headers["webhook-timestamp"];
    const signature = req.headers["webhook-signature"];
    if (typeof id !== "string" || id === "") return "missing webhook-id";
    if (typeof timestamp !== "string" || !/^\d+$/.test(timestamp)) return "missing or malformed timestamp";
    if (Math.abs(now() - Number(timestamp)) > tolerance) return "timestamp outside the tolerance";
    if (typeof signature !== "string") return "missing signature";
    const expected = Buffer.from(
      createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest("base64"),
    );
    const matches = signature.split(" ").some((part) => {
      const given = Buffer.from(part.startsWith("v1,") ? part.slice(3) : "");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    return matches ? undefined : "signature mismatch";
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/idp-failover`,
    received,
    accepted: () =>
      received
        .filter((r) => r.verified && r.json && r.status >= 200 && r.status < 300)
        .map((r) => r.json as Record<string, unknown>),
    answerNext: (...answers) => {
      queued.push(...answers);
    },
    answerAll: (planned) => {
      always = planned;
    },
    reset: () => {
      always = undefined;
      queued.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
