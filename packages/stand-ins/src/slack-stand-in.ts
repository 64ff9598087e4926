import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, readBody } from "./http-parts.js";
import { createSlackFileUploads, type SlackFileRecord } from "./slack-file-uploads.js";

/*
 * The slice of Slack's Web API this product calls, on 127.0.0.1, as `@slack/web-api`'s `WebClient`
 * speaks it (`slackApiUrl: stand-in.apiUrl`): form-encoded (or JSON) `POST /api/{method}` with a
 * Bearer token, `blocks` as a JSON string. It keeps channels, messages (with threads and edits) and
 * user groups, checks Block Kit against Slack's documented limits (`invalid_blocks`), records every
 * call, and can be told to fail: 429 with Retry-After, a 5xx, or a platform error such as
 * `invalid_auth`. It also plays Slack's side of an interaction: `blockActionsRequest` builds the
 * signed `block_actions` request a click on one of its stored messages would send.
 */

export interface SlackStandInOptions {
  /** The bot token calls must carry. Default `xoxb-stand-in`. */
  token?: string;
  /** Channel names (without `#`) to ids. Default `{ "idp-failover": "C0IDPFAIL" }`. */
  channels?: Record<string, string>;
  /** User group ids to member user ids. */
  userGroups?: Record<string, string[]>;
  /** Signs `blockActionsRequest`. Default `stand-in-signing-secret`. */
  signingSecret?: string;
}

export type SlackFault =
  | { kind: "rate-limited"; retryAfterSeconds: number }
  | { kind: "server-error"; status?: number }
  | { kind: "platform-error"; error: string };

export interface RecordedSlackCall {
  method: string;
  params: Record<string, unknown>;
  /** What the stand-in answered: `ok`, a platform error code, or an HTTP status. */
  answer: string;
}

export interface SlackMessageRecord {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  threadTs?: string;
  replyBroadcast: boolean;
  /** Earlier versions, oldest first (each `chat.update` pushes the replaced one). */
  history: Array<{ text: string; blocks: Array<Record<string, unknown>> }>;
}

export interface EphemeralRecord {
  channel: string;
  user: string;
  text: string;
}

export interface SlackStandIn {
  /** `http://127.0.0.1:{port}/api/`: the `slackApiUrl` for `WebClient`. */
  apiUrl: string;
  token: string;
  signingSecret: string;
  readonly calls: readonly RecordedSlackCall[];
  readonly messages: readonly SlackMessageRecord[];
  readonly ephemerals: readonly EphemeralRecord[];
  /** Files uploaded through files.getUploadURLExternal / completeUploadExternal (slack-file-uploads.ts). */
  readonly files: readonly SlackFileRecord[];
  /** Top-level messages of a channel (id), oldest first. */
  rootMessages(channel?: string): SlackMessageRecord[];
  /** Replies in a thread, oldest first. */
  replies(threadTs: string): SlackMessageRecord[];
  message(ts: string): SlackMessageRecord | undefined;
  /** Fails the next calls (of `method`, or any), one fault each, in order. */
  failNext(fault: SlackFault, options?: { method?: string; times?: number }): void;
  /** Fails every call until `clearFaults` (Slack is down). */
  failAll(fault: SlackFault): void;
  clearFaults(): void;
  setUserGroup(id: string, members: string[]): void;
  /**
   * The request Slack sends when `userId` clicks the button `actionId` on message `ts`: the form
   * body (`payload=...`) and signed headers, from the message as the stand-in holds it.
   */
  blockActionsRequest(input: {
    ts: string;
    actionId: string;
    userId: string;
    /** Unix seconds to sign with. */
    timestamp: number;
  }): { rawBody: string; headers: Record<string, string>; payload: Record<string, unknown> };
  close(): Promise<void>;
}

