import type { Context } from "aws-lambda";
import { testCredentials } from "../aws/dynalite.js";

/** A Lambda context as the runtime passes one, for calling handlers (and their middleware) in tests. */
export function lambdaContext(functionName = "test-function", remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/12/04/[$LATEST]test",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The environment Lambda gives a deployed function here: its region, credentials the local servers
 * accept, DynamoDB's endpoint, SST's `App`, the function's links (`SST_RESOURCE_<name>`, as SST
 * passes them) and any other variables (`env`: other endpoints, table names, queue URLs).
 */
export function setLambdaEnvironment(options: {
  region: string;
  dynamoEndpoint: string;
  links: Record<string, unknown>;
  env?: Record<string, string>;
}): void {
  Object.assign(process.env, {
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    SST_RESOURCE_App: JSON.stringify({ name: "idp-failover", stage: "test" }),
    ...Object.fromEntries(
      Object.entries(options.links).map(([name, value]) => [`SST_RESOURCE_${name}`, JSON.stringify(value)]),
    ),
    ...options.env,
  });
}
