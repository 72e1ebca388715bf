// Reads Claude Code's `--output-format stream-json` as it comes off a PTY: bytes → lines (split on
// `\n`, `\r` and terminal escapes stripped, overlong lines dropped) → the events sandgate uses.
// Lines that are not JSON (the shell's echo, warnings) are kept, last few only, for diagnostics.

import { stripVTControlCharacters } from 'node:util';
import { z } from 'zod';
import { shorten } from '../../src/text/cut.js';

export type CliEvent =
  | { type: 'init'; sessionId: string; model?: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown> }
  | { type: 'text'; text: string }
  | { type: 'result'; sessionId?: string; text: string; isError: boolean; subtype: string };

/** A stream-json line can carry a whole file (a Write's content echoed back); past this it is skipped. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
const KEEP_OTHER_LINES = 20;

const block = z.union([
  z.object({ type: z.literal('tool_use'), name: z.string(), input: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.string() }).passthrough(),
]);
const lineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('system'),
    subtype: z.string(),
    session_id: z.string().optional(),
    model: z.string().optional(),
  }),
  z.object({
    type: z.literal('assistant'),
    message: z.object({ content: z.array(block) }),
    parent_tool_use_id: z.string().nullish(),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    errors: z.array(z.string()).optional(),
  }),
]);

export class StreamJsonReader {
  private readonly decoder = new TextDecoder();
  private partial = '';
  private skipping = false;
  /** The last lines that were not stream-json (newest last). */
  readonly other: string[] = [];

  constructor(private readonly onEvent: (e: CliEvent) => void) {}

  push(data: Uint8Array): void {
    this.take(this.decoder.decode(data, { stream: true }));
  }

  /** The PTY closed: a last line without a newline still counts. */
  end(): void {
    this.take(`${this.decoder.decode()}\n`);
  }

  private take(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE_BYTES) {
      this.partial = '';
      this.skipping = true;
    }
    for (const raw of lines) {
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      this.line(stripVTControlCharacters(raw.replaceAll('\r', '')).trim());
    }
  }

  private line(line: string): void {
    if (!line) return;
    let json: unknown;
    try {
      json = line.startsWith('{') ? JSON.parse(line) : undefined;
    } catch {
      json = undefined;
    }
    const parsed = json === undefined ? undefined : lineSchema.safeParse(json);
    if (!parsed?.success) {
      if (json === undefined || !isKnownType(json)) this.keep(line);
      return;
    }
    const e = parsed.data;
    if (e.type === 'system') {
      if (e.subtype === 'init' && e.session_id)
        this.onEvent({ type: 'init', sessionId: e.session_id, ...(e.model ? { model: e.model } : {}) });
    } else if (e.type === 'assistant') {
      // A sub-agent's own steps (parent_tool_use_id set) are not the run's steps.
      if (e.parent_tool_use_id) return;
      for (const b of e.message.content) {
        if (b.type === 'tool_use' && 'name' in b && 'input' in b)
          this.onEvent({ type: 'tool_use', name: String(b.name), input: b.input as Record<string, unknown> });
        else if (b.type === 'text' && 'text' in b && typeof b.text === 'string' && b.text.trim())
          this.onEvent({ type: 'text', text: b.text });
      }
    } else {
      const text = e.result ?? e.errors?.join('\n') ?? '';
      this.onEvent({
        type: 'result',
        text,
        isError: e.is_error === true || e.subtype !== 'success',
        subtype: e.subtype,
        ...(e.session_id ? { sessionId: e.session_id } : {}),
      });
    }
  }

  private keep(line: string): void {
    this.other.push(shorten(line, 501));
    if (this.other.length > KEEP_OTHER_LINES) this.other.shift();
  }
}

/** stream-json lines of other types (user, stream_event, …) are expected and not diagnostics. */
function isKnownType(json: unknown): boolean {
  return typeof json === 'object' && json !== null && typeof (json as { type?: unknown }).type === 'string';
}
