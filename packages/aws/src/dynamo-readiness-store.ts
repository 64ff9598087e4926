import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  type ReadinessReader,
  type ReadinessResult,
  type ReadinessSnapshots,
  type ReadinessStore,
  type ReadinessSummary,
  readinessResultSchema,
  summaryOf,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import {
  numberAttribute,
  parseItem,
  SingleTable,
  type SingleTableOptions,
  StoredItemInvalidError,
  sortKeyBetween,
  stringAttribute,
} from "./single-table.js";
import { keys } from "./table.js";

/*
 * Readiness on the single table (keys in table.ts): the latest result of a site, the latest complete
 * one's score (all the evaluator reads, and only while a provider is down), a dated history for the
 * monthly report and the dashboard, and the Entra state the next run continues from.
 *
 * Results are gzip-compressed JSON in a binary attribute: lists are capped, but a site with two
 * hundred mapped apps still must not meet the 400 KB item limit. The Entra state of a large tenant is
 * several megabytes, so it is split into chunks under their own partition; a head item names the
 * chunks of the current generation and their digest, written last, so a reader never mixes two
 * runs' chunks. Old chunks expire by TTL.
 */

export interface DynamoReadinessStoreOptions extends SingleTableOptions {
  /** History kept (TTL). Default 400 days: a year of monthly reports, with a margin. */
  historyDays?: number;
}

const chunkBytes = 350_000;
const snapshotTtlSeconds = 8 * 86_400;

const headSchema = z.object({
  generation: z.string(),
  chunks: z.number(),
  bytes: z.number(),
  sha256: z.string(),
});

export class DynamoReadinessStore implements ReadinessStore, ReadinessReader, ReadinessSnapshots {
  private readonly table: SingleTable;
  private readonly historySeconds: number;

  constructor(options: DynamoReadinessStoreOptions) {
    this.table = new SingleTable(options);
    this.historySeconds = (options.historyDays ?? 400) * 86_400;
  }

  async putResult(result: ReadinessResult): Promise<void> {
    const at = Date.parse(result.at);
    const body = gzipSync(JSON.stringify(result));
    const common = { status: result.status, at: result.at, result: body };
    const items: Record<string, unknown>[] = [
      { PK: keys.site(result.site), SK: keys.readiness, ...common },
      {
        PK: keys.site(result.site),
        SK: keys.readinessAt(at),
        ...common,
        expiresAt: Math.floor(at / 1000) + this.historySeconds,
      },
    ];
    const summary = summaryOf(result);
    if (summary) items.push({ PK: keys.site(result.site), SK: keys.readinessComplete, ...summary });
    await this.table.putAll(items);
  }

  async latest(site: string): Promise<ReadinessResult | undefined> {
    const item = await this.table.get({ PK: keys.site(site), SK: keys.readiness });
    return item ? resultOf(item, `latest readiness of site ${site}`) : undefined;
  }

  async latestReadiness(site: string): Promise<ReadinessSummary | undefined> {
    const item = await this.table.get({ PK: keys.site(site), SK: keys.readinessComplete });
    if (!item) return undefined;
    const what = `readiness summary of site ${site}`;
    return {
      site,
      secondary: stringAttribute(item, "secondary", what),
      readinessPct: numberAttribute(item, "readinessPct", what),
      at: stringAttribute(item, "at", what),
    };
  }

  async history(site: string, from: number, to: number): Promise<ReadinessResult[]> {
    if (to <= from) return [];
    const items = await this.table.query(
      sortKeyBetween(keys.site(site), keys.readinessAt(from), keys.readinessAt(to - 1)),
    );
    return items.map((item) => resultOf(item, `readiness ${String(item.SK)} of site ${site}`));
  }

  async saveSnapshot(site: string, bytes: Uint8Array, at: number): Promise<void> {
    const generation = at.toString(36);
    const expiresAt = Math.floor(at / 1000) + snapshotTtlSeconds;
    const chunks: Record<string, unknown>[] = [];
    for (let offset = 0, n = 0; offset < bytes.length || n === 0; offset += chunkBytes, n++) {
      chunks.push({
        PK: keys.readinessSnapshots(site),
        SK: keys.snapshotChunk(generation, n),
        data: bytes.subarray(offset, offset + chunkBytes),
        expiresAt,
      });
    }
    await this.table.putAll(chunks);
    const head = { generation, chunks: chunks.length, bytes: bytes.length, sha256: digest(bytes) };
    await this.table.put({ PK: keys.readinessSnapshots(site), SK: keys.snapshotHead, ...head, expiresAt });
  }

  /** The stored state, or undefined when there is none or it does not read back whole. */
  async loadSnapshot(site: string): Promise<Uint8Array | undefined> {
    const item = await this.table.get({ PK: keys.readinessSnapshots(site), SK: keys.snapshotHead });
    if (!item) return undefined;
    const head = parseItem(headSchema, item, `readiness snapshot head of site ${site}`);
    const found = await this.table.getAll(
      Array.from({ length: head.chunks }, (_, n) => ({
        PK: keys.readinessSnapshots(site),
        SK: keys.snapshotChunk(head.generation, n),
      })),
    );
    if (found.length !== head.chunks) return undefined;
    found.sort((a, b) => String(a.SK).localeCompare(String(b.SK)));
    const parts = found.map((chunk) => chunk.data);
    if (!parts.every((p): p is Uint8Array => p instanceof Uint8Array)) return undefined;
    const bytes = Buffer.concat(parts);
    return bytes.length === head.bytes && digest(bytes) === head.sha256 ? bytes : undefined;
  }
}

function resultOf(item: Record<string, unknown>, what: string): ReadinessResult {
  const body = item.result;
  if (!(body instanceof Uint8Array))
    throw new StoredItemInvalidError(`${what}: attribute result is not binary`);
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(body).toString("utf8"));
  } catch (error) {
    throw new StoredItemInvalidError(`${what} is not gzip JSON`, { cause: error });
  }
  return parseItem(readinessResultSchema, json, what);
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64url");
}
