import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { closeServer, readBody, startOnLoopback } from "./http-parts.js";

/*
 * Just enough of SQS on 127.0.0.1 for the probe tick chain: `SendMessage` (with `DelaySeconds`) and
 * `GetQueueAttributes` (the approximate counts), in the AWS JSON 1.0 protocol the SDK v3 client
 * speaks (`X-Amz-Target: AmazonSQS.<Operation>`). Messages are kept with their delay; tests move time
 * with `receiveDue(now)`, which returns the messages whose delay has passed, as Lambda's poller would.
 */

export interface SqsStoredMessage {
  id: string;
  queueUrl: string;
  body: string;
  delaySeconds: number;
  sentAt: number;
}

export class SqsStandIn {
  readonly messages: SqsStoredMessage[] = [];
  /**
   * Messages received and not yet deleted (in flight), as `GetQueueAttributes` reports them. Tests set
   * it: `receiveDue` hands messages out and deletes them at once.
   */
  inFlight = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly now: () => number,
  ) {}

  static start(options: { now?: () => number } = {}): Promise<SqsStandIn> {
    return startOnLoopback(
      (server, url) => new SqsStandIn(server, url, options.now ?? Date.now),
      (standIn, req, res) => standIn.serve(req, res),
    );
  }

  /** The messages due at `now`, removed from the queue (as if received and deleted). */
  receiveDue(now: number): SqsStoredMessage[] {
    const due = this.messages.filter((m) => m.sentAt + m.delaySeconds * 1000 <= now);
    for (const m of due) this.messages.splice(this.messages.indexOf(m), 1);
    return due;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(body));
    };
    if (target === "AmazonSQS.SendMessage") {
      const id = randomUUID();
      this.messages.push({
        id,
        queueUrl: String(input.QueueUrl),
        body: String(input.MessageBody),
        delaySeconds: Number(input.DelaySeconds ?? 0),
        sentAt: this.now(),
      });
      // The SDK checks the body's MD5 against what it sent.
      const md5 = createHash("md5").update(String(input.MessageBody)).digest("hex");
      reply(200, { MessageId: id, MD5OfMessageBody: md5 });
      return;
    }
    if (target === "AmazonSQS.GetQueueAttributes") {
      const now = this.now();
      const visible = this.messages.filter((m) => m.sentAt + m.delaySeconds * 1000 <= now).length;
      reply(200, {
        Attributes: {
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesDelayed: String(this.messages.length - visible),
          ApproximateNumberOfMessagesNotVisible: String(this.inFlight),
        },
      });
      return;
    }
    reply(400, { __type: "com.amazonaws.sqs#InvalidAction", message: `unsupported: ${target}` });
  }
}

export function startSqsStandIn(options: { now?: () => number } = {}): Promise<SqsStandIn> {
  return SqsStandIn.start(options);
}
