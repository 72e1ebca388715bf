// Reads the usage out of a Messages API response while it streams through the proxy unchanged:
// SSE (message_start carries input and cache counts, message_delta the running output count) or a
// JSON message. A response cut short is metered as far as it got; one without usage meters nothing.

import { z } from 'zod';

export interface MeteredCall {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Usage fields as the API documents them; any may be absent or null in a given event. */
const usageSchema = z
  .object({
    input_tokens: z.number().nullish(),
    output_tokens: z.number().nullish(),
    cache_creation_input_tokens: z.number().nullish(),
    cache_read_input_tokens: z.number().nullish(),
  })
  .passthrough();
const eventSchema = z
  .object({
    type: z.string(),
    message: z
      .object({ model: z.string().optional(), usage: usageSchema.optional() })
      .passthrough()
      .optional(),
    usage: usageSchema.nullish(),
    model: z.string().optional(),
  })
  .passthrough();
type Usage = z.infer<typeof usageSchema>;

/** A JSON body larger than this is passed through without being metered (a message is far smaller). */
const JSON_METER_MAX = 16 * 1024 * 1024;

export class UsageMeter {
  private model: string;
  private seen = false;
  private counts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  private readonly json: Uint8Array[] = [];
  private jsonBytes = 0;
  private sse?: { controller: ReadableStreamDefaultController<Uint8Array>; done: Promise<void> };
  private ended = false;

  /** `kind` from the response's content type; `requestModel` is used when the response names none. */
  constructor(kind: 'sse' | 'json', requestModel: string) {
    this.model = requestModel;
    if (kind === 'sse') {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
      this.sse = { controller, done: this.readEvents(new Response(body)) };
    }
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    if (this.sse) {
      this.sse.controller.enqueue(chunk);
    } else if (this.jsonBytes + chunk.length <= JSON_METER_MAX) {
      this.json.push(chunk);
      this.jsonBytes += chunk.length;
    } else {
      this.jsonBytes = Number.POSITIVE_INFINITY;
    }
  }

  /** The call's usage once the body has ended (or was cut off), or undefined when it carried none. */
  async end(): Promise<MeteredCall | undefined> {
    if (!this.ended) {
      this.ended = true;
      if (this.sse) {
        this.sse.controller.close();
        await this.sse.done;
      } else if (Number.isFinite(this.jsonBytes)) {
        this.readJson();
      }
    }
    return this.seen ? { model: this.model, ...this.counts } : undefined;
  }

  private async readEvents(response: Response): Promise<void> {
    try {
      // The SDK's SSE reader, imported when a /claude run first streams (not at gateway start).
      const { Stream } = await import('@anthropic-ai/sdk/streaming');
      for await (const sse of Stream.rawEvents(response)) {
        if (sse.event !== 'message_start' && sse.event !== 'message_delta') continue;
        const parsed = eventSchema.safeParse(JSON.parse(sse.data));
        if (!parsed.success) continue;
        const e = parsed.data;
        if (e.type === 'message_start' && e.message) {
          if (e.message.model) this.model = e.message.model;
          this.take(e.message.usage);
        } else if (e.type === 'message_delta') {
          this.take(e.usage ?? undefined);
        }
      }
    } catch {
      // A malformed or cut-off stream: keep what was counted.
    }
  }

  private readJson(): void {
    try {
      const body = eventSchema.safeParse(JSON.parse(Buffer.concat(this.json).toString('utf8')));
      if (!body.success || body.data.type !== 'message') return;
      if (body.data.model) this.model = body.data.model;
      this.take(body.data.usage ?? undefined);
    } catch {
      // not JSON: nothing to meter
    }
  }

  /** Later events carry running totals: a field present overrides the earlier value. */
  private take(u: Usage | undefined): void {
    if (!u) return;
    this.seen = true;
    const c = this.counts;
    c.inputTokens = u.input_tokens ?? c.inputTokens;
    c.outputTokens = u.output_tokens ?? c.outputTokens;
    c.cacheWriteTokens = u.cache_creation_input_tokens ?? c.cacheWriteTokens;
    c.cacheReadTokens = u.cache_read_input_tokens ?? c.cacheReadTokens;
  }
}
