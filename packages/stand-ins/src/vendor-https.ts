import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { closeServer } from "./http-parts.js";
import type { TestCa } from "./test-ca.js";

/*
 * What the PagerDuty and Teams stand-ins share: HTTPS on 127.0.0.1 with a certificate from the test
 * CA (the vendors are only reached over TLS), and answers planned ahead by a test (a 429 with its
 * Retry-After, a 500, a hang) before the vendor's own handling.
 */

export type PlannedAnswer =
  | { status: number; retryAfterSeconds?: number; body?: string }
  /** Hold the request open without answering (a hung vendor). */
  | { hang: true };

export interface PlannedAnswers {
  /** Answers the next requests like this, in order (then the vendor's own answers again). */
  answerNext(...answers: PlannedAnswer[]): void;
  /** The next planned answer, if any. */
  take(): PlannedAnswer | undefined;
}

export function plannedAnswers(): PlannedAnswers {
  const queued: PlannedAnswer[] = [];
  return {
    answerNext: (...answers) => {
      queued.push(...answers);
    },
    take: () => queued.shift(),
  };
}

/** Writes a planned answer; false when the request is left hanging. */
export function writePlanned(res: ServerResponse, planned: PlannedAnswer): boolean {
  if ("hang" in planned) return false;
  res.writeHead(planned.status, {
    "content-type": "application/json",
    ...(planned.retryAfterSeconds !== undefined ? { "retry-after": String(planned.retryAfterSeconds) } : {}),
  });
  res.end(planned.body ?? JSON.stringify({ status: "unavailable", message: `planned ${planned.status}` }));
  return true;
}

export async function listenHttps(
  ca: TestCa,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string; close: () => Promise<void> }> {
  const identity = await ca.issue();
  const server = createServer({ key: identity.key, cert: identity.cert }, handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `https://127.0.0.1:${port}`, close: () => closeServer(server) };
}