const defaults = {
  token: "xoxb-stand-in",
  channels: { "idp-failover": "C0IDPFAIL" },
  signingSecret: "stand-in-signing-secret",
};

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const token = options.token ?? defaults.token;
  const signingSecret = options.signingSecret ?? defaults.signingSecret;
  const channels = new Map(Object.entries(options.channels ?? defaults.channels));
  const userGroups = new Map(Object.entries(options.userGroups ?? {}));
  const calls: RecordedSlackCall[] = [];
  const messages: SlackMessageRecord[] = [];
  const ephemerals: EphemeralRecord[] = [];
  const queued: Array<{ fault: SlackFault; method?: string }> = [];
  let always: SlackFault | undefined;
  let clock = 1_767_225_600; // message ts seconds: 2026-01-01, then one per message
  let sequence = 0;

  const nextTs = () => {
    sequence += 1;
    clock += 1;
    return `${clock}.${String(sequence).padStart(6, "0")}`;
  };
  const channelId = (name: unknown): string | undefined => {
    if (typeof name !== "string") return undefined;
    const bare = name.replace(/^#/, "");
    if ([...channels.values()].includes(bare)) return bare;
    return channels.get(bare);
  };

  let apiUrl = "";
  const uploads = createSlackFileUploads({
    baseUrl: () => apiUrl.replace(/\/api\/$/, ""),
    channelIds: () => channels.values(),
    threadExists: (channel, ts) => messages.some((m) => m.channel === channel && m.ts === ts && !m.threadTs),
  });
  const methods: Record<string, (p: Record<string, unknown>) => SlackAnswer> = {
    ...uploads.methods,
    "auth.test": () =>
      ok({
        url: "https://stand-in.slack.com/",
        team: "Stand-in",
        user: "idp-failover",
        team_id: "T0STANDIN",
        user_id: "U0BOT",
        bot_id: "B0BOT",
      }),
    "chat.postMessage": (p) => {
      const channel = channelId(p.channel);
      if (!channel) return platformError("channel_not_found");
      const blocks = parseBlocks(p.blocks);
      if (blocks === "invalid") return platformError("invalid_blocks_format");
      const problems = blockProblems(blocks);
      if (problems.length > 0) return platformError("invalid_blocks", { errors: problems });
      const text = typeof p.text === "string" ? p.text : "";
      if (!text && blocks.length === 0) return platformError("no_text");
      if (text.length > 40_000) return platformError("msg_too_long");
      const threadTs = typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined;
      if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) {
        return platformError("thread_not_found");
      }
      const record: SlackMessageRecord = {
        channel,
        ts: nextTs(),
        text,
        blocks,
        ...(threadTs ? { threadTs } : {}),
        replyBroadcast: p.reply_broadcast === true || p.reply_broadcast === "true",
        history: [],
      };
      messages.push(record);
      return ok({
        channel,
        ts: record.ts,
        message: { type: "message", text, ts: record.ts, blocks, bot_id: "B0BOT" },
      });
    },
    "chat.update": (p) => {
      const channel = typeof p.channel === "string" ? p.channel : "";
      if (![...channels.values()].includes(channel)) return platformError("channel_not_found");
      const record = messages.find((m) => m.channel === channel && m.ts === p.ts);
      if (!record) return platformError("message_not_found");
      const blocks = p.blocks === undefined ? record.blocks : parseBlocks(p.blocks);
      if (blocks === "invalid") return platformError("invalid_blocks_format");
      const problems = blockProblems(blocks);
      if (problems.length > 0) return platformError("invalid_blocks", { errors: problems });
      record.history.push({ text: record.text, blocks: record.blocks });
      record.text = typeof p.text === "string" ? p.text : record.text;
      record.blocks = blocks;
      return ok({ channel, ts: record.ts, text: record.text });
    },
    "chat.postEphemeral": (p) => {
      const channel = channelId(p.channel);
      if (!channel) return platformError("channel_not_found");
      if (typeof p.user !== "string" || !p.user) return platformError("user_not_found");
      ephemerals.push({ channel, user: p.user, text: typeof p.text === "string" ? p.text : "" });
      return ok({ message_ts: nextTs() });
    },
    "usergroups.users.list": (p) => {
      const members = typeof p.usergroup === "string" ? userGroups.get(p.usergroup) : undefined;
      return members ? ok({ users: [...members] }) : platformError("no_such_subteam");
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (uploads.receive(req, res)) return;
    const raw = await readBody(req);
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const params = parseParams(raw, req.headers["content-type"]);
    const fault = takeFault(method);
    if (fault) {
      calls.push({ method, params, answer: describeFault(fault) });
      return sendFault(res, fault);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? params.token;
    if (bearer !== token) {
      calls.push({ method, params, answer: bearer ? "invalid_auth" : "not_authed" });
      return send(res, 200, { ok: false, error: bearer ? "invalid_auth" : "not_authed" });
    }
    const answer = methods[method]?.(params) ?? platformError("unknown_method");
    calls.push({ method, params, answer: answer.ok ? "ok" : String(answer.error) });
    return send(res, 200, answer);
  }

  function takeFault(method: string): SlackFault | undefined {
    if (always) return always;
    const i = queued.findIndex((q) => q.method === undefined || q.method === method);
    if (i < 0) return undefined;
    return queued.splice(i, 1)[0]?.fault;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  apiUrl = `http://127.0.0.1:${port}/api/`;

  return {
    apiUrl,
    token,
    signingSecret,
    calls,
    messages,
    ephemerals,
    files: uploads.files,
    rootMessages: (channel) =>
      messages.filter((m) => !m.threadTs && (channel === undefined || m.channel === channel)),
    replies: (threadTs) => messages.filter((m) => m.threadTs === threadTs),
    message: (ts) => messages.find((m) => m.ts === ts),
    failNext(fault, opts = {}) {
      for (let i = 0; i < (opts.times ?? 1); i++) {
        queued.push({ fault, ...(opts.method ? { method: opts.method } : {}) });
      }
    },
    failAll(fault) {
      always = fault;
    },
    clearFaults() {
      always = undefined;
      queued.length = 0;
    },
    setUserGroup(id, members) {
      userGroups.set(id, [...members]);
    },
    blockActionsRequest({ ts, actionId, userId, timestamp }) {
      const message = messages.find((m) => m.ts === ts);
      if (!message) throw new Error(`no message ${ts} in the stand-in`);
      const found = findButton(message.blocks, actionId);
      if (!found) throw new Error(`message ${ts} has no button ${actionId}`);
      const channelName = [...channels].find(([, id]) => id === message.channel)?.[0] ?? "channel";
      const payload: Record<string, unknown> = {
        type: "block_actions",
        user: {
          id: userId,
          username: userId.toLowerCase(),
          name: userId.toLowerCase(),
          team_id: "T0STANDIN",
        },
        api_app_id: "A0STANDIN",
        token: "legacy-verification-token",
        container: { type: "message", message_ts: ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `${timestamp}.1234.abcdef`,
        team: { id: "T0STANDIN", domain: "stand-in" },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: channelName },
        message: {
          type: "message",
          subtype: "bot_message",
          text: message.text,
          ts,
          bot_id: "B0BOT",
          blocks: message.blocks,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
        state: { values: {} },
        response_url: `${apiUrl.replace(/\/api\/$/, "")}/actions/T0STANDIN/1/secret-response-token`,
        actions: [
          {
            action_id: actionId,
            block_id: found.blockId,
            text: found.button.text,
            ...(found.button.value !== undefined ? { value: found.button.value } : {}),
            ...(found.button.style !== undefined ? { style: found.button.style } : {}),
            type: "button",
            action_ts: `${timestamp}.000100`,
          },
        ],
      };
      const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
      return {
        rawBody,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": signature,
        },
        payload,
      };
    },
    close: () => closeServer(server),
  };
}

type SlackAnswer = { ok: boolean; error?: string } & Record<string, unknown>;

function ok(fields: Record<string, unknown>): SlackAnswer {
  return { ok: true, ...fields };
}

function platformError(error: string, fields: Record<string, unknown> = {}): SlackAnswer {
  return { ok: false, error, ...fields };
}

function describeFault(fault: SlackFault): string {
  switch (fault.kind) {
    case "rate-limited":
      return "429";
    case "server-error":
      return String(fault.status ?? 503);
    case "platform-error":
      return fault.error;
  }
}

function sendFault(res: ServerResponse, fault: SlackFault): void {
  switch (fault.kind) {
    case "rate-limited":
      res.writeHead(429, {
        "content-type": "application/json",
        "retry-after": String(fault.retryAfterSeconds),
      });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    case "server-error":
      res.writeHead(fault.status ?? 503, { "content-type": "text/html" });
      res.end("<html><body>Service Unavailable</body></html>");
      return;
    case "platform-error":
      send(res, 200, { ok: false, error: fault.error });
      return;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function parseBlocks(value: unknown): Array<Record<string, unknown>> | "invalid" {
  if (value === undefined || value === "") return [];
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return "invalid";
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((b) => b && typeof b === "object")) return "invalid";
  return parsed as Array<Record<string, unknown>>;
}

interface ButtonLike {
  type?: unknown;
  action_id?: unknown;
  text?: unknown;
  value?: string;
  style?: string;
  confirm?: unknown;
}

function findButton(
  blocks: ReadonlyArray<Record<string, unknown>>,
  actionId: string,
): { blockId: string | undefined; button: ButtonLike } | undefined {
  for (const block of blocks) {
    if (block.type !== "actions" || !Array.isArray(block.elements)) continue;
    for (const element of block.elements as ButtonLike[]) {
      if (element.action_id === actionId) {
        return { blockId: typeof block.block_id === "string" ? block.block_id : undefined, button: element };
      }
    }
  }
  return undefined;
}

/** Slack's documented Block Kit limits for the block types this product uses. */
function blockProblems(blocks: ReadonlyArray<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`more than 50 blocks (${blocks.length})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  const textObject = (value: unknown, where: string, max: number, types = ["plain_text", "mrkdwn"]) => {
    const t = value as { type?: unknown; text?: unknown } | undefined;
    if (!t || typeof t !== "object" || !types.includes(String(t.type))) {
      problems.push(`${where}: must be a ${types.join(" or ")} text object`);
      return;
    }
    if (typeof t.text !== "string" || t.text.length === 0) problems.push(`${where}: empty text`);
    else if (t.text.length > max) problems.push(`${where}: longer than ${max} characters`);
  };
  blocks.forEach((block, i) => {
    const where = `blocks[${i}]`;
    if (typeof block.block_id === "string") {
      if (block.block_id.length > 255) problems.push(`${where}.block_id: longer than 255`);
      if (blockIds.has(block.block_id)) problems.push(`${where}.block_id: duplicate ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case "header":
        textObject(block.text, `${where}.text`, 150, ["plain_text"]);
        break;
      case "section": {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`${where}: needs text or fields`);
        if (block.text !== undefined) textObject(block.text, `${where}.text`, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > 10)
            problems.push(`${where}.fields: at most 10`);
          else
            block.fields.forEach((f, j) => {
              textObject(f, `${where}.fields[${j}]`, 2000);
            });
        }
        break;
      }
      case "context":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) {
          problems.push(`${where}.elements: 1 to 10 elements`);
        } else
          block.elements.forEach((e, j) => {
            textObject(e, `${where}.elements[${j}]`, 3000);
          });
        break;
      case "divider":
        break;
      case "actions": {
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) {
          problems.push(`${where}.elements: 1 to 25 elements`);
          break;
        }
        (block.elements as ButtonLike[]).forEach((e, j) => {
          const at = `${where}.elements[${j}]`;
          if (e.type !== "button") {
            problems.push(`${at}: only buttons are expected`);
            return;
          }
          textObject(e.text, `${at}.text`, 75, ["plain_text"]);
          if (typeof e.action_id !== "string" || e.action_id.length > 255)
            problems.push(`${at}.action_id: 1 to 255`);
          else if (actionIds.has(e.action_id)) problems.push(`${at}.action_id: duplicate ${e.action_id}`);
          else actionIds.add(e.action_id);
          if (e.value !== undefined && (typeof e.value !== "string" || e.value.length > 2000)) {
            problems.push(`${at}.value: at most 2000 characters`);
          }
          if (e.style !== undefined && e.style !== "primary" && e.style !== "danger")
            problems.push(`${at}.style`);
          if (e.confirm !== undefined) {
            const c = e.confirm as Record<string, unknown>;
            textObject(c.title, `${at}.confirm.title`, 100, ["plain_text"]);
            textObject(c.text, `${at}.confirm.text`, 300);
            textObject(c.confirm, `${at}.confirm.confirm`, 30, ["plain_text"]);
            textObject(c.deny, `${at}.confirm.deny`, 30, ["plain_text"]);
          }
        });
        break;
      }
      default:
        problems.push(`${where}: unexpected block type ${String(block.type)}`);
    }
  });
  return problems;
}
