// Scripted turns for the fake Messages API: what the "model" answers next, optionally computed from
// the request (so a test can look at the tool_result it was sent). Helpers keep scripts short.

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string; signature: string };

export interface FakeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface FakeReply {
  kind: 'reply';
  content: FakeBlock[];
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  usage?: FakeUsage;
  /** Streaming only: send message_start and the first text delta, then hold the connection open until the client goes away. */
  hang?: boolean;
}

export interface FakeHttpError {
  kind: 'http-error';
  status: number;
  errorType: string;
  message: string;
  retryAfterSec?: number;
}

/** Streaming only: an `error` event inside an otherwise 200 SSE stream (e.g. overloaded_error). */
export interface FakeStreamError {
  kind: 'stream-error';
  errorType: string;
  message: string;
}

export type FakeTurn = FakeReply | FakeHttpError | FakeStreamError;

export interface RecordedRequest {
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: a test fake reads arbitrary request JSON
  body: any;
  stream: boolean;
}

export type ScriptStep = FakeTurn | ((req: RecordedRequest) => FakeTurn);

let nextId = 1;
export function toolId(): string {
  return `toolu_fake${String(nextId++).padStart(6, '0')}`;
}

export function text(t: string): FakeBlock {
  return { type: 'text', text: t };
}

export function thinking(t: string, signature = 'sig_fake'): FakeBlock {
  return { type: 'thinking', thinking: t, signature };
}

export function toolUse(name: string, input: Record<string, unknown>, id = toolId()): FakeBlock {
  return { type: 'tool_use', id, name, input };
}

export function reply(...content: FakeBlock[]): FakeReply {
  const stopReason = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  return { kind: 'reply', content, stopReason };
}

export function withUsage(r: FakeReply, usage: FakeUsage): FakeReply {
  return { ...r, usage };
}

export function hangingReply(partialText: string): FakeReply {
  return { kind: 'reply', content: [text(partialText)], hang: true };
}

export function rateLimited(retryAfterSec?: number): FakeHttpError {
  return {
    kind: 'http-error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
    ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
  };
}

export function overloaded(): FakeHttpError {
  return { kind: 'http-error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' };
}

export function serverError(): FakeHttpError {
  return { kind: 'http-error', status: 500, errorType: 'api_error', message: 'Internal server error' };
}

export function streamOverloaded(): FakeStreamError {
  return { kind: 'stream-error', errorType: 'overloaded_error', message: 'Overloaded' };
}

/** The text of every tool_result block in the request's last user message, by tool_use_id. */
export function lastToolResults(req: RecordedRequest): Map<string, { text: string; isError: boolean }> {
  const out = new Map<string, { text: string; isError: boolean }>();
  // Claude Code may end with a `system` message (a reminder) after the user turn.
  const messages = (req.body?.messages ?? []) as { role?: string; content?: unknown }[];
  const last = [...messages].reverse().find((m) => m.role !== 'system');
  if (last?.role !== 'user' || !Array.isArray(last.content)) return out;
  for (const block of last.content) {
    if (block?.type !== 'tool_result') continue;
    const c = block.content;
    const t =
      typeof c === 'string'
        ? c
        : Array.isArray(c)
          ? c.map((x: { text?: string }) => x.text ?? '').join('')
          : '';
    out.set(block.tool_use_id, { text: t, isError: block.is_error === true });
  }
  return out;
}

/** Convenience: the only tool_result text in the last user message. */
export function lastToolResultText(req: RecordedRequest): string {
  return [...lastToolResults(req).values()].map((r) => r.text).join('\n');
}
