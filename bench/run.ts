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
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file.replace(".bench.ts", "")} ==\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(here, file)], {
    stdio: "inherit",
  });
  if (run.status !== 0) {
    failed++;
    process.stdout.write(`!! ${file} exited with ${run.status}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
