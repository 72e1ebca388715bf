// A local Slack for tests: the Web API at `<url>/api/<method>` (JSON, form and multipart bodies,
// bearer or `token` parameter), the external-upload URL, private file downloads (bot token only),
// response_url, and Socket Mode (apps.connections.open → a ws:// socket). It records every call,
// scripts failures (Slack errors, 429 + Retry-After, 5xx) and sends signed events and slash commands
// to an app's request URL the way Slack does.

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeState, type Json, type PostedMessage, type RecordedCall } from './fake-state.js';
import {
  eventCallback,
  formEncode,
  type MessageSpec,
  messageChangedEvent,
  messageEvent,
  type SignOptions,
  type SlashSpec,
  signedHeaders,
  slashCommand,
} from './requests.js';
import { SocketModeServer } from './socket-mode.js';
import { callMethod, type MethodResult } from './web-api.js';

export type Failure = { error: string } | { status: 429; retryAfter: number } | { status: 500 | 502 | 503 };

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
}

export interface SentRequest {
  status: number;
  body: string;
  /** Wall time until the response headers arrived. */
  ms: number;
}

export const DEFAULT_BOT_TOKEN = 'xoxb-1000000001-2000000002-FakeSlackBotTokenForTests';
export const DEFAULT_APP_TOKEN = 'xapp-1-A0SGAPP-3000000003-fakeslackapptokenfortests0123456789';
export const DEFAULT_SIGNING_SECRET = '8f742231b10e8888abcd99aabbcc85a5';

export class FakeSlack {
  readonly state = new FakeState();
  readonly calls: RecordedCall[] = [];
  /** Bodies POSTed to response_url. */
  readonly responses: Json[] = [];
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly socket: SocketModeServer;
  private readonly failures = new Map<string, Failure[]>();
  private readonly events = new EventEmitter();
  private base = '';

