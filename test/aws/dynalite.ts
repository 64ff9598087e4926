import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { tableDefinition } from "@idp-failover/aws";

/*
 * dynalite (a DynamoDB implementation on LevelDB) in this process, on a random port of 127.0.0.1,
 * with the single table created. See TOOLCHAIN.md for what it lacks (transactions, TTL).
 */

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;

export const testCredentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  client: (options?: { maxAttempts?: number; endpoint?: string }) => DynamoDBClient;
  close: () => Promise<void>;
}

export async function startDynalite(tableName = "idp-failover-test"): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (options: { maxAttempts?: number; endpoint?: string } = {}) =>
    new DynamoDBClient({
      region: "us-east-1",
      endpoint: options.endpoint ?? endpoint,
      credentials: testCredentials,
      maxAttempts: options.maxAttempts ?? 3,
    });
  const admin = client();
  await admin.send(new CreateTableCommand(tableDefinition(tableName)));
  admin.destroy();
  return {
    endpoint,
    tableName,
    client,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Counts the commands `client` sends, by name (`GetItem`, `Query`...): what a workload asks DynamoDB. */
export function countCommands(client: DynamoDBClient): Map<string, number> {
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return calls;
}
