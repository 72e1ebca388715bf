// The fake's HTTP control API, for tests that run the gateway as a child process and drive the
// fake from outside: inject updates, script failures, read recorded calls and sent messages.
// Binary data travels as base64. Bad requests get a 400 with the zod issues.

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RecordedCall, StoredMessage } from './fake-state.js';
import type { Failure, FakeTelegram } from './fake-telegram.js';
import { send } from './fake-telegram.js';
import type { MessageSpec } from './update-builders.js';

const user = z.object({
  id: z.number().int(),
  is_bot: z.boolean().default(false),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const chat = z.object({
  id: z.number().int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  first_name: z.string().optional(),
  username: z.string().optional(),
  is_forum: z.boolean().optional(),
});
const spec = {
  chat: chat.optional(),
  from: user.optional(),
  threadId: z.number().int().optional(),
  replyTo: z.number().int().optional(),
};
const updateBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string(), ...spec }),
  z.object({ kind: z.literal('photo'), dataBase64: z.string(), caption: z.string().optional(), ...spec }),
  z.object({
    kind: z.literal('document'),
    dataBase64: z.string(),
    fileName: z.string(),
    mimeType: z.string().optional(),
    caption: z.string().optional(),
    declaredSize: z.number().int().optional(),
    ...spec,
  }),
  z.object({ kind: z.literal('raw'), update: z.record(z.string(), z.unknown()) }),
]);
const failBody = z.object({
  method: z.string().min(1),
  times: z.number().int().min(1).default(1),
  failure: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('429'), retryAfter: z.number().int().min(0) }),
    z.object({ kind: z.literal('409'), description: z.string().optional() }),
    z.object({ kind: z.literal('401') }),
    z.object({ kind: z.literal('5xx'), status: z.number().int().min(500).max(599).optional() }),
    z.object({ kind: z.literal('error'), code: z.number().int(), description: z.string() }),
    z.object({ kind: z.literal('drop-before') }),
    z.object({ kind: z.literal('drop-after') }),
  ]),
});
const waitBody = z.object({
  method: z.string().min(1),
  count: z.number().int().min(1).default(1),
  timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
  /** Count calls that arrived but are not answered yet (a held getUpdates). */
  arrived: z.boolean().default(false),
});

export async function handleControl(
  fake: FakeTelegram,
  url: URL,
  method: string,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  const route = `${method} ${url.pathname.slice('/__control'.length)}`;
  let json: unknown = {};
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
  }
  switch (route) {
    case 'GET /info':
      return send(res, 200, { apiRoot: fake.apiRoot, token: fake.token, bot: fake.bot });
    case 'POST /updates': {
      const p = updateBody.safeParse(json);
      if (!p.success) return send(res, 400, { error: p.error.issues });
      const b = p.data;
      if (b.kind === 'raw') return send(res, 200, { update: fake.pushUpdate(b.update) });
      const s = specOf(b);
      if (b.kind === 'text') return send(res, 200, fake.pushText(b.text, s));
      const data = Buffer.from(b.dataBase64, 'base64');
      if (b.kind === 'photo') {
        return send(
          res,
          200,
          fake.pushPhoto(data, { ...s, ...(b.caption === undefined ? {} : { caption: b.caption }) }),
        );
      }
      return send(
        res,
        200,
        fake.pushDocument(data, {
          ...s,
          fileName: b.fileName,
          ...(b.mimeType === undefined ? {} : { mimeType: b.mimeType }),
          ...(b.caption === undefined ? {} : { caption: b.caption }),
          ...(b.declaredSize === undefined ? {} : { declaredSize: b.declaredSize }),
        }),
      );
    }
    case 'POST /fail': {
      const p = failBody.safeParse(json);
      if (!p.success) return send(res, 400, { error: p.error.issues });
      fake.failNext(p.data.method, p.data.failure as Failure, p.data.times);
      return send(res, 200, { ok: true });
    }
    case 'GET /calls': {
      const m = url.searchParams.get('method');
      const since = Number(url.searchParams.get('since') ?? 0);
      const calls = (m ? fake.callsOf(m) : fake.calls).filter((c) => c.seq > since);
      return send(res, 200, { calls: calls.map(callJson) });
    }
    case 'GET /messages': {
      const chatId = url.searchParams.get('chatId');
      return send(res, 200, {
        messages: fake.sent(chatId === null ? undefined : Number(chatId)).map(messageJson),
      });
    }
    case 'GET /state':
      return send(res, 200, {
        confirmedOffset: fake.state.confirmedOffset,
        pendingUpdates: fake.state.updates.map((u) => u.update_id),
        webhook: fake.state.webhook ?? null,
        webhookAttempts: fake.state.webhookAttempts,
        commands: fake.state.commands,
      });
    case 'POST /wait': {
      const p = waitBody.safeParse(json);
      if (!p.success) return send(res, 400, { error: p.error.issues });
      try {
        const calls = await fake.waitForCalls(p.data.method, p.data.count, p.data.timeoutMs, p.data.arrived);
        return send(res, 200, { calls: calls.map(callJson) });
      } catch (err) {
        return send(res, 408, { error: String(err) });
      }
    }
    case 'POST /clear-failures':
      fake.clearFailures();
      return send(res, 200, { ok: true });
    default:
      return send(res, 404, { error: `no control route ${route}` });
  }
}

function specOf(b: { chat?: unknown; from?: unknown; threadId?: number; replyTo?: number }): MessageSpec {
  return {
    ...(b.chat ? { chat: b.chat as NonNullable<MessageSpec['chat']> } : {}),
    ...(b.from ? { from: b.from as NonNullable<MessageSpec['from']> } : {}),
    ...(b.threadId === undefined ? {} : { threadId: b.threadId }),
    ...(b.replyTo === undefined ? {} : { replyTo: b.replyTo }),
  };
}

function callJson(c: RecordedCall) {
  return {
    ...c,
    files: Object.fromEntries(
      Object.entries(c.files).map(([k, f]) => [
        k,
        {
          filename: f.filename,
          contentType: f.contentType,
          size: f.data.length,
          base64: f.data.toString('base64'),
        },
      ]),
    ),
  };
}

function messageJson(m: StoredMessage) {
  const { file, ...rest } = m;
  return file
    ? {
        ...rest,
        file: {
          fileId: file.fileId,
          filename: file.filename,
          size: file.data.length,
          base64: file.data.toString('base64'),
        },
      }
    : rest;
}
