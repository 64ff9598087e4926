import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { tableDefinition } from "@idp-failover/aws";
import { InputError } from "../input-error.js";

/*
 * DynamoDB on this machine: dynalite (DynamoDB's API on LevelDB) in this process, on a random port
 * of 127.0.0.1, with the product's single table. In memory, or on disk under `dataDir` (a later run
 * with the same directory picks up where this one stopped). Closing it closes the LevelDB store, so
 * nothing is left half-written on disk.
 */

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;
/** The LevelDB binding dynalite stores with (its own dependency, resolved from dynalite). */
const { Level } = createRequire(require.resolve("dynalite"))("level") as {
  Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
};

/** dynalite checks signatures' shape, not their keys: any credentials will do. */
export const embeddedCredentials = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" };

export interface EmbeddedDynamo {
  endpoint: string;
  tableName: string;
  dataDir?: string;
  close(): Promise<void>;
}

export async function startEmbeddedDynamo(
  options: { dataDir?: string; tableName?: string } = {},
): Promise<EmbeddedDynamo> {
  const tableName = options.tableName ?? "idp-failover";
  if (options.dataDir) await checkDataDir(options.dataDir);
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({ region: "us-east-1", endpoint, credentials: embeddedCredentials });
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    // A data directory from an earlier run already has the table.
    if (!(error instanceof ResourceInUseException)) {
      await close();
      throw error;
    }
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, ...(options.dataDir ? { dataDir: options.dataDir } : {}), close };
}

/**
 * Makes sure dynalite can keep its LevelDB in `dir`, by opening it once: dynalite meets one it cannot
 * open (another process holds it, or the directory holds something else) by crashing on its first
 * request, so the reason is said here instead, before anything starts.
 */
async function checkDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = errnoCode(error);
    throw new InputError(
      `cannot keep the store in ${dir}: ${code === "EEXIST" ? "not a directory" : code}`,
      2,
      {
        cause: error,
      },
    );
  }
  const db = new Level(dir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new InputError(
      cause?.code === "LEVEL_LOCKED"
        ? `${dir} is in use by another process: one idpctl per data directory`
        : `cannot keep the store in ${dir}: ${cause?.message ?? String(error)}`,
      2,
      { cause: error },
    );
  }
  await db.close();
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
