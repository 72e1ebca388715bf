// How the fake answers: JSON messages, SSE streams in the documented event order (message_start,
// content_block_start/delta/stop, message_delta, message_stop), HTTP errors and in-stream errors.

import type { ServerResponse } from 'node:http';
import type { FakeBlock, FakeHttpError, FakeReply, FakeStreamError, RecordedRequest } from './script.js';

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

export function sendHttpError(
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

export function replyJson(res: ServerResponse, req: RecordedRequest, turn: FakeReply, id: string): void {
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

export function replyStream(
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

export function streamError(res: ServerResponse, req: RecordedRequest, e: FakeStreamError, id: string): void {
  streamStart(res, req, { kind: 'reply', content: [] }, id);
  sse(res, 'error', { type: 'error', error: { type: e.errorType, message: e.message } });
  res.end();
}
