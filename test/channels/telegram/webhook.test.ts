// Webhook mode: the channel registers its URL and secret with setWebhook, and the route it gives the
// gateway refuses requests without the right secret (401), says 200 once the update reached the sink
// (so Telegram redelivers anything not accepted), and 200 with a record for an update that can never
// be processed (a 4xx would have Telegram redeliver it forever).

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelRoute } from '../../../channels/channel.js';
import { SECRET_HEADER } from '../../../channels/telegram/index.js';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { makeChannel } from './helpers.js';

const SECRET = 'right-secret_123';
let fake: FakeTelegram;
let server: ReturnType<typeof serve>;
let base: string;
let route: ChannelRoute | undefined;
let c: ReturnType<typeof makeChannel>;
const app = new Hono();
app.post('/hooks/telegram', (ctx) => (route ? route.handler(ctx.req.raw) : ctx.text('no route', 404)));

beforeEach(async () => {
  fake = await FakeTelegram.start();
  fake.state.webhookRetryMs = 20;
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  c = makeChannel(fake, { webhook: { url: `${base}/hooks/telegram`, secret: SECRET } });
  route = c.channel.routes()[0];
  await c.start();
});
afterEach(async () => {
  await c.stop();
  await fake.close();
  await new Promise((r) => server.close(r));
});

function post(body: string, secret?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers[SECRET_HEADER] = secret;
  return app.request('/hooks/telegram', { method: 'POST', headers, body });
}

const update = (id: number, text: string) =>
  JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: 1_700_000_000,
      chat: { id: 42, type: 'private' },
      from: { id: 42, is_bot: false, first_name: 'Eve' },
      text,
    },
  });

describe('telegram webhook', () => {
  it('registers the URL and secret with Telegram and serves the URL path', async () => {
    expect(route?.path).toBe('/hooks/telegram');
    expect(fake.state.webhook).toEqual({ url: `${base}/hooks/telegram`, secretToken: SECRET });
    // Edits are asked for, so an edited message is answered instead of silently never arriving.
    expect(fake.callsOf('setWebhook')[0]?.params.allowed_updates).toEqual(['message', 'edited_message']);
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
    expect(c.channel.status()).toMatchObject({ state: 'connected', identity: '@sandgate_test_bot' });
  });

  it('answers 401 to a missing or wrong secret and hands nothing to the sink', async () => {
    expect((await post(update(1, 'forged'))).status).toBe(401);
    expect((await post(update(1, 'forged'), 'wrong-secret')).status).toBe(401);
    expect((await post(update(1, 'forged'), `${SECRET}x`)).status).toBe(401);
    expect(c.sink.attempts).toBe(0);
  });

  it('accepts (200) and records an update that cannot be processed, so Telegram does not redeliver it forever', async () => {
    expect((await post('{not json', SECRET)).status).toBe(200);
    expect((await post(JSON.stringify({ hello: 'world' }), SECRET)).status).toBe(200);
    expect((await post(JSON.stringify({ update_id: 5, message: { text: 'no chat' } }), SECRET)).status).toBe(
      200,
    );
    expect(c.sink.attempts).toBe(0);
    // Recorded where the owner looks: the channel's last error names the update.
    expect(c.channel.status().lastError?.message).toMatch(/update 5 skipped: malformed \(message\./);
    // The chat is not blocked behind it: the next update goes through.
    expect((await post(update(6, 'after the bad one'), SECRET)).status).toBe(200);
    expect(c.sink.received.map((m) => m.text)).toEqual(['after the bad one']);
  });

  it('a malformed update pushed by Telegram is delivered once, then the chat goes on', async () => {
    const bad = fake.pushUpdate({ message: { message_id: 1, text: 'no chat, no date' } });
    fake.pushText('next');
    const [msg] = await c.sink.waitFor(1);
    expect(msg?.text).toBe('next');
    // Answered once, with 200: Telegram has no reason to send it again.
    const forBad = fake.state.webhookAttempts.filter((a) => a.updateId === bad.update_id);
    expect(forBad.map((a) => a.status)).toEqual([200]);
  });

  it('answers 200 once the update is in the sink, and 500 while the sink refuses it', async () => {
    c.sink.refuseNext(1);
    expect((await post(update(7, 'hi'), SECRET)).status).toBe(500);
    expect(c.sink.received).toHaveLength(0);
    const ok = await post(update(7, 'hi'), SECRET);
    expect(ok.status).toBe(200);
    expect(c.sink.received.map((m) => [m.conversationKey, m.text])).toEqual([['tg:42', 'hi']]);
  });

  it('takes updates pushed by Telegram; one refused is redelivered, not lost', async () => {
    c.sink.refuseNext(1);
    fake.pushText('via webhook');
    const [msg] = await c.sink.waitFor(1);
    expect(msg?.text).toBe('via webhook');
    const attempts = await fake.waitUntil(
      () => (fake.state.webhookAttempts.length >= 2 ? fake.state.webhookAttempts : undefined),
      10_000,
      'second webhook attempt recorded',
    );
    expect(attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(c.sink.received).toHaveLength(1);
  });
});
