import { request as httpsRequest } from "node:https";

/*
 * One HTTPS request with node:https, so a caller can name the CA it trusts (a private CA, a test
 * CA) without touching the process's trust store. Used for the Graph token and Graph calls.
 */

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpsRequestOptions {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Extra CA certificates (PEM) to trust besides the system's. */
  ca?: string;
  timeoutMs?: number;
}

export class HttpsRequestError extends Error {
  override name = "HttpsRequestError";
}

export function httpsCall(url: string, options: HttpsRequestOptions): Promise<HttpsAnswer> {
  const target = new URL(url);
  if (target.protocol !== "https:") {
    return Promise.reject(new HttpsRequestError(`refusing to send credentials over ${target.protocol}`));
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      target,
      {
        method: options.method,
        headers: {
          ...(options.headers ?? {}),
          ...(options.body !== undefined
            ? { "content-length": String(Buffer.byteLength(options.body)) }
            : {}),
        },
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === "string") headers[name] = value;
            else if (Array.isArray(value)) headers[name] = value.join(", ");
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new HttpsRequestError(`no answer from ${target.host} in time`)));
    req.on("error", (error) =>
      reject(
        error instanceof HttpsRequestError
          ? error
          : new HttpsRequestError(`${target.host} unreachable: ${describe(error)}`, { cause: error }),
      ),
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
