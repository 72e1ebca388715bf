// Socket Mode at the channel, the real Bolt SocketModeClient against the fake's WebSocket: the
// handshake (apps.connections.open with the app token at SLACK_API_URL → hello), envelopes acked only
// after the sink persisted them, a slash command's response in its ack, reconnection after a dropped
// socket, and the watchdog replacing a socket that stays open but delivers nothing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { type Harness, refOf, startChannel } from './helpers.js';

let fake: FakeSlack;
let h: Harness | undefined;
const ALICE = 'U0ALICE';

beforeEach(async () => {
  fake = await FakeSlack.start();
  fake.state.addUser({ id: ALICE, name: 'alice', realName: 'Alice' });
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await fake.close();
});

const dmEnvelope = (text: string) =>
  fake.envelope(fake.userMessage('message', { user: ALICE, channel: fake.state.imWith(ALICE).id, text }));

describe('slack Socket Mode', () => {
  it('connects with the app token and acks an envelope after it was persisted', async () => {
    h = await startChannel(fake, 'socket');
    expect(h.channel.status()).toMatchObject({ state: 'connected', detail: 'Socket Mode' });
    expect(h.channel.routes()).toEqual([]);
    const open = fake.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe(fake.appToken);
    let release: () => void = () => {};
    h.sink.gate = new Promise<void>((r) => {
      release = r;
    });
    let acked = false;
    const ack = fake.socket.send('events_api', dmEnvelope('/sh echo hi')).then((a) => {
      acked = true;
      return a;
    });
    await fake.waitUntil(() => fake.callsOf('users.info').length > 0, 5000, 'the envelope to arrive');
    expect(acked).toBe(false);
    release();
    await ack;
    expect(h.sink.received.map((m) => m.text)).toEqual(['/sh echo hi']);
    // The answer goes out through the Web API, like in HTTP mode.
    await h.channel.deliver(refOf(h.sink.received[0]!), { kind: 'text', text: 'hi' });
    expect(fake.botMessages(fake.state.imWith(ALICE).id).map((m) => m.text)).toEqual(['hi']);
  });

  it('leaves an envelope that could not be persisted unacknowledged (Slack redelivers it)', async () => {
    h = await startChannel(fake, 'socket');
    h.sink.fail = new Error('disk full');
    void fake.socket.send('events_api', dmEnvelope('lost?'));
    await fake.waitUntil(() => h?.sink.attempts === 1, 5000, 'the envelope to reach the sink');
    h.sink.fail = undefined;
    const again = await fake.socket.send('events_api', dmEnvelope('second'), { retryAttempt: 1 });
    expect(again.envelopeId).toBeTruthy();
    expect(fake.socket.acks).toHaveLength(1);
  });

  it("answers a slash command in the envelope's ack", async () => {
    h = await startChannel(fake, 'socket');
    const body = fake.slashBody({ user: ALICE, channel: 'C0GENERAL', text: 'sh ls' });
    const ack = await fake.socket.send('slash_commands', body);
    expect(ack.payload ?? {}).toEqual({});
    expect(h.sink.received[0]?.text).toBe('/sh ls');
  });

  it('reconnects after the socket dropped', async () => {
    h = await startChannel(fake, 'socket');
    fake.socket.drop();
    await fake.waitUntil(
      () => fake.socket.connections >= 2 && fake.socket.openSockets === 1,
      15_000,
      'a reconnect',
    );
    await fake.waitUntil(() => h?.channel.status().state === 'connected', 10_000, 'connected again');
    await fake.socket.send('events_api', dmEnvelope('after the drop'));
    expect(h.sink.received.map((m) => m.text)).toEqual(['after the drop']);
  });

  it('replaces a socket that stays open but delivers nothing, and says so in its status', async () => {
    h = await startChannel(fake, 'socket', { watchdogMs: 400 });
    expect(fake.socket.connections).toBe(1);
    await fake.waitUntil(() => fake.socket.connections >= 2, 15_000, 'the watchdog to reconnect');
    await fake.waitUntil(() => h?.channel.status().state === 'connected', 10_000, 'connected again');
    expect(h.channel.status().detail).toMatch(/silent socket.* replaced by the watchdog/);
    await fake.socket.send('events_api', dmEnvelope('still here'));
    expect(h.sink.received.map((m) => m.text)).toEqual(['still here']);
  });
});