  private constructor(
    private readonly server: Server,
    opts: FakeSlackOptions,
  ) {
    this.botToken = opts.botToken ?? DEFAULT_BOT_TOKEN;
    this.appToken = opts.appToken ?? DEFAULT_APP_TOKEN;
    this.signingSecret = opts.signingSecret ?? DEFAULT_SIGNING_SECRET;
    this.events.setMaxListeners(0);
    this.socket = new SocketModeServer(
      () => this.base.replace(/^http/, 'ws'),
      this.state.bot.appId,
      () => this.changed(),
    );
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    const fake = new FakeSlack(server, opts);
    server.on('request', (req, res) => {
      fake.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake slack: ${String(err)}`);
      });
    });
    server.on('upgrade', (req, socket, head) => fake.socket.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake.base = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** SLACK_API_URL for the app under test. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  get team(): string {
    return this.state.team.id;
  }

  // ---- scripting ----

  /** The next `times` calls of `method` fail as described. */
  failNext(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /** A private file as Slack describes it in a `file_share` message. */
  addInboundFile(name: string, data: Buffer, mimetype: string, opts: { declaredSize?: number } = {}): Json {
    const id = this.state.nextId('F');
    this.state.files.set(id, { id, name, mimetype, data, length: data.length });
    return {
      id,
      name,
      title: name,
      mimetype,
      filetype: name.split('.').pop() ?? 'binary',
      size: opts.declaredSize ?? data.length,
      url_private: `${this.base}/files-pri/${this.team}-${id}/${encodeURIComponent(name)}`,
      url_private_download: `${this.base}/files-pri/${this.team}-${id}/download/${encodeURIComponent(name)}`,
    };
  }

  // ---- what Slack sends the app ----

  /** A user message with a fresh ts (not sent anywhere yet). */
  userMessage(type: 'message' | 'app_mention', spec: MessageSpec): Json {
    return messageEvent(type, { ...spec, ts: spec.ts ?? this.state.nextTs() });
  }

  /** Its author edits `original` (a userMessage) to `text`: the `message_changed` event. */
  userEdit(original: Json, text: string): Json {
    return messageChangedEvent(original, text, this.state.nextTs());
  }

  /** The Events API body around `event`. */
  envelope(event: Json, eventId?: string): Json {
    return eventCallback(this.team, this.state.bot.appId, this.state.bot.userId, event, eventId);
  }

  slashBody(spec: SlashSpec): Json {
    return slashCommand(this.team, this.state.bot.appId, spec, this.base);
  }

  /** POSTs a signed JSON body (an Events API callback) to the app's request URL. */
  postEvent(url: string, body: Json, opts: SignOptions = {}): Promise<SentRequest> {
    const raw = JSON.stringify(body);
    return this.post(url, raw, signedHeaders(this.signingSecret, raw, 'application/json', opts));
  }

  /** POSTs a signed slash command (form-encoded) to the app's request URL. */
  postSlash(url: string, fields: Json, opts: SignOptions = {}): Promise<SentRequest> {
    const raw = formEncode(fields);
    return this.post(
      url,
      raw,
      signedHeaders(this.signingSecret, raw, 'application/x-www-form-urlencoded', opts),
    );
  }

  // ---- observing ----

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot posted (not ephemeral), optionally in one conversation / thread. */
  botMessages(channel?: string, threadTs?: string): PostedMessage[] {
    return this.state.messages.filter(
      (m) =>
        !m.ephemeralTo &&
        (channel === undefined || m.channel === channel) &&
        (threadTs === undefined || m.threadTs === threadTs),
    );
  }

  /** Resolves with check()'s first truthy value; re-checked after every call and socket event. */
  waitUntil<T>(check: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
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
        reject(new Error(`fake slack: timed out after ${timeoutMs} ms waiting for ${what}`));
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

  async close(): Promise<void> {
    this.socket.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ----

  private changed(): void {
    this.events.emit('change');
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<SentRequest> {
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body });
    const ms = performance.now() - started;
    return { status: res.status, body: await res.text(), ms };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const request = toWebRequest(req, url);
    const api = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (api && req.method === 'POST') return this.apiCall(api[1]!, request, res);
    const upload = /^\/upload\/v1\/(F\w+)$/.exec(url.pathname);
    if (upload && req.method === 'POST') return this.upload(upload[1]!, request, res);
    const download = /^\/files-pri\/\w+-(F\w+)\//.exec(url.pathname);
    if (download && req.method === 'GET') return this.download(download[1]!, req, res);
    if (url.pathname.startsWith('/commands/') && req.method === 'POST') {
      this.responses.push((await request.json()) as Json);
      this.changed();
      return send(res, 200, 'ok', 'text/plain');
    }
    send(res, 404, 'not found', 'text/plain');
  }

  private async apiCall(method: string, request: Request, res: ServerResponse): Promise<void> {
    const contentType = request.headers.get('content-type') ?? '';
    const params = await readParams(request, contentType);
    const bearer = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    const token = bearer ?? (typeof params.token === 'string' ? params.token : undefined);
    const call: RecordedCall = { method, params, contentType, status: 200, at: Date.now() };
    if (token) call.token = token;
    this.calls.push(call);
    const failure = this.failures.get(method)?.shift();
    let result: MethodResult | undefined;
    if (failure && 'status' in failure) {
      call.status = failure.status;
      const headers = failure.status === 429 ? { 'retry-after': String(failure.retryAfter) } : {};
      res.writeHead(failure.status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'fatal_error' }));
      this.changed();
      return;
    }
    if (failure) result = { ok: false, error: failure.error };
    result ??= callMethod(method, params, {
      state: this.state,
      token,
      botToken: this.botToken,
      appToken: this.appToken,
      baseUrl: this.base,
      openSocket: () => this.socket.openUrl(),
    });
    if (!result.ok && result.error) call.error = result.error;
    send(res, 200, JSON.stringify(result), 'application/json; charset=utf-8');
    this.changed();
  }

  /** Step 2 of the external upload: the bytes, raw or as a multipart form's one file. */
  private async upload(id: string, request: Request, res: ServerResponse): Promise<void> {
    const file = this.state.files.get(id);
    if (!file) return send(res, 404, 'file not found', 'text/plain');
    const contentType = request.headers.get('content-type') ?? '';
    let data: Buffer;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await request.formData();
      const part = [...form.values()].find((v): v is File => typeof v !== 'string');
      if (!part) return send(res, 400, 'no file part', 'text/plain');
      data = Buffer.from(await part.arrayBuffer());
    } else {
      data = Buffer.from(await request.arrayBuffer());
    }
    file.data = data;
    this.changed();
    send(res, 200, `OK - ${data.length}`, 'text/plain');
  }

  private download(id: string, req: IncomingMessage, res: ServerResponse): void {
    const file = this.state.files.get(id);
    // Slack answers a download without the bot token with its sign-in page, never the file.
    if (req.headers.authorization !== `Bearer ${this.botToken}` || !file?.data) {
      send(res, 403, '<html>sign in</html>', 'text/html');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.data.length });
    res.end(file.data);
  }
}

function toWebRequest(req: IncomingMessage, url: URL): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: req as unknown as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
}

async function readParams(request: Request, contentType: string): Promise<Json> {
  if (contentType.startsWith('application/json')) {
    const body = (await request.json()) as unknown;
    return body && typeof body === 'object' ? (body as Json) : {};
  }
  if (contentType.startsWith('multipart/form-data')) {
    const out: Json = {};
    for (const [k, v] of (await request.formData()).entries()) out[k] = typeof v === 'string' ? v : '<file>';
    return out;
  }
  return Object.fromEntries(new URLSearchParams(await request.text()));
}

function send(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}
