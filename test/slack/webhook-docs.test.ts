import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FakeClock, type NotificationIntent } from "@idp-failover/core";
import { HttpWebhookSender } from "@idp-failover/slack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The Node.js verification snippet in docs/webhooks.md, run as written, against real signed
 * deliveries: what receivers copy must accept our requests and refuse altered or stale ones.
 */

type Verify = (
  secret: string,
  rawBody: Buffer | string,
  headers: Record<string, unknown>,
  nowSeconds?: number,
) => boolean;

let verify: Verify;
let dir: string;

beforeAll(async () => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "webhooks.md"), "utf8");
  const snippet = /### Node\.js\n\n```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error("no Node.js snippet in docs/webhooks.md");
  dir = mkdtempSync(join(tmpdir(), "webhook-docs-"));
  const file = join(dir, "verify.mjs");
  writeFileSync(file, snippet);
  const module = (await import(pathToFileURL(file).href)) as { verifyIdpFailoverWebhook: Verify };
  verify = module.verifyIdpFailoverWebhook;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const intent: NotificationIntent = {
  id: "example:12:failed-over",
  site: "example",
  at: "2026-03-02T09:00:50.000Z",
  kind: "failed-over",
  from: "okta",
  to: "entra",
  changeId: "C0123",
  insyncAt: "2026-03-02T09:00:50.000Z",
};

/** Captures one request as the receiver gets it: raw body bytes and Node's lower-cased headers. */
async function captureDelivery(secret: string, clock: FakeClock) {
  let captured: { body: Buffer; headers: Record<string, unknown> } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      captured = { body: Buffer.concat(chunks), headers: { ...req.headers } };
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const sender = new HttpWebhookSender({ name: "docs", url: `http://127.0.0.1:${port}/`, secret }, { clock });
  const outcome = await sender.send(intent);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!captured) throw new Error("nothing received");
  return { outcome, ...captured };
}

describe("docs/webhooks.md Node.js snippet", () => {
  it("accepts a delivery signed by idp-failover and refuses it altered, stale or under another secret", async () => {
    // Prepare
    const clock = new FakeClock(Date.parse("2026-03-02T09:01:00.000Z"));
    const now = Math.floor(clock.now() / 1000);
    // Act
    const delivery = await captureDelivery("whsec-docs", clock);
    // Assess
    expect(delivery.outcome).toEqual({ kind: "sent" });
    expect(verify("whsec-docs", delivery.body, delivery.headers, now)).toBe(true);
    expect(verify("whsec-docs", delivery.body.toString("utf8"), delivery.headers, now + 299)).toBe(true);
    expect(
      verify("whsec-docs", Buffer.concat([delivery.body, Buffer.from(" ")]), delivery.headers, now),
    ).toBe(false);
    expect(verify("whsec-docs", delivery.body, delivery.headers, now + 301)).toBe(false);
    expect(verify("whsec-other", delivery.body, delivery.headers, now)).toBe(false);
    expect(JSON.parse(delivery.body.toString("utf8"))).toEqual({ schemaVersion: 1, ...intent });
  });
});
