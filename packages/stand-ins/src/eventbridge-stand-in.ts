import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { closeServer, readBody, startOnLoopback } from "./http-parts.js";

/*
 * EventBridge on 127.0.0.1, speaking its JSON 1.1 protocol as the AWS SDK sends it (`POST /`,
 * `X-Amz-Target: AWSEvents.{Operation}`): PutEvents (at most 10 entries; per-entry results in request
 * order, `FailedEntryCount`), CreateEventBus and DescribeEventBus. Accepted events are kept per bus.
 * As EventBridge does, PutEvents accepts an event for a bus that does not exist and drops it (it gets
 * an event id; `dropped` keeps it for tests): only DescribeEventBus tells a misnamed bus.
 *
 * Test controls: `failNextEntries` makes the next entries fail inside a 200 answer (a partial failure,
 * InternalFailure or ThrottlingException by default); `failNextRequests` makes whole calls fail
 * (ThrottlingException 400, InternalException 500...); `requests` counts calls.
 */

export interface StoredEvent {
  eventId: string;
  bus: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
  resources: string[];
}

export interface EventBridgeRequest {
  operation: string;
  entries: number;
  at: number;
}

export interface EventBridgeStandInOptions {
  port?: number;
  /** Buses that exist from the start, besides `default`. */
  buses?: string[];
  region?: string;
  accountId?: string;
}

class EventBridgeError extends Error {
  override name = "EventBridgeError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class EventBridgeStandIn {
  readonly requests: EventBridgeRequest[] = [];
  /** Events accepted for a bus that does not exist, which EventBridge drops silently. */
  readonly dropped: StoredEvent[] = [];
  private readonly buses = new Map<string, StoredEvent[]>();
  private entryFaults: Array<{ code: string; message: string }> = [];
  private requestFaults: Array<{ code: string; status: number; message: string }> = [];
  private readonly region: string;
  private readonly accountId: string;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: EventBridgeStandInOptions,
  ) {
    this.region = options.region ?? "us-east-1";
    this.accountId = options.accountId ?? "123456789012";
    for (const bus of ["default", ...(options.buses ?? [])]) this.buses.set(bus, []);
  }

  static start(options: EventBridgeStandInOptions = {}): Promise<EventBridgeStandIn> {
    return startOnLoopback(
      (server, url) => new EventBridgeStandIn(server, url, options),
      (standIn, req, res) => standIn.serve(req, res),
      options.port,
    );
  }

  /** Events accepted on a bus, in arrival order. */
  events(bus = "default"): StoredEvent[] {
    return [...(this.buses.get(bus) ?? [])];
  }

  createBus(name: string): void {
    if (!this.buses.has(name)) this.buses.set(name, []);
  }

  /** The next `count` entries fail with `code` inside an otherwise successful PutEvents. */
  failNextEntries(count: number, code = "InternalFailure", message = "Internal service error."): void {
    for (let i = 0; i < count; i++) this.entryFaults.push({ code, message });
  }

  /** The next `count` calls fail as a whole. */
  failNextRequests(
    count: number,
    code = "ThrottlingException",
    status = code.startsWith("Internal") ? 500 : 400,
  ): void {
    for (let i = 0; i < count; i++)
      this.requestFaults.push({
        code,
        status,
        message: code === "ThrottlingException" ? "Rate exceeded" : "Injected failure",
      });
  }

  clearFaults(): void {
    this.entryFaults = [];
    this.requestFaults = [];
  }

  count(operation?: string): number {
    return operation ? this.requests.filter((r) => r.operation === operation).length : this.requests.length;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestBody = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AWSEvents.") ? target.slice("AWSEvents.".length) : target;
    let status = 200;
    let body: unknown;
    try {
      if (req.method !== "POST") throw new EventBridgeError("UnknownOperationException", 400, "use POST /");
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
        throw new EventBridgeError(
          "SerializationException",
          400,
          "expected Content-Type application/x-amz-json-1.1",
        );
      }
      if (!req.headers.authorization)
        throw new EventBridgeError(
          "MissingAuthenticationTokenException",
          403,
          "Missing Authentication Token",
        );
      let input: unknown;
      try {
        input = JSON.parse(requestBody || "{}");
      } catch {
        throw new EventBridgeError("SerializationException", 400, "the body is not JSON");
      }
      const request = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
      const entries = Array.isArray(request.Entries) ? request.Entries.length : 0;
      this.requests.push({ operation, entries, at: Date.now() });
      const fault = this.requestFaults.shift();
      if (fault) throw new EventBridgeError(fault.code, fault.status, fault.message);
      body = this.dispatch(operation, request);
    } catch (error) {
      const e =
        error instanceof EventBridgeError
          ? error
          : new EventBridgeError("InternalException", 500, String(error));
      status = e.status;
      body = { __type: e.code, message: e.message };
      res.setHeader("x-amzn-errortype", e.code);
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": randomUUID(),
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private dispatch(operation: string, request: Record<string, unknown>): unknown {
    switch (operation) {
      case "PutEvents":
        return this.putEvents(request);
      case "CreateEventBus": {
        const name = stringField(request, "Name");
        if (this.buses.has(name))
          throw new EventBridgeError(
            "ResourceAlreadyExistsException",
            400,
            `Event bus ${name} already exists.`,
          );
        this.buses.set(name, []);
        return { EventBusArn: this.busArn(name) };
      }
      case "DescribeEventBus": {
        const name = typeof request.Name === "string" ? request.Name : "default";
        if (!this.buses.has(name))
          throw new EventBridgeError("ResourceNotFoundException", 400, `Event bus ${name} does not exist.`);
        return { Name: name, Arn: this.busArn(name) };
      }
      default:
        throw new EventBridgeError("UnknownOperationException", 400, `unknown operation ${operation}`);
    }
  }

  private putEvents(request: Record<string, unknown>): unknown {
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new EventBridgeError(
        "ValidationException",
        400,
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1`,
      );
    }
    let failed = 0;
    const results = entries.map((raw: unknown) => {
      const outcome = this.acceptEntry(raw);
      if ("ErrorCode" in outcome) failed++;
      return outcome;
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  private acceptEntry(raw: unknown): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const entry = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
    const fault = this.entryFaults.shift();
    if (fault) return { ErrorCode: fault.code, ErrorMessage: fault.message };
    const { Source: source, DetailType: detailType, Detail: detail } = entry;
    if (typeof source !== "string" || typeof detailType !== "string" || typeof detail !== "string") {
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameters Source, DetailType and Detail are required.",
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(detail);
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const busRef = typeof entry.EventBusName === "string" ? entry.EventBusName : "default";
    const bus = busRef.includes(":event-bus/") ? (busRef.split(":event-bus/")[1] ?? busRef) : busRef;
    const events = this.buses.get(bus) ?? this.dropped;
    const eventId = randomUUID();
    events.push({
      eventId,
      bus,
      source,
      detailType,
      detail: parsed as Record<string, unknown>,
      time:
        typeof entry.Time === "number" ? new Date(entry.Time * 1000).toISOString() : new Date().toISOString(),
      resources: Array.isArray(entry.Resources)
        ? entry.Resources.filter((r): r is string => typeof r === "string")
        : [],
    });
    return { EventId: eventId };
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }
}

function stringField(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new EventBridgeError(
      "ValidationException",
      400,
      `1 validation error detected: '${field}' is required`,
    );
  }
  return value;
}

/** Starts an EventBridge stand-in on a random port of 127.0.0.1. */
export function startEventBridgeStandIn(
  options: EventBridgeStandInOptions = {},
): Promise<EventBridgeStandIn> {
  return EventBridgeStandIn.start(options);
}
