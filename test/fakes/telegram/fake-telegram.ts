// A local Telegram Bot API server for tests: `/bot<token>/<method>` (JSON, urlencoded, multipart)
// and `/file/bot<token>/<path>`, on 127.0.0.1 and a free port. It records every call, lets a test
// inject updates and script failures (429, 409, 401, 5xx, dropped connections), and has an HTTP
// control API under /__control/ so a test can drive it while the gateway runs as a child process.

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail, METHODS, type MethodResult } from './bot-methods.js';

export type { Failure } from './failures.js';

import { handleControl } from './control-api.js';
import { type Failure, FailureScript, failureResult } from './failures.js';
import {
  FakeState,
  type Json,
  type RecordedCall,
  type StoredMessage,
  type TgChatJson,
  type TgUserJson,
} from './fake-state.js';
import { parseBody } from './multipart.js';
import {
  albumMessages,
  buildMessage,
  DEFAULT_USER,
  documentContent,
  editedMessage,
  groupChat,
  type MessageSpec,
  mediaContent,
  photoContent,
  privateChat,
} from './update-builders.js';
import { wellFormedStrings } from './utf8-strings.js';

export interface FakeTelegramOptions {
  token?: string;
  bot?: Partial<TgUserJson>;
  host?: string;
  port?: number;
}

export const DEFAULT_TOKEN = '7000001:AAFakeTokenForTests_abcdefghijklmnop';

export class FakeTelegram {
  readonly state = new FakeState();
  readonly calls: RecordedCall[] = [];
  readonly bot: TgUserJson;
  readonly token: string;
  private readonly failures = new FailureScript();
  private readonly events = new EventEmitter();
  private seq = 0;
  private apiRootUrl = '';

  private constructor(
    private readonly server: Server,
    opts: FakeTelegramOptions,
  ) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    const id = Number(this.token.split(':')[0]) || 7000001;
    this.bot = { id, is_bot: true, first_name: 'Sandgate Test', username: 'sandgate_test_bot', ...opts.bot };
    this.events.setMaxListeners(0);
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const server = createServer();
    const fake = new FakeTelegram(server, opts);
    server.on('request', (req, res) => {
      fake.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: `fake: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
    const { address, port } = server.address() as AddressInfo;
    fake.apiRootUrl = `http://${address}:${port}`;
    return fake;
  }

  /** Pass this as the channel's apiRoot / TELEGRAM_API_ROOT. */
  get apiRoot(): string {
    return this.apiRootUrl;
  }

  // ---- injecting what users send ----

  pushUpdate(update: Json): Json {
    const u = this.state.enqueue(update);
    this.events.emit('change');
    return u;
  }

  pushText(text: string, spec: MessageSpec = {}): { update: Json; message: Json } {
    const message = buildMessage(this.state, spec, { text });
    return { update: this.pushUpdate({ message }), message };
  }

  pushPhoto(data: Buffer, spec: MessageSpec & { caption?: string } = {}): { update: Json; message: Json } {
    const message = buildMessage(this.state, spec, photoContent(this.state, data, spec.caption));
    return { update: this.pushUpdate({ message }), message };
  }

  pushDocument(
    data: Buffer,
    spec: MessageSpec & { fileName: string; mimeType?: string; caption?: string; declaredSize?: number },
  ): { update: Json; message: Json } {
    const message = buildMessage(this.state, spec, documentContent(this.state, data, spec));
    return { update: this.pushUpdate({ message }), message };
  }

  /** A message with any content (a sticker, a poll, a voice note …) as a user sends it. */
  pushMessage(content: Json, spec: MessageSpec = {}): { update: Json; message: Json } {
    const message = buildMessage(this.state, spec, content);
    return { update: this.pushUpdate({ message }), message };
  }

  pushMedia(
    kind: 'voice' | 'audio' | 'video' | 'video_note' | 'animation',
    data: Buffer,
    spec: MessageSpec & { fileName?: string; mimeType?: string; caption?: string } = {},
  ): { update: Json; message: Json } {
    return this.pushMessage(mediaContent(this.state, kind, data, spec), spec);
  }

  /**
   * The user edits an earlier message: an `edited_message` update with the same message id, the new
   * text and an edit_date (delivered only when the bot asked for edited_message updates).
   */
  pushEdit(original: Json, text: string): { update: Json; message: Json } {
    const message = editedMessage(original, text);
    return { update: this.pushUpdate({ edited_message: message }), message };
  }

  /**
   * Several files sent as one album: one message (and update) per file, sharing a media_group_id,
   * each with its own caption if given (Telegram shows the first caption under the album).
   */
  pushAlbum(
    items: { data: Buffer; caption?: string; fileName?: string }[],
    spec: MessageSpec = {},
  ): { updates: Json[]; messages: Json[] } {
    const messages = albumMessages(this.state, items, spec);
    return { updates: messages.map((message) => this.pushUpdate({ message })), messages };
  }

  readonly defaultUser = DEFAULT_USER;
  privateChat(user: TgUserJson = DEFAULT_USER): TgChatJson {
    return privateChat(user);
  }
  groupChat(id: number, title?: string, opts: { forum?: boolean } = {}): TgChatJson {
    return groupChat(id, title, opts);
  }

  // ---- scripting failures ----

  /** The next `times` calls of `method` ('*' = any method) fail as described. */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.add(method, failure, times);
  }

