/*
 * The small part of Block Kit these messages use, with Slack's documented limits applied where the
 * text is built, so a long probe error never makes Slack reject a failover alert (`invalid_blocks`).
 * Own types rather than `@slack/types`: they are a few lines, and the package stays on one Slack
 * dependency. They are structurally what `chat.postMessage` accepts as `blocks`.
 */

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}

export interface ConfirmDialog {
  title: PlainText;
  text: PlainText | Mrkdwn;
  confirm: PlainText;
  deny: PlainText;
  style?: "primary" | "danger";
}

export interface ButtonElement {
  type: "button";
  action_id: string;
  text: PlainText;
  value?: string;
  style?: "primary" | "danger";
  confirm?: ConfirmDialog;
}

export type Block =
  | { type: "header"; block_id?: string; text: PlainText }
  | { type: "section"; block_id?: string; text?: Mrkdwn | PlainText; fields?: Array<Mrkdwn | PlainText> }
  | { type: "context"; block_id?: string; elements: Array<Mrkdwn | PlainText> }
  | { type: "divider"; block_id?: string }
  | { type: "actions"; block_id?: string; elements: ButtonElement[] };

/** A block as read back (stored ref, a click's payload): only its type and id are relied on. */
export type LooseBlock = { type: string; block_id?: string } & Record<string, unknown>;

/** A message as posted: `text` is the notification and screen-reader fallback for `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's limits (docs.slack.dev, Block Kit reference). */
export const limits = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageText: 4000,
} as const;

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function plain(text: string, max: number = limits.sectionText): PlainText {
  return { type: "plain_text", text: clip(text, max), emoji: true };
}

export function mrkdwn(text: string, max: number = limits.sectionText): Mrkdwn {
  return { type: "mrkdwn", text: clip(text, max) };
}

export function header(text: string): Block {
  return { type: "header", text: plain(text, limits.headerText) };
}

export function section(text: string, blockId?: string): Block {
  return { type: "section", ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(text) };
}

export function fieldsSection(fields: string[]): Block {
  return {
    type: "section",
    fields: fields.slice(0, limits.fields).map((f) => mrkdwn(f, limits.field)),
  };
}

export function context(texts: string[], blockId?: string): Block {
  return {
    type: "context",
    ...(blockId ? { block_id: blockId } : {}),
    elements: texts.slice(0, limits.contextElements).map((t) => mrkdwn(t)),
  };
}

export function divider(): Block {
  return { type: "divider" };
}
