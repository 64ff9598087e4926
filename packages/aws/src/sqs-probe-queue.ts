import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { ProbeTick } from "@idp-failover/core";

/*
 * The probe's clock in a region: a chain of delayed SQS messages, one per round. Each message carries
 * the tick (epoch ms) its round is due at; the handler sends the next message (delayed to the next
 * tick) before it probes, so a slow or failing round never breaks the chain. Waiting costs nothing:
 * a Lambda that slept between rounds would be billed for the sleep. A one-minute schedule re-seeds
 * the chain when the queue is empty (`isIdle`), so a lost link is healed within a minute; duplicate
 * links merge in the handler (see `ProbeTicks`).
 */

/** SQS delays a message by at most 15 minutes. */
const maxDelaySeconds = 900;

export interface SqsProbeQueueOptions {
  queueUrl: string;
  /** Defaults to a client for the region the process runs in. */
  client?: SQSClient;
}

export class SqsProbeQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: SqsProbeQueueOptions) {
    this.client = options.client ?? new SQSClient({ maxAttempts: 3 });
    this.queueUrl = options.queueUrl;
  }

  /** Sends the message of `tick`, delivered at `tick` (whole seconds; SQS has no finer delay). */
  async schedule(tick: number, now: number): Promise<void> {
    const delaySeconds = Math.min(maxDelaySeconds, Math.max(0, Math.round((tick - now) / 1000)));
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ tick } satisfies ProbeTick),
        DelaySeconds: delaySeconds,
      }),
    );
  }

  /** True when no message is waiting, delayed or in flight: the chain is broken. */
  async isIdle(): Promise<boolean> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesDelayed",
          "ApproximateNumberOfMessagesNotVisible",
        ],
      }),
    );
    const counts = Object.values(out.Attributes ?? {}).map(Number);
    return counts.length > 0 && counts.every((n) => n === 0);
  }
}
