import {
  type Clock,
  checkOutboundUrl,
  type NotificationIntent,
  type NotificationKind,
} from "@idp-failover/core";
import {
  HttpWebhookSender,
  type HttpWebhookSenderOptions,
  sampleNotification,
  sampleNotificationKinds,
  signingKeys,
  type WebhookAttempt,
} from "@idp-failover/slack";

/*
 * `idpctl webhook test`: one signed sample notification to a receiver through the delivery's own
 * sender, so the URL rules, the resolved-address check, the signature and the no-redirect rule are
 * the ones a real delivery meets. Bad input is a value (the CLI exits 2 and sends nothing).
 */

export interface WebhookTestInput {
  url: string;
  secret: string;
  /** Default `failed-over`. */
  kind?: string;
  /** Loopback and private receivers, and http for them: local tests only. */
  allowPrivate?: boolean;
  clock: Clock;
  resolveAll?: HttpWebhookSenderOptions["resolveAll"];
}

export type WebhookTestResult =
  | { kind: "bad-input"; problem: string }
  | ({ kind: "sent"; intent: NotificationIntent; url: string } & WebhookAttempt);

export async function sendWebhookTest(input: WebhookTestInput): Promise<WebhookTestResult> {
  const kind = input.kind ?? "failed-over";
  if (!isKind(kind)) {
    return {
      kind: "bad-input",
      problem: `--event ${JSON.stringify(kind)} is not a notification kind: one of ${sampleNotificationKinds.join(", ")}`,
    };
  }
  const keys = signingKeys(input.secret);
  if (!keys.ok) return { kind: "bad-input", problem: `--secret ${keys.problem}` };
  const allowance = { allowPrivate: input.allowPrivate === true, allowInsecure: input.allowPrivate === true };
  const target = checkOutboundUrl(input.url, allowance);
  if (!target.ok) {
    // The config's words for the allowances, in the command's.
    const hint = target.hint
      .replace("allowPrivate: true permits", "--allow-private permits")
      .replace(
        "allowInsecure: true permits http",
        "--allow-private permits http to a loopback or private receiver",
      );
    return { kind: "bad-input", problem: `--url ${target.message} (${hint})` };
  }
  const intent = sampleNotification(kind, input.clock.now());
  const sender = new HttpWebhookSender(
    { name: "webhook test", url: input.url, secret: input.secret, ...allowance },
    { clock: input.clock, ...(input.resolveAll ? { resolveAll: input.resolveAll } : {}) },
  );
  const { outcome, answer } = await sender.attempt(intent);
  return { kind: "sent", intent, url: target.href, outcome, ...(answer ? { answer } : {}) };
}

function isKind(kind: string): kind is NotificationKind {
  return (sampleNotificationKinds as string[]).includes(kind);
}
