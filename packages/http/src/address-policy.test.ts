import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { AddressRefusedError, addressRefusalOf, guardedLookup, type ResolveAll } from "./address-policy.js";
import { NodeHttpClient } from "./node-http-client.js";

/* The guarded lookup, through the one HTTP client, against a real server on 127.0.0.1. */

const answers =
  (...addresses: string[]): ResolveAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

async function withServer<T>(run: (port: number, hits: () => number) => Promise<T>): Promise<T> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await run((server.address() as AddressInfo).port, () => hits);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("guardedLookup", () => {
  it("refuses a name with one private answer among public ones, before connecting", async () => {
    await withServer(async (port, hits) => {
      // Act
      const failure = await new NodeHttpClient()
        .request(`http://receiver.example:${port}/`, {
          signal: AbortSignal.timeout(5000),
          lookup: guardedLookup({}, answers("93.184.215.14", "127.0.0.1")),
        })
        .catch((error: unknown) => error);
      // Assess
      const refusal = addressRefusalOf(failure);
      expect(refusal).toBeInstanceOf(AddressRefusedError);
      expect(refusal?.message).toBe("receiver.example resolves to 127.0.0.1, a loopback address");
      expect(hits()).toBe(0);
    });
  });

  it("connects to the address it checked when the allowance admits it", async () => {
    await withServer(async (port, hits) => {
      // Act
      const answer = await new NodeHttpClient().request(`http://receiver.example:${port}/`, {
        signal: AbortSignal.timeout(5000),
        lookup: guardedLookup({ allowPrivate: true }, answers("127.0.0.1")),
      });
      // Assess
      expect(answer.status).toBe(200);
      expect(hits()).toBe(1);
    });
  });
});