  clearFailures(): void {
    this.failures.clear();
  }

  // ---- observing what the bot did ----

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot posted, in order (optionally in one chat). */
  sent(chatId?: number): StoredMessage[] {
    return [...this.state.messages.values()].filter(
      (m) => m.fromBot && (chatId === undefined || m.chatId === chatId),
    );
  }

  get confirmedOffset(): number {
    return this.state.confirmedOffset;
  }

  /** Resolves with check()'s first non-undefined value; re-checked after every API call. */
  waitUntil<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const test = () => {
        const v = check();
        if (v === undefined || v === false) return false;
        cleanup();
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake telegram: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(test, 50);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.events.off('change', test);
      };
      if (!test()) this.events.on('change', test);
    });
  }

  /**
   * Waits until at least `count` calls of `method` have been answered (or dropped); with
   * `arrived`, until they have arrived (a held getUpdates counts).
   */
  waitForCalls(method: string, count = 1, timeoutMs = 10_000, arrived = false): Promise<RecordedCall[]> {
    return this.waitUntil(
      () => {
        const c = this.callsOf(method).filter((x) => arrived || x.status !== -1);
        return c.length >= count ? c : undefined;
      },
      timeoutMs,
      `${count} × ${method}`,
    );
  }

  async close(): Promise<void> {
    this.state.closed = true;
    this.state.waiter?.resolve([]);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRootUrl);
    const body = await readBody(req);
    if (url.pathname.startsWith('/__control/')) {
      await handleControl(this, url, req.method ?? 'GET', body, res);
      return;
    }
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const stored =
        decodeURIComponent(file[1]!) === this.token
          ? this.state.fileByPath(decodeURIComponent(file[2]!))
          : undefined;
      if (!stored) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': stored.data.length,
      });
      res.end(stored.data);
      return;
    }
    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!call) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    await this.apiCall(decodeURIComponent(call[1]!), call[2]!, req, res, url, body);
  }

  private async apiCall(
    token: string,
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ) {
    let parsed: ReturnType<typeof parseBody>;
    try {
      parsed = parseBody(req.headers['content-type'], body, url.searchParams);
    } catch (err) {
      return send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${String(err)}` });
    }
    const record: RecordedCall = {
      seq: ++this.seq,
      method,
      params: parsed.fields,
      files: parsed.files,
      status: -1,
      at: Date.now(),
    };
    this.calls.push(record);
    const finish = (status: number, result?: MethodResult) => {
      record.status = status;
      if (result && !result.ok) record.errorDescription = result.description;
      this.events.emit('change');
    };
    if (token !== this.token) {
      const r = fail(401, 'Unauthorized');
      finish(401, r);
      return send(res, 401, r);
    }
    if (!wellFormedStrings(parsed.fields)) {
      // The real Bot API decodes every string parameter as UTF-8: half a surrogate pair (a lone
      // surrogate in a JSON string, or bytes that are not UTF-8 in a form) is refused outright.
      const r = fail(400, 'Bad Request: strings must be encoded in UTF-8');
      finish(400, r);
      return send(res, 400, r);
    }
    const failure = this.failures.take(method);
    if (failure?.kind === 'drop-before') {
      finish(0);
      req.socket.destroy();
      return;
    }
    const scripted = failure ? failureResult(failure) : undefined;
    if (scripted) {
      finish(scripted.ok ? 200 : scripted.error_code, scripted);
      return send(res, scripted.ok ? 200 : scripted.error_code, scripted);
    }
    const handler = METHODS[method];
    const result: MethodResult = handler
      ? await handler({
          state: this.state,
          bot: this.bot,
          params: parsed.fields,
          files: parsed.files,
          onClose: (cb) => res.on('close', cb),
          chat: (id) => this.chatFor(id),
        })
      : fail(404, 'Not Found: method not found');
    if (failure?.kind === 'drop-after') {
      finish(0, result);
      req.socket.destroy();
      return;
    }
    const status = result.ok ? 200 : result.error_code;
    finish(status, result);
    send(res, status, result);
  }

  /** The chat object for a send: the one seen in an update, else a plausible one. */
  private chatFor(id: number): TgChatJson {
    for (const m of this.state.messages.values()) {
      if (m.chatId === id && !m.fromBot) return m.json.chat as TgChatJson;
    }
    return id < 0 ? { id, type: 'supergroup', title: 'Group' } : { id, type: 'private', first_name: 'User' };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
