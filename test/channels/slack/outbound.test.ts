// Replies at the channel, through the real WebClient against the fake: mrkdwn escaping, ≤ 4,000
// characters per message joining to the original, unfurls off for URLs, threads, status edits with
// chat.update, charts through the three-step external upload, 429 → retryAfterMs, the DM fallback
// when the bot is not in the channel, and inbound files downloaded with the bot token.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../channels/channel.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { plainText } from '../../fakes/slack/fake-state.js';
import { type Harness, startChannel } from './helpers.js';

let fake: FakeSlack;
let h: Harness;
const ALICE = 'U0ALICE';
const team = () => fake.team;
const inThread = (channel: string, thread?: string) => ({
  channel: 'slack' as const,
  key: `slack:${team()}:${channel}${thread ? `:${thread}` : ''}`,
  route: { team: team(), channel, user: ALICE, ...(thread ? { thread } : {}) },
});

beforeEach(async () => {
  fake = await FakeSlack.start();
  fake.state.addUser({ id: ALICE, name: 'alice', realName: 'Alice' });
  fake.state.addChannel('C0GENERAL', 'general', [ALICE]);
  fake.state.addChannel('C0SECRET', 'secret', [ALICE], false);
  h = await startChannel(fake, 'http');
});
afterEach(async () => {
  await h.stop();
  await fake.close();
});

describe('slack outbound', () => {
  it('posts a long text as ordered messages of at most 4000 characters that join to the original', async () => {
    const line = (i: number) => `${String(i).padStart(4, '0')} a<b & c>d ${'x'.repeat(40)}`;
    const original = Array.from({ length: 400 }, (_, i) => line(i)).join('\n');
    expect(original.length).toBeGreaterThan(10_000);
    const receipt = await h.channel.deliver(inThread('C0GENERAL', '1700000000.000100'), {
      kind: 'text',
      text: original,
    });
    const posted = fake.botMessages('C0GENERAL');
    expect(posted.length).toBeGreaterThan(2);
    expect(receipt.messageIds).toHaveLength(posted.length);
    for (const m of posted) {
      expect(m.text.length).toBeLessThanOrEqual(4000);
      expect(m.threadTs).toBe('1700000000.000100');
      expect(m.text).not.toMatch(/<|>|&(?!amp;|lt;|gt;)/);
    }
    expect(posted.map((m) => plainText(m.text)).join('')).toBe(original);
  });

  it('turns unfurls off for a message with a URL and sends links as <url|label>', async () => {
    await h.channel.deliver(inThread('C0GENERAL'), {
      kind: 'text',
      text: 'preview ready',
      links: [{ url: 'https://gw.example.com/p/abc', label: 'open <it>' }],
    });
    await h.channel.deliver(inThread('C0GENERAL'), { kind: 'text', text: 'no links here' });
    const [withUrl, plain] = fake.botMessages('C0GENERAL');
    expect(withUrl?.text).toBe('preview ready\n\n<https://gw.example.com/p/abc|open &lt;it&gt;>');
    expect(withUrl).toMatchObject({ unfurlLinks: false, unfurlMedia: false });
    expect(plain?.unfurlLinks).toBeUndefined();
  });

  it('edits a status message with chat.update', async () => {
    const receipt = await h.channel.deliver(inThread('C0GENERAL'), { kind: 'text', text: '⏳ working' });
    await h.channel.edit(inThread('C0GENERAL'), receipt, 'done: 1 < 2');
    const [status] = fake.botMessages('C0GENERAL');
    expect(status?.history).toEqual(['⏳ working', 'done: 1 &lt; 2']);
    // Escaping can push a status past one message: it is cut to fit, on a character boundary.
    await h.channel.edit(inThread('C0GENERAL'), receipt, `${'<'.repeat(1500)}😀`);
    const cut = fake.botMessages('C0GENERAL')[0]?.text ?? '';
    expect(cut.length).toBeLessThanOrEqual(4000);
    expect(cut).toMatch(/^(&lt;)+…$/);
  });

  it('uploads a chart with the three-step external upload into the channel and thread', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const receipt = await h.channel.deliver(inThread('C0GENERAL', '1700000000.000200'), {
      kind: 'image',
      png,
      caption: 'Sales by month',
    });
    const order = fake.calls.map((c) => c.method).filter((m) => m.startsWith('files.'));
    expect(order).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const file = [...fake.state.files.values()].find((f) => f.shared);
    expect(file?.data?.equals(png)).toBe(true);
    expect(file?.shared).toEqual({ channel: 'C0GENERAL', threadTs: '1700000000.000200' });
    expect(receipt.messageIds).toEqual([`file:${file?.id}`]);
  });

  it('turns a 429 into a DeliveryError with retryAfterMs and a bad channel into a permanent one', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const limited = await h.channel
      .deliver(inThread('C0GENERAL'), { kind: 'text', text: 'hi' })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(DeliveryError);
    expect((limited as DeliveryError).opts).toEqual({ retryAfterMs: 7000 });
    fake.failNext('chat.postMessage', { error: 'is_archived' });
    const archived = await h.channel
      .deliver(inThread('C0GENERAL'), { kind: 'text', text: 'hi' })
      .catch((e) => e);
    expect((archived as DeliveryError).opts.permanent).toBe(true);
  });

  it("answers in the user's DM, with a one-line note once, when the bot is not in the channel", async () => {
    await h.channel.deliver(inThread('C0SECRET'), { kind: 'text', text: 'first answer' });
    await h.channel.deliver(inThread('C0SECRET'), { kind: 'text', text: 'second answer' });
    const dm = fake.state.imWith(ALICE).id;
    const texts = fake.botMessages(dm).map((m) => m.text);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/not a member of that channel/);
    expect(texts.slice(1)).toEqual(['first answer', 'second answer']);
    expect(fake.botMessages('C0SECRET')).toHaveLength(0);
  });

  it('downloads a shared file with the bot token, lazily, also from its stored ref, and refuses an oversized one', async () => {
    const csv = Buffer.from('month,sales\njan,3\nfeb,5\n');
    const file = fake.addInboundFile('sales.csv', csv, 'text/csv');
    const event = fake.userMessage('message', {
      user: ALICE,
      channel: 'D0ALICE',
      text: 'plot this',
      files: [file],
    });
    await fake.postEvent(h.url, fake.envelope(event));
    const [m] = h.sink.received;
    expect(m?.attachments).toHaveLength(1);
    const att = m?.attachments[0];
    expect(att).toMatchObject({ name: 'sales.csv', mime: 'text/csv', size: csv.length });
    expect((await att?.fetch())?.equals(csv)).toBe(true);
    expect((await h.channel.fetchAttachment(att?.ref as string)).equals(csv)).toBe(true);
    const big = fake.addInboundFile('big.bin', Buffer.alloc(2 * 1024 * 1024), 'application/octet-stream');
    const bigEvent = fake.userMessage('message', { user: ALICE, channel: 'D0ALICE', text: '', files: [big] });
    await fake.postEvent(h.url, fake.envelope(bigEvent));
    await expect(h.sink.received[1]?.attachments[0]?.fetch()).rejects.toThrow(/larger than/);
  });
});
