/*
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those named on the command line) in its
 * own process, so one benchmark's memory never colours another's. Each prints its own figures, with
 * its workload named, as ratios or absolute numbers a reader can compare across runs.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// `npm run bench -- fanout --sites 1000 --json`: names first, then options for the benchmarks named.
const firstOption = process.argv.findIndex((arg, i) => i >= 2 && arg.startsWith("--"));
const wanted = process.argv.slice(2, firstOption < 0 ? undefined : firstOption);
const options = firstOption < 0 ? [] : process.argv.slice(firstOption);
// With --json a benchmark's stdout is its figures alone: the banners go to stderr.
const banner = options.includes("--json") ? process.stderr : process.stdout;
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  banner.write(`\n== ${file.replace(".bench.ts", "")} ==\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(here, file), ...options], {
    stdio: "inherit",
  });
  if (run.status !== 0) {
    failed++;
    banner.write(`!! ${file} exited with ${run.status}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
