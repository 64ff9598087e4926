/*
 * bench/redact: what the redactor costs on every line a process writes (logs, store writes, events,
 * notifications, CLI output). Workload: a redactor of N secrets of 40 characters (a deployment's own
 * few; an MSP's thousand sites each with their own client secret, Okta token and webhook secret),
 * lines of 200 bytes and 2 KB of log-like text, clean (the common case) or holding one secret
 * URL-encoded and one Basic credential. Figures: the time to build the redactor, and per line.
 */
import { createRedactor, seededRandom } from "@idp-failover/core";

const random = seededRandom(18);
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.+/";
const secretOf = () =>
  Array.from({ length: 40 }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
const words =
  "probe okta token jwks discovery region us-east-1 latency ms answered 200 site acme failover weights".split(
    " ",
  );
function logLine(bytes: number): string {
  let line = '{"level":"INFO","message":"probe round","site":"acme-042","error":"';
  while (line.length < bytes - 2) line += `${words[Math.floor(random() * words.length)]} `;
  return `${line.slice(0, bytes - 2)}"}`;
}

function perLineMicros(redact: (line: string) => string, lines: string[]): number {
  const rounds = Math.max(1, Math.floor(20_000 / lines.length));
  for (const line of lines) redact(line); // warm up
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const line of lines) redact(line);
  return ((performance.now() - started) * 1000) / (rounds * lines.length);
}

const json = process.argv.includes("--json");
const rows: Array<Record<string, number | string>> = [];
for (const count of [3, 30, 300, 3000]) {
  const secrets = Array.from({ length: count }, secretOf);
  const built = performance.now();
  const redactor = createRedactor(secrets);
  const buildMs = performance.now() - built;
  for (const bytes of [200, 2048]) {
    const clean = Array.from({ length: 200 }, () => logLine(bytes));
    const secret = secrets[Math.floor(count / 2)] ?? "";
    const basic = Buffer.from(`0oa1client:${encodeURIComponent(secret)}`).toString("base64");
    const leaky = clean.map((line) => `${line} client_secret=${encodeURIComponent(secret)} Basic ${basic}`);
    const cleanUs = perLineMicros(redactor.text, clean);
    const leakyUs = perLineMicros(redactor.text, leaky);
    if (leaky.some((line) => redactor.text(line).includes(secret)))
      throw new Error("a secret was left in a line");
    rows.push({
      secrets: count,
      lineBytes: bytes,
      buildMs: Number(buildMs.toFixed(1)),
      cleanUs: Number(cleanUs.toFixed(2)),
      leakyUs: Number(leakyUs.toFixed(2)),
    });
  }
}
if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else {
  process.stdout.write(
    "workload: N secrets of 40 chars; 200 log lines of 200 B or 2 KB, clean or with a secret URL-encoded and in a Basic credential\n",
  );
  process.stdout.write("secrets  line   build      per clean line   per line with a secret\n");
  for (const r of rows) {
    process.stdout.write(
      `${String(r.secrets).padStart(7)}  ${String(r.lineBytes).padStart(5)}  ${`${r.buildMs} ms`.padStart(9)}  ${`${r.cleanUs} µs`.padStart(15)}  ${`${r.leakyUs} µs`.padStart(22)}\n`,
    );
  }
}
