import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./http-parts.js";

/*
 * A proxy in front of a local DynamoDB (dynalite) that can answer like DynamoDB under load: the next
 * calls throttled (`ProvisionedThroughputExceededException`, 400, JSON 1.0 error body) or failing
 * with a 500, and the next BatchWriteItem answered with every item unprocessed. Everything else is
 * forwarded untouched. Counts calls per operation (`X-Amz-Target: DynamoDB_20120810.{Operation}`).
 */

export interface DynamoFaultProxy {
  url: string;
  /** Calls seen per operation (GetItem, PutItem, Query, BatchWriteItem...). */
  readonly calls: Map<string, number>;
  throttleNext(count: number, operation?: string): void;
  failNext(count: number, operation?: string): void;
  /** The next BatchWriteItem answers 200 with all its items in UnprocessedItems (nothing written). */
  leaveNextBatchUnprocessed(count?: number): void;
  close(): Promise<void>;
}

interface Fault {
  kind: "throttle" | "error" | "unprocessed";
  operation?: string;
}

export async function startDynamoFaultProxy(target: string): Promise<DynamoFaultProxy> {
  const upstream = new URL(target);
  const faults: Fault[] = [];
  const calls = new Map<string, number>();

  const takeFault = (operation: string): Fault | undefined => {
    const at = faults.findIndex(
      (f) =>
        (f.kind === "unprocessed" ? operation === "BatchWriteItem" : true) &&
        (f.operation === undefined || f.operation === operation),
    );
    return at >= 0 ? faults.splice(at, 1)[0] : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "Unknown";
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const fault = takeFault(operation);
    if (fault?.kind === "throttle" || fault?.kind === "error") {
      const throttled = fault.kind === "throttle";
      const text = JSON.stringify({
        __type: throttled
          ? "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
          : "com.amazonaws.dynamodb.v20120810#InternalServerError",
        message: throttled
          ? "The level of configured provisioned throughput for the table was exceeded."
          : "Internal server error",
      });
      res.writeHead(throttled ? 400 : 500, { "content-type": "application/x-amz-json-1.0" });
      res.end(text);
      return;
    }
    if (fault?.kind === "unprocessed") {
      const input = JSON.parse(body.toString("utf8")) as { RequestItems?: unknown };
      const text = JSON.stringify({ UnprocessedItems: input.RequestItems ?? {} });
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(text);
      return;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    forward.end(body);
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    throttleNext: (count, operation) => {
      for (let i = 0; i < count; i++) faults.push({ kind: "throttle", ...(operation ? { operation } : {}) });
    },
    failNext: (count, operation) => {
      for (let i = 0; i < count; i++) faults.push({ kind: "error", ...(operation ? { operation } : {}) });
    },
    leaveNextBatchUnprocessed: (count = 1) => {
      for (let i = 0; i < count; i++) faults.push({ kind: "unprocessed" });
    },
    close: () => closeServer(server),
  };
}
