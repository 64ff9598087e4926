import { sendWebhookTest } from "@idp-failover/orchestration/webhook-test";
import { webhookHeaders } from "@idp-failover/slack";
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
  const result = await sendWebhookTest({
    url: options.url,
    secret: options.secret,
    ...(options.event !== undefined ? { kind: options.event } : {}),
    allowPrivate: options.allowPrivate === true,
    clock: { now: () => io.now() },
  });
  if (result.kind === "bad-input") throw new CliError(result.problem, 2);
  const { intent, url, outcome, answer } = result;
  io.out(`POST ${url}  ${intent.kind}  ${webhookHeaders.id}: ${intent.id}\n`);
  if (answer) {
    const body = answer.body.trim();
    const preview = body.length > answerPreviewChars ? `${body.slice(0, answerPreviewChars)}…` : body;
    io.out(
      `HTTP ${answer.status} in ${Math.round(answer.latencyMs)} ms${preview ? `: ${preview}` : " (empty body)"}\n`,
    );
  }
  if (outcome.kind !== "sent") throw new CliError(outcome.message.replace(/^webhook test: /, ""), 1);
  io.out("delivered: the receiver answered 2xx\n");
}
