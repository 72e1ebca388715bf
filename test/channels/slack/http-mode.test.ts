// HTTP mode at the channel: signature checks on the raw body, url_verification, events and slash
// commands through the real Bolt into Inbound, acknowledge-after-persist, bots ignored, the same
// message as `message` and `app_mention` (and as a retry) given one platformId.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { type Harness, refOf, startChannel } from './helpers.js';

let fake: FakeSlack;
let h: Harness;
const ALICE = 'U0ALICE';

beforeEach(async () => {
  fake = await FakeSlack.start();
  fake.state.addUser({ id: ALICE, name: 'alice', realName: 'Alice Liddell' });
  fake.state.addChannel('C0GENERAL', 'general', [ALICE]);
  h = await startChannel(fake, 'http');
});
afterEach(async () => {
  await h.stop();
  await fake.close();
});

const dm = (text: string, extra: Record<string, unknown> = {}) =>
  fake.envelope(fake.userMessage('message', { user: ALICE, channel: 'D0ALICE', text, ...extra }));

describe('slack HTTP mode', () => {
  it('answers url_verification with its challenge', async () => {
    const res = await fake.postEvent(h.url, { type: 'url_verification', token: 'x', challenge: 'c-123' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: 'c-123' });
  });

  it('refuses a wrong signature and a stale or future timestamp with 401, and runs nothing', async () => {
    const bad = await fake.postEvent(h.url, dm('forged'), { secret: '00000000000000000000000000000000' });
    const stale = await fake.postEvent(h.url, dm('old'), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const future = await fake.postEvent(h.url, dm('later'), {
      timestamp: Math.floor(Date.now() / 1000) + 600,
    });
    const unsigned = await fetch(h.url, { method: 'POST', body: JSON.stringify(dm('x')) });
    expect([bad.status, stale.status, future.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect(h.sink.received).toHaveLength(0);
  });

  it('turns a DM into Inbound: key, sender name, unescaped text, platformId channel:ts', async () => {
    const event = dm('/sh echo a &gt; b &amp;&amp; cat &lt;b&gt;');
    const res = await fake.postEvent(h.url, event);
    expect(res.status).toBe(200);
    const [m] = h.sink.received;
    const ev = event.event as { ts: string };
    expect(m).toMatchObject({
      channel: 'slack',
      conversationKey: `slack:${fake.team}:D0ALICE`,
      sender: { id: ALICE, name: 'alice' },
      isDirect: true,
      text: '/sh echo a > b && cat <b>',
      platformId: `D0ALICE:${ev.ts}`,
    });
  });

  it('acknowledges an event only after the sink persisted it; a failed persist is a 500 (Slack retries)', async () => {
    let release: () => void = () => {};
    h.sink.gate = new Promise<void>((r) => {
      release = r;
    });
    let answered = false;
    const pending = fake.postEvent(h.url, dm('hold on')).then((r) => {
      answered = true;
      return r;
    });
    await fake.waitUntil(() => fake.callsOf('users.info').length > 0, 5000, 'the event to arrive');
    expect(answered).toBe(false);
    release();
    expect((await pending).status).toBe(200);
    h.sink.gate = undefined;
    h.sink.fail = new Error('disk full');
    expect((await fake.postEvent(h.url, dm('lost?'))).status).toBe(500);
  });

  it('gives a channel message seen as message, as app_mention and as a retry one platformId, in its thread', async () => {
    const text = `<@${fake.state.bot.userId}> /sh ls`;
    const mention = fake.userMessage('app_mention', { user: ALICE, channel: 'C0GENERAL', text });
    const ts = mention.ts as string;
    const asMessage = { ...mention, type: 'message', channel_type: 'channel' };
    const first = fake.envelope(mention, 'EvAAA');
    await fake.postEvent(h.url, first);
    await fake.postEvent(h.url, fake.envelope(asMessage, 'EvBBB'));
    const retry = await fake.postEvent(h.url, first, { retryNum: 1 });
    expect(retry.status).toBe(200);
    expect(h.sink.received).toHaveLength(1);
    expect(h.sink.duplicates).toHaveLength(2);
    expect(h.sink.received[0]).toMatchObject({
      conversationKey: `slack:${fake.team}:C0GENERAL:${ts}`,
      route: { channel: 'C0GENERAL', thread: ts },
      isDirect: false,
      mentioned: true,
      text: '/sh ls',
    });
    // A follow-up inside that thread is the same conversation.
    const followUp = fake.userMessage('app_mention', {
      user: ALICE,
      channel: 'C0GENERAL',
      text,
      threadTs: ts,
    });
    await fake.postEvent(h.url, fake.envelope(followUp));
    expect(h.sink.received[1]?.conversationKey).toBe(h.sink.received[0]?.conversationKey);
  });

  it('ignores its own messages, other bots, edits, and channel chatter that does not mention it', async () => {
    const bot = fake.state.bot;
    const events = [
      fake.userMessage('message', { user: bot.userId, channel: 'D0ALICE', text: 'echo', botId: bot.botId }),
      fake.userMessage('message', { user: 'U0OTHERBOT', channel: 'D0ALICE', text: 'hi', botId: 'B0OTHER' }),
      fake.userMessage('message', { user: ALICE, channel: 'D0ALICE', text: 'x', subtype: 'message_changed' }),
      fake.userMessage('message', {
        user: ALICE,
        channel: 'C0GENERAL',
        text: 'lunch?',
        channelType: 'channel',
      }),
    ];
    for (const e of events) expect((await fake.postEvent(h.url, fake.envelope(e))).status).toBe(200);
    expect(h.sink.received).toHaveLength(0);
  });

  it('maps /sandgate words to chat commands and acknowledges at once with an empty 200', async () => {
    const cases: [string, string][] = [
      ['sh echo hi', '/sh echo hi'],
      ['help', '/help'],
      ['', '/help'],
      ['/py print(1)', '/py print(1)'],
      ['what is in data.csv?', 'what is in data.csv?'],
    ];
    for (const [text] of cases) {
      const res = await fake.postSlash(h.url, fake.slashBody({ user: ALICE, channel: 'C0GENERAL', text }));
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
    }
    expect(h.sink.received.map((m) => m.text)).toEqual(cases.map(([, want]) => want));
    expect(h.sink.received[0]).toMatchObject({
      conversationKey: `slack:${fake.team}:C0GENERAL`,
      isDirect: true,
      route: { channel: 'C0GENERAL', user: ALICE },
    });
    expect(h.sink.received[0]?.platformId).toMatch(/^cmd:/);
  });

  it("answers a refused slash command with the gateway's reply as an ephemeral response, and posts nothing", async () => {
    h.sink.refuse = { replied: true };
    h.sink.onReceive = (inbound) => {
      // The gateway's outbox delivers the pairing reply through the channel, as it would.
      setImmediate(
        () => void h.channel.deliver(refOf(inbound), { kind: 'text', text: 'code ABCD2345 <approve>' }),
      );
    };
    const res = await fake.postSlash(
      h.url,
      fake.slashBody({ user: ALICE, channel: 'C0GENERAL', text: 'sh ls' }),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      response_type: 'ephemeral',
      text: 'code ABCD2345 &lt;approve&gt;',
    });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
