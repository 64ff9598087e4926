import { createServer, type Server, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetworkPath } from "../../packages/runtime/src/drill/network-path.js";

/*
 * The drill's per-region relay, with a plain TCP echo server behind it: it relays both ways, and
 * cutting one path fails that path alone.
 */

let echo: Server;
let port = 0;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const address = echo.address();
  port = typeof address === "object" && address ? address.port : 0;
});
afterAll(async () => {
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

function roundTrip(origin: string, text: string): Promise<string> {
  const { port: relay } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.length >= text.length) {
        socket.end();
        resolve(answer);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => {
      if (answer.length < text.length) reject(new Error(`closed after ${JSON.stringify(answer)}`));
    });
    socket.connect(Number(relay), "127.0.0.1", () => socket.write(text));
  });
}

describe("a region's network path", () => {
  it("relays both ways to the IdP behind it", async () => {
    // Prepare
    const path = new NetworkPath("us-east-1->okta", { host: "127.0.0.1", port });
    await path.start();

    // Act
    const answer = await roundTrip(path.origin, "hello okta");

    // Assess
    expect(answer).toBe("hello okta");
    await path.close();
  });

  it("fails for its own region only once cut, and relays again once restored", async () => {
    // Prepare
    const cut = new NetworkPath("eu-west-1->okta", { host: "127.0.0.1", port });
    const other = new NetworkPath("us-east-1->okta", { host: "127.0.0.1", port });
    await cut.start();
    await other.start();

    // Act
    cut.cutOff();
    const failed = await roundTrip(cut.origin, "ping").then(
      () => "answered",
      (error: Error) => error.message,
    );
    const stillUp = await roundTrip(other.origin, "ping");
    cut.restore();
    const restored = await roundTrip(cut.origin, "ping");

    // Assess
    expect(failed).not.toBe("answered");
    expect(cut.isCut).toBe(false);
    expect(stillUp).toBe("ping");
    expect(restored).toBe("ping");
    await Promise.all([cut.close(), other.close()]);
  });
});
