// Long polling against the fake Bot API with the real grammY client: no update is lost when the
// gateway's sink fails or the process stops mid-way, and connection trouble shows in status().

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbound, InboundSink } from '../../../channels/channel.js';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { makeChannel, until } from './helpers.js';

let fake: FakeTelegram;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  fake = await FakeTelegram.start();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await fake.close();
});

function channel(opts: Parameters<typeof makeChannel>[1] = {}) {
  const c = makeChannel(fake, opts);
  stops.push(c.stop);
  return c;
}

describe('telegram long polling', () => {
  it('connects as the bot and delivers a DM to the sink', async () => {
    const c = channel();
    await c.start();
    expect(c.channel.status()).toMatchObject({ state: 'connected', identity: '@sandgate_test_bot' });
    fake.pushText('hello there');
    const [msg] = await c.sink.waitFor(1);
    expect(msg).toMatchObject({
      channel: 'telegram',
      conversationKey: 'tg:1001',
      route: { chatId: 1001 },
      isDirect: true,
      mentioned: true,
      text: 'hello there',
      sender: { id: '1001', name: 'Ada Lovelace', isBot: false },
      platformId: '1001:1',
      attachments: [],
    });
    expect(msg?.at).toBeInstanceOf(Date);
  });

  it('moves the offset past an update only after receive() resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const got: Inbound[] = [];
    const sink: InboundSink = {
      async receive(inbound) {
        got.push(inbound);
        await gate;
        return { accepted: true, duplicate: false };
      },
    };
    const c = channel();
    await c.channel.start(sink, c.controller.signal);
    const { update } = fake.pushText('persist me first');
    const id = update.update_id as number;
    await until(() => got.length === 1, 'receive() called');
    // Give the loop every chance to (wrongly) poll on while receive() is still pending.
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.confirmedOffset).toBeLessThanOrEqual(id);
    expect(fake.state.updates.map((u) => u.update_id)).toContain(id);
    release();
    await fake.waitUntil(() => fake.confirmedOffset === id + 1, 10_000, 'offset confirmed');
    expect(fake.state.updates).toHaveLength(0);
  });

  it('polls an update again when receive() throws, so it is not lost', async () => {
    const c = channel();
    c.sink.refuseNext(2);
    await c.start();
    const { update } = fake.pushText('try again');
    fake.pushText('and the next one');
    const got = await c.sink.waitFor(2);
    expect(got.map((m) => m.text)).toEqual(['try again', 'and the next one']);
    expect(c.sink.attempts).toBe(4);
    const last = fake.state.nextUpdateId - 1;
    await fake.waitUntil(() => fake.confirmedOffset === last + 1, 10_000, 'both confirmed');
    expect(update.update_id).toBe(last - 1);
    expect(c.channel.status().lastError?.message).toMatch(/not accepted: database is locked/);
  });

  it('hands an update that was persisted but not confirmed back after a restart (the sink dedupes it)', async () => {
    const first = channel();
    const seen: string[] = [];
    // Persist, then "crash" before the loop can confirm the offset with the next getUpdates.
    const crashingSink: InboundSink = {
      async receive(inbound) {
        seen.push(inbound.platformId);
        first.controller.abort();
        return { accepted: true, duplicate: false };
      },
    };
    await first.channel.start(crashingSink, first.controller.signal);
    const { update } = fake.pushText('answer me exactly once');
    await until(() => seen.length === 1, 'first receive');
    await first.channel.closed();
    expect(fake.confirmedOffset).toBeLessThanOrEqual(update.update_id as number);

    const second = channel();
    const dedupe: InboundSink = {
      async receive(inbound) {
        const duplicate = seen.includes(inbound.platformId);
        seen.push(inbound.platformId);
        return { accepted: !duplicate, duplicate };
      },
    };
    await second.channel.start(dedupe, second.controller.signal);
    await until(() => seen.length === 2, 'redelivery after restart');
    expect(seen).toEqual(['1001:1', '1001:1']);
    await fake.waitUntil(
      () => fake.confirmedOffset === (update.update_id as number) + 1,
      10_000,
      'confirmed',
    );
  });

  it('reports 409 Conflict as an error with a reason, keeps retrying and recovers', async () => {
    const c = channel();
    fake.failNext('getUpdates', { kind: '409' }, 1000);
    await c.start();
    const status = await until(() => {
      const s = c.channel.status();
      return s.state === 'error' ? s : undefined;
    }, 'error status');
    expect(status.detail).toMatch(/another instance is polling.*409/);
    expect(status.lastError?.message).toMatch(/Conflict/);
    fake.clearFailures();
    await until(() => c.channel.status().state === 'connected', 'recovered');
    fake.pushText('after the conflict');
    expect((await c.sink.waitFor(1))[0]?.text).toBe('after the conflict');
  });

  it('reports a rejected token (401) as an error without throwing from start()', async () => {
    const c = channel({ token: '123:not-the-right-token' });
    await expect(c.start()).resolves.toBeUndefined();
    const status = c.channel.status();
    expect(status.state).toBe('error');
    expect(status.detail).toMatch(/rejected the bot token \(401 Unauthorized\)/);
    // Still retrying in the background, not crashed.
    const calls = fake.callsOf('getMe').length;
    await fake.waitUntil(() => fake.callsOf('getMe').length > calls, 10_000, 'another getMe');
    expect(c.channel.status().state).toBe('error');
  });

  it('rides out 5xx answers and dropped connections and then delivers', async () => {
    const c = channel();
    await c.start();
    await fake.waitForCalls('getUpdates', 1, 10_000, true);
    fake.failNext('getUpdates', { kind: '5xx' }, 2);
    fake.failNext('getUpdates', { kind: 'drop-before' }, 2);
    // Release the long poll that is already held so the scripted failures are hit next.
    fake.pushText('first');
    fake.pushText('second');
    const got = await c.sink.waitFor(2);
    expect(got.map((m) => m.text)).toEqual(['first', 'second']);
    expect(
      fake.calls.filter((x) => x.method === 'getUpdates' && (x.status === 502 || x.status === 0)),
    ).toHaveLength(4);
    expect(c.channel.status().state).toBe('connected');
  });

  it('stops cleanly when the signal aborts', async () => {
    const c = channel();
    await c.start();
    await fake.waitForCalls('getUpdates', 1, 10_000, true);
    await c.stop();
    expect(c.channel.status().state).toBe('stopped');
  });
});
