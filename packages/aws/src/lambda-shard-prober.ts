import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  type ProbeRound,
  type ProbeShard,
  probeRoundSchema,
  type ShardProber,
  shardLabel,
  shardRequest,
} from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import { errorName } from "./aws-errors.js";

/*
 * The probe fan-out's coordinator side: each shard of a region's sites is probed by the region's
 * shard worker function, invoked synchronously (RequestResponse; its answer, the shard's round, is at
 * most a few hundred KB against Lambda's 6 MB for a synchronous payload). The answer is parsed with
 * core's schema. Anything else (a function error, a throttle, no answer before the caller's signal)
 * is a `ShardUnansweredError`: the round records that shard as silent, and only its sites go stale.
 */

/** Invokes in flight at once: every shard of a region's round, up to far more shards than a round needs. */
const maxShardsInFlight = 256;

export class ShardUnansweredError extends Error {
  override name = "ShardUnansweredError";
}

export interface LambdaShardProberOptions {
  /** The shard worker function of this region. */
  functionName: string;
  /** The probe region: the worker must answer for it. */
  region: string;
  client?: LambdaClient;
}

export class LambdaShardProber implements ShardProber {
  private readonly client: LambdaClient;

  constructor(private readonly options: LambdaShardProberOptions) {
    // One retry at most (the SDK retries throttles and 5xx, with backoff), and none past the round's
    // deadline (the signal): the next round is only a cadence away, and a shard probed twice in a
    // round only costs.
    // Every shard's invoke is one open request for the whole round: the SDK's default pool of 50
    // connections would queue the shards past the 50th behind the others' rounds.
    this.client =
      options.client ??
      new LambdaClient({ maxAttempts: 2, requestHandler: { httpsAgent: { maxSockets: maxShardsInFlight } } });
  }

  async probe(shard: ProbeShard, at: number, signal: AbortSignal): Promise<ProbeRound> {
    const label = shardLabel(shard);
    let payload: Uint8Array | undefined;
    let functionError: string | undefined;
    try {
      const answer = await this.client.send(
        new InvokeCommand({
          FunctionName: this.options.functionName,
          InvocationType: "RequestResponse",
          Payload: Buffer.from(JSON.stringify(shardRequest(this.options.region, shard, at))),
        }),
        { abortSignal: signal },
      );
      payload = answer.Payload;
      functionError = answer.FunctionError;
    } catch (error) {
      const why = signal.aborted ? "no answer before the round's deadline" : errorName(error);
      throw new ShardUnansweredError(`${label}: ${why}`, { cause: error });
    }
    const text = Buffer.from(payload ?? new Uint8Array()).toString("utf8");
    if (functionError) {
      throw new ShardUnansweredError(
        `${label}: the worker failed (${functionError}): ${errorMessageOf(text)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ShardUnansweredError(`${label}: the worker's answer is not JSON`, { cause: error });
    }
    const parsed = probeRoundSchema.safeParse(json);
    if (!parsed.success) {
      throw new ShardUnansweredError(
        `${label}: the worker's answer is not a round: ${parsed.error.message.slice(0, 300)}`,
      );
    }
    const round = parsed.data;
    if (round.region !== this.options.region || round.at !== at) {
      throw new ShardUnansweredError(
        `${label}: the worker answered for ${round.region} at ${round.at}, not ${this.options.region} at ${at}`,
      );
    }
    return round;
  }
}

/** The error document Lambda sends for a function error (`{"errorType","errorMessage",...}`). */
const functionErrorSchema = z.object({ errorType: z.optional(z.string()), errorMessage: z.string() });

/** The message of a Lambda error document, or the start of the text. */
function errorMessageOf(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.slice(0, 300);
  }
  const document = functionErrorSchema.safeParse(json);
  if (!document.success) return text.slice(0, 300);
  const { errorType, errorMessage } = document.data;
  return `${errorType ? `${errorType}: ` : ""}${errorMessage}`.slice(0, 300);
}
