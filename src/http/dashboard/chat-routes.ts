// The chat page's API: post a message (text and files) to the agents through the local channel, and
// follow a conversation's replies, progress edits and images as server-sent events (with what was
// missed since the last event id). The sender is the owner, as in `sandgate chat`.

import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { LocalUpload } from '../../../channels/local/local-channel.js';
import type { DashboardLocalChannel } from './deps.js';
import type { EventStreams } from './event-streams.js';
import type { DashboardEnv } from './session.js';

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
const conversationName = z.string().regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits, _ . or -');
const message = z.object({
  text: z.string().max(16_000).default(''),
  conversation: conversationName.default('dashboard'),
  clientId: z.string().min(1).max(128).optional(),
});

async function readMessage(
  c: Context,
): Promise<{ msg: z.infer<typeof message>; files: LocalUpload[] } | string> {
  const type = c.req.header('content-type') ?? '';
  let raw: Record<string, unknown>;
  const files: LocalUpload[] = [];
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (err) {
      // A body that is not the multipart it claims is the client's mistake: 400, not a 500.
      return `the body is not valid multipart/form-data: ${(err as Error).message}`;
    }
    for (const value of form.getAll('file')) {
      if (typeof value === 'string' || value.size === 0) continue;
      files.push({
        name: value.name || 'upload',
        mime: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    raw = {};
    for (const k of ['text', 'conversation', 'clientId']) {
      const v = form.get(k);
      if (typeof v === 'string' && v !== '') raw[k] = v;
    }
  } else {
    try {
      raw = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return 'the body must be JSON or multipart/form-data';
    }
  }
  const parsed = message.safeParse(raw);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  if (!parsed.data.text.trim() && files.length === 0) return 'write a message or attach a file';
  return { msg: parsed.data, files };
}

export function chatRoutes(deps: {
  local: DashboardLocalChannel;
  streams: EventStreams;
}): Hono<DashboardEnv> {
  const { local, streams } = deps;
  const app = new Hono<DashboardEnv>();

  app.post(
    '/chat',
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: (c) =>
        c.json({ error: `uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB per message` }, 413),
    }),
    async (c) => {
      const read = await readMessage(c);
      if (typeof read === 'string') return c.json({ error: read }, 400);
      try {
        const res = await local.post({
          conversation: read.msg.conversation,
          text: read.msg.text,
          files: read.files,
          senderName: 'owner (dashboard)',
          ...(read.msg.clientId ? { clientId: read.msg.clientId } : {}),
        });
        return c.json(
          { conversation: read.msg.conversation, duplicate: res.duplicate },
          res.duplicate ? 200 : 202,
        );
      } catch (err) {
        return c.json({ error: `the gateway is not accepting messages: ${(err as Error).message}` }, 503);
      }
    },
  );

  app.get('/chat/events', (c) => {
    const parsed = conversationName.safeParse(c.req.query('conversation') ?? 'dashboard');
    if (!parsed.success) return c.json({ error: `conversation: ${parsed.error.issues[0]?.message}` }, 400);
    const conversation = parsed.data;
    const after = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0;
    const session = c.get('session');
    const backlog = local.events
      .since(conversation, after)
      .map((e) => ({ event: 'chat', data: e, id: String(e.seq) }));
    return streams.stream(
      c,
      { sessionHash: session.idHash, deviceId: session.device.id },
      (push) =>
        local.events.subscribe((e) => {
          if (e.conversation === conversation) push({ event: 'chat', data: e, id: String(e.seq) });
        }),
      backlog,
    );
  });

  return app;
}
