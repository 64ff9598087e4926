import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";

/*
 * One HTTP request from a test, its whole answer read as text: for tests that look at a server's
 * wire (status, headers, body) rather than through a product client. A fresh connection each
 * time, so a server's keep-alive never outlives the test.
 */

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A CA (PEM) an HTTPS server's certificate may chain to, besides the public roots. */
  ca?: string;
}

export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const secure = url.startsWith("https:");
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
        ...(secure && options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
