import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./http-parts.js";
import type { TestCa } from "./test-ca.js";
import { listenHttps, type PlannedAnswer, plannedAnswers, writePlanned } from "./vendor-https.js";

/*
 * A Teams channel's "Send webhook alerts to a channel" workflow on 127.0.0.1 over TLS, written from
 * Microsoft's documents, not from our sender: the workflow's URL carries its signature (`sig`), and
 * anyone holding the URL may post; the body is a message whose attachments are Adaptive Cards
 * (contentType application/vnd.microsoft.card.adaptive; Workflows take Adaptive Cards, not the old
 * connectors' MessageCards); Teams refuses messages over 28 KB; an accepted request is answered
 * 202 with no body (the flow runs after). A wrong signature is 401. The cards it accepted are what
 * the channel would show.
 */

export interface ReceivedTeamsMessage {
  status: number;
  problem?: string;
  /** The Adaptive Cards posted, when accepted. */
  cards: Array<Record<string, unknown>>;
}

export interface TeamsWorkflowStandIn {
  /** The workflow's URL, signature included: the secret an operator copies from Teams. */
  webhookUrl: string;
  readonly received: readonly ReceivedTeamsMessage[];
  /** Every card accepted, in arrival order: what the channel shows. */
  cards(): Array<Record<string, unknown>>;
  answerNext(...answers: PlannedAnswer[]): void;
  close(): Promise<void>;
}

const maxMessageBytes = 28 * 1024;
const workflowPath = "/powerautomate/automations/direct/workflows/0d1e2f/triggers/manual/paths/invoke";

export async function startTeamsWorkflowStandIn(options: { ca: TestCa }): Promise<TeamsWorkflowStandIn> {
  const sig = randomBytes(24).toString("base64url");
  const received: ReceivedTeamsMessage[] = [];
  const planned = plannedAnswers();

  function refuse(res: ServerResponse, status: number, problem: string): void {
    received.push({ status, problem, cards: [] });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: {
          code: status === 401 ? "DirectApiAuthorizationRequired" : "InvalidRequestContent",
          message: problem,
        },
      }),
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const verdict = verdictOn(req.method, new URL(req.url ?? "/", "https://x"), sig, raw);
    // A planned answer (throttling, an outage) comes after the URL is checked, before the body is.
    const reached = !("status" in verdict) || (verdict.status !== 401 && verdict.status !== 404);
    const next = reached ? planned.take() : undefined;
    if (next) {
      received.push({ status: "status" in next ? next.status : 0, cards: [] });
      writePlanned(res, next);
    } else if ("status" in verdict) {
      refuse(res, verdict.status, verdict.problem);
    } else {
      received.push({ status: 202, cards: verdict.cards });
      res.writeHead(202).end();
    }
  }

  const { origin, close } = await listenHttps(options.ca, (req, res) => {
    void readBody(req, maxMessageBytes * 4).then((raw) => handle(req, res, raw));
  });
  return {
    webhookUrl: `${origin}${workflowPath}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    received,
    cards: () => received.flatMap((r) => (r.status === 202 ? r.cards : [])),
    answerNext: planned.answerNext,
    close,
  };
}

/** Why the workflow would refuse the request (a status and a problem), or the cards it accepts. */
function verdictOn(
  method: string | undefined,
  url: URL,
  sig: string,
  raw: string,
): { status: number; problem: string } | { cards: Array<Record<string, unknown>> } {
  if (method !== "POST" || url.pathname !== workflowPath) return { status: 404, problem: "no such workflow" };
  if (url.searchParams.get("sig") !== sig)
    return { status: 401, problem: "the request's signature is not valid" };
  if (Buffer.byteLength(raw) > maxMessageBytes)
    return { status: 413, problem: "the message is larger than 28 KB" };
  const cards = cardsOf(raw);
  return typeof cards === "string" ? { status: 400, problem: cards } : { cards };
}

/** The message's Adaptive Cards, or why the workflow would refuse it. */
function cardsOf(raw: string): Array<Record<string, unknown>> | string {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return "the body is not JSON";
  }
  if (typeof message !== "object" || message === null) return "the body is not a JSON object";
  const { type, attachments } = message as Record<string, unknown>;
  if (type !== "message") return "'type' must be \"message\"";
  if (!Array.isArray(attachments) || attachments.length === 0) return "'attachments' must hold a card";
  const cards: Array<Record<string, unknown>> = [];
  for (const [i, attachment] of attachments.entries()) {
    const { contentType, content } = (attachment ?? {}) as Record<string, unknown>;
    if (contentType !== "application/vnd.microsoft.card.adaptive") {
      return `attachments.${i}.contentType must be application/vnd.microsoft.card.adaptive`;
    }
    const card = (content ?? {}) as Record<string, unknown>;
    if (card.type !== "AdaptiveCard") return `attachments.${i}.content.type must be "AdaptiveCard"`;
    if (typeof card.version !== "string") return `attachments.${i}.content.version is missing`;
    if (!Array.isArray(card.body)) return `attachments.${i}.content.body must be an array`;
    cards.push(card);
  }
  return cards;
}
