import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./http-parts.js";
import type { TestCa } from "./test-ca.js";
import { listenHttps, type PlannedAnswer, plannedAnswers, writePlanned } from "./vendor-https.js";

/*
 * PagerDuty's Events API v2 on 127.0.0.1 over TLS, written from PagerDuty's "Send an Alert Event" and
 * "Events API v2 Overview" pages, not from our sender: POST /v2/enqueue with a JSON event; routing_key
 * (32 characters) and event_action (trigger, acknowledge, resolve) required; a trigger needs
 * payload.summary (at most 1024 characters), payload.source and payload.severity (critical, error,
 * warning, info); dedup_key at most 255 characters. A valid event is answered 202 with its dedup_key
 * (a trigger without one gets a new key); an invalid one 400 with the reasons; over 512 KB, 400 too.
 *
 * Alerts behave as PagerDuty documents: a trigger opens an alert or adds to the open one with its
 * key; acknowledge and resolve apply to the open alert with that key and routing key, and are
 * dropped (still 202) when there is none; after a resolve, a trigger with the same key opens a new
 * alert.
 */

export const pagerDutyStandInRoutingKey = "R0DRILL0000000000000000000000000";

export type PagerDutyEventAction = "trigger" | "acknowledge" | "resolve";

export interface ReceivedPagerDutyEvent {
  body: Record<string, unknown>;
  status: number;
  /** Why it was refused (400). */
  errors?: string[];
  /** Applied to an open alert, opened one, or dropped (an acknowledge or resolve with no open alert). */
  effect?: "opened" | "updated" | "acknowledged" | "resolved" | "dropped";
}

export interface PagerDutyAlert {
  routingKey: string;
  dedupKey: string;
  status: "triggered" | "acknowledged" | "resolved";
  summary: string;
  severity: string;
  /** Every event applied to it, in order. */
  actions: PagerDutyEventAction[];
}

export interface PagerDutyStandIn {
  /** The Events API endpoint: `{origin}/v2/enqueue`. */
  eventsUrl: string;
  readonly received: readonly ReceivedPagerDutyEvent[];
  /** Every alert opened, in order (a resolved key triggered again is a new alert). */
  alerts(): PagerDutyAlert[];
  answerNext(...answers: PlannedAnswer[]): void;
  close(): Promise<void>;
}

const actions = ["trigger", "acknowledge", "resolve"] as const;
const severities = ["critical", "error", "warning", "info"];
const maxBodyBytes = 512 * 1024;

export async function startPagerDutyStandIn(options: { ca: TestCa }): Promise<PagerDutyStandIn> {
  const received: ReceivedPagerDutyEvent[] = [];
  const alerts: PagerDutyAlert[] = [];
  const planned = plannedAnswers();
  let generated = 0;

  function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    if (req.method !== "POST" || new URL(req.url ?? "/", "https://x").pathname !== "/v2/enqueue") {
      answer(res, 404, { status: "not found" });
      return;
    }
    const next = planned.take();
    if (next) {
      received.push({ body: {}, status: "status" in next ? next.status : 0 });
      writePlanned(res, next);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const event = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
    const errors =
      Buffer.byteLength(raw) > maxBodyBytes ? ["Event object is larger than 512 KB"] : validate(event);
    if (!event || errors.length > 0) {
      received.push({ body: event ?? {}, status: 400, errors });
      answer(res, 400, { status: "invalid event", message: "Event object is invalid", errors });
      return;
    }
    const action = event.event_action as PagerDutyEventAction;
    const routingKey = event.routing_key as string;
    const dedupKey = typeof event.dedup_key === "string" ? event.dedup_key : `generated-${++generated}`;
    const open = alerts.find(
      (a) => a.dedupKey === dedupKey && a.routingKey === routingKey && a.status !== "resolved",
    );
    const entry: ReceivedPagerDutyEvent = { body: event, status: 202 };
    if (action === "trigger") {
      const payload = event.payload as Record<string, unknown>;
      if (open) {
        open.actions.push("trigger");
        entry.effect = "updated";
      } else {
        alerts.push({
          routingKey,
          dedupKey,
          status: "triggered",
          summary: String(payload.summary),
          severity: String(payload.severity),
          actions: ["trigger"],
        });
        entry.effect = "opened";
      }
    } else if (!open) {
      entry.effect = "dropped";
    } else {
      open.actions.push(action);
      open.status = action === "acknowledge" ? "acknowledged" : "resolved";
      entry.effect = action === "acknowledge" ? "acknowledged" : "resolved";
    }
    received.push(entry);
    answer(res, 202, { status: "success", message: "Event processed", dedup_key: dedupKey });
  }

  const { origin, close } = await listenHttps(options.ca, (req, res) => {
    void readBody(req, maxBodyBytes + 1).then((raw) => handle(req, res, raw));
  });
  return {
    eventsUrl: `${origin}/v2/enqueue`,
    received,
    alerts: () => alerts.map((a) => ({ ...a, actions: [...a.actions] })),
    answerNext: planned.answerNext,
    close,
  };
}

/** The reasons PagerDuty would refuse the event for, in its documented rules. */
function validate(event: Record<string, unknown> | undefined): string[] {
  if (!event) return ["Event object is not JSON"];
  const errors: string[] = [];
  const key = event.routing_key;
  if (typeof key !== "string" || key.length !== 32) errors.push("'routing_key' must be 32 characters");
  const action = event.event_action;
  if (!actions.includes(action as PagerDutyEventAction)) {
    errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  }
  const dedup = event.dedup_key;
  if (dedup !== undefined && (typeof dedup !== "string" || dedup.length > 255)) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (action !== "trigger") {
    if (typeof dedup !== "string") errors.push("'dedup_key' is required to acknowledge or resolve");
    return errors;
  }
  const payload = event.payload;
  if (typeof payload !== "object" || payload === null) return [...errors, "'payload' is missing"];
  const { summary, source, severity, timestamp } = payload as Record<string, unknown>;
  if (typeof summary !== "string" || summary.length === 0) errors.push("'payload.summary' is missing");
  else if (summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
  if (typeof source !== "string" || source.length === 0) errors.push("'payload.source' is missing");
  if (!severities.includes(severity as string)) {
    errors.push("'payload.severity' must be one of critical, error, warning, info");
  }
  if (timestamp !== undefined && (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp)))) {
    errors.push("'payload.timestamp' is not an ISO 8601 timestamp");
  }
  return errors;
}
