import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FakeClock } from "@idp-failover/core";
import { HttpWebhookSender, sampleNotification } from "@idp-failover/slack";
import { localReceiverAllowance, webhookTestSecret } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useVerifierDate } from "../support/verifier-date.js";

/*
 * The Node.js receivers in docs/webhooks.md, run as written, against real signed deliveries: what
 * receivers copy must accept our requests and refuse altered or stale ones.
 */

type Verify = (
  secret: string,
  rawBody: Buffer | string,
  headers: Record<string, unknown>,
  now?: number,
) => unknown;

const root = join(import.meta.dirname, "..", "..");
let withPackage: Verify;
let withoutDependencies: Verify;
let dir: string;

async function loadSnippet(doc: string, heading: string): Promise<Verify> {
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const snippet = new RegExp(`### ${escaped}\\n\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (!snippet) throw new Error(`no "${heading}" snippet in docs/webhooks.md`);
  const file = join(dir, `${heading.replace(/\W+/g, "-")}.mjs`);
  writeFileSync(file, snippet);
  return ((await import(pathToFileURL(file).href)) as { verifyIdpFailoverWebhook: Verify })
    .verifyIdpFailoverWebhook;
}

beforeAll(async () => {
  const doc = readFileSync(join(root, "docs", "webhooks.md"), "utf8");
  // Under node_modules, so the snippet's `import "standardwebhooks"` resolves as in a receiver's project.
  mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
  dir = mkdtempSync(join(root, "node_modules", ".cache", "webhook-docs-"));
  withPackage = await loadSnippet(doc, "Node.js, with the `standardwebhooks` package");
  withoutDependencies = await loadSnippet(doc, "Node.js, without dependencies");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sentAt = Date.parse("2026-03-02T09:01:00.000Z");
const intent = sampleNotification("failed-over", sentAt);
useVerifierDate(sentAt);

/** Captures one request as the receiver gets it: raw body bytes and Node's lower-cased headers. */
async function captureDelivery(secret: string) {
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
  const url = `http://127.0.0.1:${port}/`;
  const sender = new HttpWebhookSender(
    { name: "docs", url, secret, ...localReceiverAllowance },
    { clock: new FakeClock(sentAt) },
  );
  const outcome = await sender.send(intent);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!captured) throw new Error("nothing received");
  return { outcome, ...captured };
}

describe("docs/webhooks.md Node.js receivers", () => {
  const secret = webhookTestSecret("docs");
  const other = webhookTestSecret("another receiver");

  it("the dependency-free one accepts a delivery and refuses it altered, re-labelled, stale or under another secret", async () => {
    // Prepare
    const now = Math.floor(sentAt / 1000);
    // Act
    const delivery = await captureDelivery(secret);
    // Assess
    expect(delivery.outcome).toEqual({ kind: "sent" });
    const { body, headers } = delivery;
    expect(withoutDependencies(secret, body, headers, now)).toBe(true);
    expect(withoutDependencies(secret, body.toString("utf8"), headers, now + 299)).toBe(true);
    expect(withoutDependencies(secret, Buffer.concat([body, Buffer.from(" ")]), headers, now)).toBe(false);
    expect(
      withoutDependencies(secret, body, { ...headers, "webhook-id": "example:13:failed-over" }, now),
    ).toBe(false);
    expect(withoutDependencies(secret, body, headers, now + 301)).toBe(false);
    expect(withoutDependencies(other, body, headers, now)).toBe(false);
    expect(JSON.parse(body.toString("utf8"))).toEqual({ schemaVersion: 1, ...intent });
  });

  it("the standardwebhooks one returns the notification, and throws for an altered or stale one", async () => {
    // Act
    const { body, headers } = await captureDelivery(secret);
    // Assess
    expect(withPackage(secret, body, headers)).toEqual({ schemaVersion: 1, ...intent });
    expect(() => withPackage(secret, Buffer.concat([body, Buffer.from(" ")]), headers)).toThrow();
    expect(() => withPackage(other, body, headers)).toThrow();
    vi.setSystemTime(sentAt + 301_000);
    expect(() => withPackage(secret, body, headers)).toThrow(/too old/);
  });
});
