// HTTP API of the local channel, mounted under the token-guarded /api/local: post a message (JSON,
// or multipart with files) and follow a conversation's replies, progress and `complete` events as
// server-sent events. How a message is doing (GET /messages/:id) is the gateway's to say:
// src/http/api/message-status.ts.

import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { LocalChannel, LocalUpload } from './local-channel.js';

const conversationName = z.string().regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits, _ . or -');
const messageBody = z.object({
  text: z.string().default(''),
  conversation: conversationName.default('default'),
  clientId: z.string().min(1).max(128).optional(),
});

async function readMessage(
  c: Context,
): Promise<{ body: z.infer<typeof messageBody>; files: LocalUpload[] } | { error: string }> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (err) {
      // A body that is not the multipart it claims is the client's mistake: 400, not a 500.
      return { error: `body is not valid multipart/form-data: ${(err as Error).message}` };
    }
    const files: LocalUpload[] = [];
    for (const value of form.getAll('file')) {
      if (typeof value === 'string') continue;
      files.push({
        name: value.name || 'upload',
        mime: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    const parsed = messageBody.safeParse({
      text: form.get('text') ?? '',
      conversation: form.get('conversation') ?? undefined,
      clientId: form.get('clientId') ?? undefined,
    });
    return parsed.success
      ? { body: parsed.data, files }
      : { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  let json: unknown;
  try {
    json = await c.req.json();
  } catch (err) {
    return { error: `body is not valid JSON: ${(err as Error).message}` };
  }
  const parsed = messageBody.safeParse(json);
  return parsed.success
    ? { body: parsed.data, files: [] }
    : { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
}

/** Room for the text fields and multipart framing on top of the largest file accepted. */
const BODY_OVERHEAD_BYTES = 1024 * 1024;
const DEFAULT_ATTACHMENT_MAX = 50 * 1024 * 1024;

/**
 * `maxBodyBytes`: the largest request body POST /messages reads (default: the channel's attachment
 * limit plus 1 MiB); a bigger one is refused with 413 before it is read into memory or written.
 */
export function localApiRoutes(channel: LocalChannel, opts: { maxBodyBytes?: number } = {}): Hono {
  const api = new Hono();
  const maxSize =
    opts.maxBodyBytes ?? (channel.limits.attachmentMax ?? DEFAULT_ATTACHMENT_MAX) + BODY_OVERHEAD_BYTES;
  const limit = bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `body: larger than ${maxSize} bytes; send a smaller file` }, 413),
  });

  api.post('/messages', limit, async (c) => {
    const read = await readMessage(c);
    if ('error' in read) return c.json({ error: read.error }, 400);
    const { body, files } = read;
    try {
      const res = await channel.post({
        conversation: body.conversation,
        text: body.text,
        files,
        ...(body.clientId ? { clientId: body.clientId } : {}),
      });
      return c.json(
        { id: res.id, conversation: body.conversation, duplicate: res.duplicate, seq: res.seq },
        res.duplicate ? 200 : 202,
      );
    } catch (err) {
      return c.json({ error: (err as Error).message }, 503);
    }
  });

  api.get('/events', (c) => {
    const parsed = conversationName.safeParse(c.req.query('conversation') ?? 'default');
    if (!parsed.success) return c.json({ error: `conversation: ${parsed.error.issues[0]?.message}` }, 400);
    const conversation = parsed.data;
    const after = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0;
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = channel.events.subscribe((e) => {
        if (e.conversation !== conversation) return;
        queue.push(JSON.stringify(e));
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      const backlog = c.req.query('live') === '1' ? [] : channel.events.since(conversation, after);
      for (const e of backlog) {
        await stream.writeSSE({ id: String(e.seq), event: e.event.type, data: JSON.stringify(e) });
      }
      while (!stream.aborted) {
        const next = queue.shift();
        if (next) {
          const e = JSON.parse(next) as { seq: number; event: { type: string } };
          await stream.writeSSE({ id: String(e.seq), event: e.event.type, data: next });
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 15_000).unref();
        });
        wake = undefined;
        if (!queue.length && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
      unsubscribe();
    });
  });

  return api;
}
