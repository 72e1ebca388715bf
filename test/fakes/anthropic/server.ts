// A local Messages API (POST /v1/messages) that replays scripted turns, as JSON or as SSE in the
// published event order. Every request is recorded and checked; a bad one gets a 400 and a `problems` entry.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CheckOptions, checkRequest } from './checks.js';
import { replyJson, replyStream, sendHttpError, streamError } from './responses.js';
import type { RecordedRequest, ScriptStep } from './script.js';

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
