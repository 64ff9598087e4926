/*
 * bench/bundles: the size of each Lambda bundle as deployed (esbuild, minified ESM for Node.js 24, the
 * AWS SDK left to the runtime), against the targets: probe < 300 KB, verdict < 100 KB. Smaller
 * bundles load faster on a cold start, which matters most for the verdict endpoint that Route 53's
 * checkers poll with a 2-second budget.
 */
import { bundleHandler, handlers, targets } from "../test/deploy/bundle-functions.js";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
process.stdout.write("workload: each functions/src handler bundled as the stacks deploy it\n");
let over = 0;
for (const handler of handlers) {
  const report = await bundleHandler(handler);
  const target = targets[handler];
  const verdict =
    target === undefined
      ? ""
      : report.bytes <= target
        ? `  (target < ${kb(target)}: ok)`
        : `  (target < ${kb(target)}: OVER)`;
  if (target !== undefined && report.bytes > target) over++;
  process.stdout.write(
    `${handler.padEnd(20)} ${kb(report.bytes).padStart(10)}  ${report.packages.length} packages${verdict}\n`,
  );
}
if (over > 0) process.stdout.write(`${over} bundle(s) over target (figures above); see docs/design.md\n`);
