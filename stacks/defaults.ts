import { type FunctionSize, lambdaRuntime } from "@idp-failover/core";

/*
 * What every function shares: Node.js 24 on arm64 (`lambdaRuntime` in core, where the choice is
 * dated; arm64 is cheaper per ms than x86), JSON logs with the Lambda
 * platform's own START/END/REPORT lines dropped (`systemLogLevel: WARN`: they were most of the log
 * volume of a function that runs every 10 s), a month of retention, the AWS SDK left out of the
 * bundle (the Node.js 24 runtime ships SDK v3), so bundles stay small and cold starts short. (Every
 * schema is on zod/mini, which loads English alone: no esbuild plugin needs to strip zod's locales.)
 */
export const functionDefaults = {
  runtime: lambdaRuntime.runtime,
  architecture: lambdaRuntime.architecture,
  logging: { format: "json", retention: "1 month" },
  nodejs: {
    minify: true,
    esbuild: { external: ["@aws-sdk/*"] },
  },
  transform: {
    function: (args: aws.lambda.FunctionArgs) => {
      args.loggingConfig = $resolve([args.loggingConfig]).apply(([config]) => ({
        ...(config ?? {}),
        logFormat: "JSON",
        applicationLogLevel: "INFO",
        systemLogLevel: "WARN",
      }));
    },
  },
} satisfies Partial<sst.aws.FunctionArgs>;

/** A function with the defaults, the memory and timeout core's functionSizing gave it, and its own args. */
export function sizedFunction(
  name: string,
  size: FunctionSize,
  args: sst.aws.FunctionArgs,
): sst.aws.Function {
  return new sst.aws.Function(name, {
    ...functionDefaults,
    memory: `${size.memoryMb} MB`,
    timeout: `${size.timeoutSeconds} seconds`,
    ...args,
  });
}

/** DynamoDB actions the adapters use on the home table (packages/aws sends no DeleteItem); nothing else. */
export const tableActions = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:Query",
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
];
