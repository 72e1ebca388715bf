// A local Messages API (POST /v1/messages) that replays scripted turns, as JSON or as SSE in the
// published event order. Every request is recorded and checked; a bad one gets a 400 and a `problems` entry.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CheckOptions, checkRequest } from './checks.js';
import type {
  FakeBlock,
  FakeHttpError,
  FakeReply,
  FakeStreamError,
  RecordedRequest,
  ScriptStep,
} from './script.js';

export interface FakeAnthropicOptions extends CheckOptions {
  script?: ScriptStep[];
  /** Characters per text_delta / input_json_delta chunk. */
  chunkSize?: number;
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL`. */
  url: string;
  requests: RecordedRequest[];
  /** Protocol violations seen (each also answered with a 400). Tests assert this stays empty. */
  problems: string[];
  /** Streams the client hung up on before they finished. */
  clientAborts: number;
  push(...steps: ScriptStep[]): void;
  remaining(): number;
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function chunks(s: string, size: number): string[] {
  if (s.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function estimateTokens(body: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(body ?? '').length / 4));
}

function usageFor(req: RecordedRequest, turn: FakeReply) {
  const outText = turn.content
    .map((b) => (b.type === 'text' ? b.text : b.type === 'thinking' ? b.thinking : JSON.stringify(b.input)))
    .join('');
  return {
    input_tokens: turn.usage?.input_tokens ?? estimateTokens(req.body),
    output_tokens: turn.usage?.output_tokens ?? Math.max(1, Math.ceil(outText.length / 4)),
    cache_creation_input_tokens: turn.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? 0,
  };
}

function messageShell(id: string, model: string) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [] as unknown[],
    stop_reason: null,
    stop_sequence: null,
  };
}

function sendHttpError(
  res: ServerResponse,
  e: FakeHttpError | { status: number; errorType: string; message: string },
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': 'req_fake' };
  if ('retryAfterSec' in e && e.retryAfterSec !== undefined) headers['retry-after'] = String(e.retryAfterSec);
  res.writeHead(e.status, headers);
  res.end(
    JSON.stringify({
      type: 'error',
      error: { type: e.errorType, message: e.message },
      request_id: 'req_fake',
    }),
  );
}

function replyJson(res: ServerResponse, req: RecordedRequest, turn: FakeReply, id: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
  res.end(
    JSON.stringify({
      ...messageShell(id, req.body.model),
      content: turn.content,
      stop_reason: turn.stopReason ?? 'end_turn',
      usage: usageFor(req, turn),
    }),
  );
}

function streamStart(res: ServerResponse, req: RecordedRequest, turn: FakeReply, id: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': 'req_fake',
  });
  const u = usageFor(req, turn);
  sse(res, 'message_start', {
    type: 'message_start',
    message: { ...messageShell(id, req.body.model), usage: { ...u, output_tokens: 1 } },
  });
  sse(res, 'ping', { type: 'ping' });
}

function streamBlock(res: ServerResponse, index: number, block: FakeBlock, size: number): void {
  if (block.type === 'text') {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    });
    for (const piece of chunks(block.text, size)) {
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: piece },
      });
    }
  } else if (block.type === 'thinking') {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    for (const piece of chunks(block.thinking, size)) {
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'thinking_delta', thinking: piece },
      });
    }
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'signature_delta', signature: block.signature },
    });
  } else {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    });
    for (const piece of chunks(JSON.stringify(block.input), size)) {
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    }
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index });
}

function replyStream(
  res: ServerResponse,
  req: RecordedRequest,
  turn: FakeReply,
  id: string,
  size: number,
): void {
  streamStart(res, req, turn, id);
  if (turn.hang) {
    const first = turn.content[0];
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    if (first?.type === 'text') {
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: first.text },
      });
    }
    return; // held open until the client disconnects
  }
  turn.content.forEach((block, i) => {
    streamBlock(res, i, block, size);
  });
  const u = usageFor(req, turn);
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: turn.stopReason ?? 'end_turn', stop_sequence: null },
    usage: { output_tokens: u.output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function streamError(res: ServerResponse, req: RecordedRequest, e: FakeStreamError, id: string): void {
  streamStart(res, req, { kind: 'reply', content: [] }, id);
  sse(res, 'error', { type: 'error', error: { type: e.errorType, message: e.message } });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const script: ScriptStep[] = [...(opts.script ?? [])];
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const open = new Set<ServerResponse>();
  const size = opts.chunkSize ?? 7;
  let counter = 0;
  const state = { clientAborts: 0 };

  const server = createServer(async (httpReq, res) => {
    if (httpReq.method !== 'POST' || httpReq.url?.split('?')[0] !== '/v1/messages') {
      sendHttpError(res, { status: 404, errorType: 'not_found_error', message: `no route ${httpReq.url}` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(httpReq));
    } catch {
      problems.push('request body is not JSON');
      sendHttpError(res, { status: 400, errorType: 'invalid_request_error', message: 'body is not JSON' });
      return;
    }
    const recorded: RecordedRequest = {
      headers: httpReq.headers,
      body,
      stream: (body as { stream?: unknown }).stream === true,
    };
    requests.push(recorded);
    const found = checkRequest(recorded, opts);
    if (found.length > 0) {
      problems.push(...found);
      sendHttpError(res, { status: 400, errorType: 'invalid_request_error', message: found.join('; ') });
      return;
    }
    const step = script.shift();
    if (!step) {
      problems.push(`no scripted turn left for request ${requests.length}`);
      sendHttpError(res, {
        status: 400,
        errorType: 'invalid_request_error',
        message: 'fake: script exhausted',
      });
      return;
    }
    let turn: ReturnType<Extract<ScriptStep, (req: RecordedRequest) => unknown>>;
    try {
      turn = typeof step === 'function' ? step(recorded) : step;
    } catch (err) {
      // A failed expectation inside a script step: answer at once so the test fails fast, not by timeout.
      const message = err instanceof Error ? err.message : String(err);
      problems.push(`script step ${requests.length} threw: ${message}`);
      sendHttpError(res, {
        status: 400,
        errorType: 'invalid_request_error',
        message: `fake script: ${message}`,
      });
      return;
    }
    const id = `msg_fake${++counter}`;
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      if (!res.writableEnded) state.clientAborts++;
    });
    if (turn.kind === 'http-error') sendHttpError(res, turn);
    else if (turn.kind === 'stream-error') {
      if (recorded.stream) streamError(res, recorded, turn, id);
      else sendHttpError(res, { status: 529, errorType: turn.errorType, message: turn.message });
    } else if (recorded.stream) replyStream(res, recorded, turn, id, size);
    else replyJson(res, recorded, turn, id);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    get clientAborts() {
      return state.clientAborts;
    },
    push: (...steps) => {
      script.push(...steps);
    },
    remaining: () => script.length,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export * from './script.js';
