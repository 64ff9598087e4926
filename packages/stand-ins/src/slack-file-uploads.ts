import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/*
 * Slack's file upload flow for the Slack stand-in (what `files.uploadV2` in @slack/web-api 8 does):
 * `files.getUploadURLExternal` (filename, length) answers an `upload_url` and a `file_id`; the bytes
 * are POSTed to that URL (multipart or raw); `files.completeUploadExternal` (files: [{id, title}],
 * channel_id, thread_ts, initial_comment) shares them. The stand-in keeps every file with its bytes,
 * and checks what Slack checks: a known, uploaded file of the announced length, a channel id (not a
 * name), a thread that exists.
 */

export interface SlackFileRecord {
  id: string;
  filename: string;
  /** The length announced in getUploadURLExternal. */
  length: number;
  content?: Buffer;
  title?: string;
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  completed: boolean;
}

type Answer = { ok: boolean; error?: string } & Record<string, unknown>;

export interface SlackFileUploadsContext {
  /** `http://127.0.0.1:{port}` of the stand-in. */
  baseUrl(): string;
  channelIds(): Iterable<string>;
  threadExists(channel: string, ts: string): boolean;
}

export interface SlackFileUploads {
  readonly files: SlackFileRecord[];
  methods: Record<string, (params: Record<string, unknown>) => Answer>;
  /** Handles `POST /upload/v1/{file id}`; false when the path is not an upload URL. */
  receive(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createSlackFileUploads(context: SlackFileUploadsContext): SlackFileUploads {
  const files: SlackFileRecord[] = [];
  const fail = (error: string): Answer => ({ ok: false, error });

  const methods: SlackFileUploads["methods"] = {
    "files.getUploadURLExternal": (p) => {
      const filename = typeof p.filename === "string" ? p.filename : "";
      const length = Number(p.length);
      if (!filename) return fail("invalid_arguments");
      if (!Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
      const id = `F${randomBytes(5).toString("hex").toUpperCase()}`;
      files.push({ id, filename, length, completed: false });
      return { ok: true, upload_url: `${context.baseUrl()}/upload/v1/${id}`, file_id: id };
    },
    "files.completeUploadExternal": (p) => {
      const list = parseFiles(p.files);
      if (!list || list.length === 0) return fail("invalid_arguments");
      const channel = typeof p.channel_id === "string" && p.channel_id ? p.channel_id : undefined;
      if (channel && ![...context.channelIds()].includes(channel)) return fail("channel_not_found");
      const threadTs = typeof p.thread_ts === "string" && p.thread_ts ? p.thread_ts : undefined;
      if (threadTs && (!channel || !context.threadExists(channel, threadTs))) return fail("thread_not_found");
      const records: SlackFileRecord[] = [];
      for (const entry of list) {
        const record = files.find((f) => f.id === entry.id);
        if (!record?.content || record.content.length !== record.length) return fail("file_not_found");
        records.push(record);
      }
      for (const [i, record] of records.entries()) {
        record.completed = true;
        record.title = list[i]?.title ?? record.filename;
        if (channel) record.channel = channel;
        if (threadTs) record.threadTs = threadTs;
        if (typeof p.initial_comment === "string") record.initialComment = p.initial_comment;
      }
      return {
        ok: true,
        files: records.map((r) => ({ id: r.id, name: r.filename, title: r.title, size: r.length })),
      };
    },
  };

  function receive(req: IncomingMessage, res: ServerResponse): boolean {
    const match = /^\/upload\/v1\/([A-Z0-9]+)$/.exec((req.url ?? "").split("?")[0] ?? "");
    if (!match) return false;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const record = files.find((f) => f.id === match[1]);
        if (!record || req.method !== "POST") {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found");
          return;
        }
        record.content = await fileBytes(Buffer.concat(chunks), req.headers["content-type"]);
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`OK - ${record.content.length}`);
      })().catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      });
    });
    return true;
  }

  return { files, methods, receive };
}

function parseFiles(value: unknown): Array<{ id: string; title?: string }> | undefined {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(parsed)) return undefined;
  const out: Array<{ id: string; title?: string }> = [];
  for (const item of parsed) {
    if (!item || typeof item !== "object" || typeof (item as { id?: unknown }).id !== "string")
      return undefined;
    const { id, title } = item as { id: string; title?: unknown };
    out.push({ id, ...(typeof title === "string" ? { title } : {}) });
  }
  return out;
}

/** The file's bytes: the first file part of a multipart body, or the raw body. */
async function fileBytes(raw: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith("multipart/form-data")) return raw;
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  for (const value of form.values()) {
    if (typeof value !== "string") return Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}
