import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, readBody } from "./http-parts.js";

/*
 * Lambda's Invoke on 127.0.0.1, for the probe fan-out: the probe function invokes each shard's worker
 * synchronously. The REST-JSON wire format the SDK v3 client speaks (checked 2026-12-04 against the
 * Lambda API reference, "Invoke", and the client's own service model in @aws-sdk/client-lambda):
 * `POST /2015-03-31/functions/{FunctionName}/invocations` with `X-Amz-Invocation-Type`, the event as
 * the body; the answer is the function's response as the body, status 200, and, when the function
 * failed, still 200 but with `X-Amz-Function-Error: Unhandled` and the error document as the body
 * ("the status code in the API response doesn't reflect function errors"). Service errors carry their
 * type in `x-amzn-errortype` and the body: `TooManyRequestsException` (the model's status 429) when a
 * concurrency limit, the function's reserved one included, would be exceeded;
 * `ResourceNotFoundException` (404) for a function that does not exist.
 *
 * Functions are handlers given by the test. Faults: a function that throws (a function error), one
 * that is throttled, and one that never answers (the caller's deadline must end the wait).
 */

export type LambdaHandlerFn = (event: unknown) => Promise<unknown>;

export type LambdaFault = "throttled" | "hang";

export interface LambdaInvocation {
  functionName: string;
  invocationType: string;
  event: unknown;
}

export class LambdaStandIn {
  readonly url: string;
  readonly invocations: LambdaInvocation[] = [];
  private readonly faults = new Map<string, LambdaFault>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly functions: Map<string, LambdaHandlerFn>,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(functions: Record<string, LambdaHandlerFn> = {}): Promise<LambdaStandIn> {
    let standIn: LambdaStandIn | undefined;
    const server = createServer((req, res) => {
      if (standIn) void standIn.serve(req, res);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    standIn = new LambdaStandIn(server, new Map(Object.entries(functions)));
    return standIn;
  }

  /** Adds (or replaces) a function. */
  define(name: string, handler: LambdaHandlerFn): void {
    this.functions.set(name, handler);
  }

  /** Breaks a function's invocations until `restore`. */
  fault(name: string, fault: LambdaFault): void {
    this.faults.set(name, fault);
  }

  restore(name: string): void {
    this.faults.delete(name);
  }

  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    return closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/.exec(req.url ?? "");
    const body = await readBody(req, 6 * 1024 * 1024);
    if (req.method !== "POST" || !match) {
      return serviceError(res, 404, "ResourceNotFoundException", `no route ${req.method} ${req.url}`);
    }
    const functionName = decodeURIComponent(match[1] ?? "");
    const handler = this.functions.get(functionName);
    if (!handler) {
      return serviceError(res, 404, "ResourceNotFoundException", `Function not found: ${functionName}`);
    }
    let event: unknown;
    try {
      event = body === "" ? {} : JSON.parse(body);
    } catch {
      return serviceError(
        res,
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json",
      );
    }
    const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    this.invocations.push({ functionName, invocationType, event });
    const fault = this.faults.get(functionName);
    if (fault === "throttled") return serviceError(res, 429, "TooManyRequestsException", "Rate Exceeded.");
    if (fault === "hang") {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      return;
    }
    const headers = { "content-type": "application/json", "x-amzn-requestid": randomUUID() };
    try {
      const result = await handler(event);
      res.writeHead(200, { ...headers, "x-amz-executed-version": "$LATEST" });
      res.end(result === undefined ? "null" : JSON.stringify(result));
    } catch (error) {
      // A function error is a 200 with the error document, as Lambda answers it.
      res.writeHead(200, { ...headers, "x-amz-function-error": "Unhandled" });
      res.end(
        JSON.stringify({
          errorType: error instanceof Error ? error.name : "Error",
          errorMessage: error instanceof Error ? error.message : String(error),
        }),
      );
    }
  }
}

function serviceError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": type,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(JSON.stringify({ Type: "User", message }));
}
