// Building blocks of the fake's Bot API methods: result shapes, parameter reading (JSON and form
// bodies alike), chat/message scaffolding, and the shared sendPhoto/sendDocument upload handling.

import type { FakeState, Json, StoredFile, StoredMessage, TgChatJson, TgUserJson } from './fake-state.js';
import { renderHtml } from './html-entities.js';
import type { UploadedFile } from './multipart.js';

export type MethodResult =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: Json };

export interface MethodContext {
  state: FakeState;
  bot: TgUserJson;
  params: Record<string, unknown>;
  files: Record<string, UploadedFile>;
  /** Registers a callback for when the client hangs up (a held getUpdates). */
  onClose(cb: () => void): void;
  chat(id: number): TgChatJson;
}

export type Method = (ctx: MethodContext) => MethodResult | Promise<MethodResult>;

export const DOWNLOAD_MAX = 20 * 1024 * 1024;

export const ok = (result: unknown): MethodResult => ({ ok: true, result });
export const fail = (code: number, description: string, parameters?: Json): MethodResult =>
  parameters
    ? { ok: false, error_code: code, description, parameters }
    : { ok: false, error_code: code, description };
export const bad = (what: string) => fail(400, `Bad Request: ${what}`);

export function num(p: Record<string, unknown>, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function str(p: Record<string, unknown>, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** Form bodies carry objects as JSON strings. */
export function obj(p: Record<string, unknown>, name: string): unknown {
  const v = p[name];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function render(text: string, parseMode: string | undefined): { text: string } | { error: string } {
  return parseMode?.toUpperCase() === 'HTML' ? renderHtml(text) : { text };
}

export function badButtonUrl(markup: unknown): string | undefined {
  const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    for (const b of Array.isArray(row) ? row : []) {
      const url = (b as { url?: unknown }).url;
      if (typeof url !== 'string') continue;
      let host = '';
      try {
        host = new URL(url).hostname;
      } catch {
        return url;
      }
      if (host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[') || !host.includes('.'))
        return url;
    }
  }
  return undefined;
}

export function baseMessage(ctx: MethodContext, chatId: number): { json: Json; threadId?: number } {
  const threadId = num(ctx.params, 'message_thread_id');
  const json: Json = {
    message_id: ctx.state.messageId(chatId),
    date: Math.floor(Date.now() / 1000),
    chat: ctx.chat(chatId),
    from: ctx.bot,
  };
  if (threadId !== undefined) Object.assign(json, { message_thread_id: threadId, is_topic_message: true });
  return threadId === undefined ? { json } : { json, threadId };
}

function uploaded(ctx: MethodContext, field: string, dir: string): StoredFile | MethodResult {
  const v = ctx.params[field];
  const direct = ctx.files[field];
  if (direct) return ctx.state.addFile(direct.data, { dir, filename: direct.filename });
  if (typeof v === 'string' && v.startsWith('attach://')) {
    const f = ctx.files[v.slice('attach://'.length)];
    if (!f) return bad(`file ${v} not found in the request`);
    return ctx.state.addFile(f.data, { dir, filename: f.filename });
  }
  if (typeof v === 'string' && ctx.state.files.has(v)) return ctx.state.files.get(v)!;
  return bad(`there is no ${field} in the request`);
}

export function sendMedia(kind: 'photo' | 'document'): Method {
  return (ctx) => {
    const chatId = num(ctx.params, 'chat_id');
    if (chatId === undefined) return bad('chat_id is empty');
    const file = uploaded(ctx, kind, kind === 'photo' ? 'photos' : 'documents');
    if ('ok' in file) return file;
    const caption = str(ctx.params, 'caption');
    let shown: string | undefined;
    if (caption !== undefined) {
      const r = render(caption, str(ctx.params, 'parse_mode'));
      if ('error' in r) return bad(`can't parse entities: ${r.error}`);
      if (r.text.length > 1024) return bad('message caption is too long');
      shown = r.text;
    }
    const { json, threadId } = baseMessage(ctx, chatId);
    const filename = file.path.replace(/^.*?\/\d+_/, '');
    if (kind === 'photo') {
      json.photo = [
        {
          file_id: file.fileId,
          file_unique_id: file.uniqueId,
          width: 800,
          height: 600,
          file_size: file.size,
        },
      ];
    } else {
      json.document = {
        file_id: file.fileId,
        file_unique_id: file.uniqueId,
        file_name: filename,
        file_size: file.size,
      };
    }
    if (shown !== undefined) json.caption = shown;
    const stored: StoredMessage = {
      chatId,
      messageId: json.message_id as number,
      fromBot: true,
      kind,
      file: { fileId: file.fileId, filename, data: file.data },
      edits: 0,
      json,
      ...(threadId === undefined ? {} : { threadId }),
      ...(shown === undefined ? {} : { caption: shown }),
    };
    ctx.state.storeMessage(stored);
    return ok(json);
  };
}
