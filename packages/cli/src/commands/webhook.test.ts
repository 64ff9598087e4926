import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookTestSecret } from "@idp-failover/stand-ins";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useVerifierDate } from "../../../../test/support/verifier-date.js";
import { runIdpctl } from "../run-idpctl.js";
import { capturedIo } from "../testing.js";

/*
 * `idpctl webhook test` against a receiver on 127.0.0.1 that verifies with the standardwebhooks
 * package, as a receiver's author would: exit codes, what is printed, and what is never sent.
 */

const secret = webhookTestSecret("cli");
let server: Server;
let url: string;
let received: Array<{ path: string; headers: IncomingHttpHeaders; verified?: unknown }>;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.url === "/moved") {
        received.push({ path: "/moved", headers: req.headers });
        res.writeHead(302, { location: `${url.replace(/\/hook$/, "")}/elsewhere` }).end();
        return;
      }
      try {
        const verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
        received.push({ path: req.url ?? "", headers: req.headers, verified });
        res.writeHead(200, { "content-type": "text/plain" }).end("accepted, thanks");
      } catch (error) {
        received.push({ path: req.url ?? "", headers: req.headers });
        res.writeHead(401).end(`refused: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
});
useVerifierDate(Date.parse("2026-03-02T09:00:00.000Z"));

async function idpctl(...args: string[]) {
  const io = capturedIo();
  const code = await runIdpctl(["webhook", "test", ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("idpctl webhook test", () => {
  it("sends a signed failed-over sample the receiver verifies, prints its answer, never the secret, and exits 0", async () => {
    // Act
    const run = await idpctl("--url", url, "--secret", secret, "--allow-private");
    // Assess
    expect(run.code).toBe(0);
    expect(received).toHaveLength(1);
    expect(received[0]?.verified).toMatchObject({
      kind: "failed-over",
      from: "okta",
      to: "entra",
      schemaVersion: 1,
    });
    expect(run.stdout).toContain("HTTP 200 in");
    expect(run.stdout).toContain("accepted, thanks");
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret.slice(6));
  });

  it("sends the kind asked for", async () => {
    // Act
    const run = await idpctl(
      "--url",
      url,
      "--secret",
      secret,
      "--allow-private",
      "--event",
      "failback-progress",
    );
    // Assess
    expect(run.code).toBe(0);
    expect(received[0]?.verified).toMatchObject({ kind: "failback-progress", step: 2, steps: 3 });
  });

  it("exits 1 and prints the status when the receiver refuses (another secret)", async () => {
    // Act
    const run = await idpctl(
      "--url",
      url,
      "--secret",
      webhookTestSecret("not the receiver's"),
      "--allow-private",
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("HTTP 401");
    expect(run.stderr).toContain("HTTP 401");
  });

  it("does not follow a redirect: exit 1 with the status and Location", async () => {
    // Act
    const run = await idpctl(
      "--url",
      url.replace(/\/hook$/, "/moved"),
      "--secret",
      secret,
      "--allow-private",
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/HTTP 302: a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere, not followed/);
    expect(received.map((r) => r.path)).toEqual(["/moved"]);
  });

  it("refuses a loopback URL without --allow-private, sending nothing (exit 2)", async () => {
    // Act
    const run = await idpctl("--url", url, "--secret", secret);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--allow-private");
    expect(received).toHaveLength(0);
  });

  it("exits 2 on an unknown kind, listing the kinds, and on a secret that is not whsec_, without echoing it", async () => {
    // Act
    const unknown = await idpctl("--url", url, "--secret", secret, "--allow-private", "--event", "exploded");
    const badSecret = await idpctl("--url", url, "--secret", "correct-horse-battery", "--allow-private");
    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("failed-over, both-down");
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toContain("not a Standard Webhooks secret");
    expect(badSecret.stderr).not.toContain("correct-horse-battery");
    expect(received).toHaveLength(0);
  });
});
