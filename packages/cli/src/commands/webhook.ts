import { checkOutboundUrl, type NotificationKind } from "@idp-failover/core";
import {
  HttpWebhookSender,
  sampleNotification,
  sampleNotificationKinds,
  signingKeys,
  webhookHeaders,
} from "@idp-failover/slack";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import type { CommandIo } from "../command-io.js";

export interface WebhookTestOptions {
  url: string;
  secret: string;
  event?: string;
  allowPrivate?: boolean;
}

/** `idpctl webhook test`: one signed sample notification to a receiver, as a delivery would send it. */
export function registerWebhook(program: Command, io: CommandIo): void {
  program
    .command("webhook")
    .description("Webhook receivers: send a signed sample notification")
    .command("test")
    .description(
      "POST one signed sample notification to a receiver (the same URL checks, signature and no-redirect rule as delivery) and print its answer",
    )
    .requiredOption("--url <url>", "the receiver's https URL")
    .requiredOption("--secret <whsec>", "its Standard Webhooks secret (whsec_...); never printed")
    .option("--event <kind>", "the notification kind to send (default failed-over)")
    .option("--allow-private", "allow a loopback or private receiver, and http for it (local tests only)")
    .action((options: WebhookTestOptions) => runWebhookTest(options, io));
}

const answerPreviewChars = 300;

export async function runWebhookTest(options: WebhookTestOptions, io: CommandIo): Promise<void> {
  const kind = options.event ?? "failed-over";
  if (!isKind(kind)) {
    throw new CliError(
      `--event ${JSON.stringify(kind)} is not a notification kind: one of ${sampleNotificationKinds.join(", ")}`,
      2,
    );
  }
  const keys = signingKeys(options.secret);
  if (!keys.ok) throw new CliError(`--secret ${keys.problem}`, 2);
  const allowance = {
    allowPrivate: options.allowPrivate === true,
    allowInsecure: options.allowPrivate === true,
  };
  const target = checkOutboundUrl(options.url, allowance);
  if (!target.ok) {
    // The config's words for the allowances, in the command's.
    const hint = target.hint
      .replace("allowPrivate: true permits", "--allow-private permits")
      .replace(
        "allowInsecure: true permits http",
        "--allow-private permits http to a loopback or private receiver",
      );
    throw new CliError(`--url ${target.message} (${hint})`, 2);
  }
  const intent = sampleNotification(kind, io.now());
  const sender = new HttpWebhookSender(
    { name: "webhook test", url: options.url, secret: options.secret, ...allowance },
    { clock: { now: () => io.now() } },
  );
  io.out(`POST ${target.url.toString()}  ${webhookHeaders.id}: ${intent.id}\n`);
  const { outcome, answer } = await sender.attempt(intent);
  if (answer) {
    const preview =
      answer.body.length > answerPreviewChars ? `${answer.body.slice(0, answerPreviewChars)}…` : answer.body;
    io.out(
      `HTTP ${answer.status} in ${Math.round(answer.latencyMs)} ms${preview ? `: ${preview.trim()}` : " (empty body)"}\n`,
    );
  }
  if (outcome.kind !== "sent") throw new CliError(outcome.message.replace(/^webhook test: /, ""), 1);
  io.out("delivered: the receiver answered 2xx\n");
}

function isKind(kind: string): kind is NotificationKind {
  return (sampleNotificationKinds as string[]).includes(kind);
}
