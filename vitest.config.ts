import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/*
 * How the suite stays fast (CONTRIBUTING.md, "The suite"): test files share a worker's module graph
 * (`isolate: false`), so the AWS SDK, the Okta SDK and our packages load once per worker instead of
 * once per file; only the handler tests get a fresh graph, because a handler reads its deployment
 * (SST links, environment) once, at cold start, as a Lambda does. Workers: at least two, even on a
 * two-core machine, where vitest's default is one: most long tests wait on servers and processes.
 */

const handlerTests = ["test/deploy/*-handler.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: [
            "packages/*/src/**/*.test.ts",
            "test/**/*.test.ts",
            "functions/**/*.test.ts",
            "stacks/**/*.test.ts",
          ],
          exclude: handlerTests,
          isolate: false,
        },
      },
      { extends: true, test: { name: "handlers", include: handlerTests } },
    ],
  },
});
