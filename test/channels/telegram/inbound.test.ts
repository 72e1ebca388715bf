// What the gateway sees of Telegram messages: commands addressed to this bot (and not others),
// group mentions, replies, forum topics as separate conversations, captions, and photos/documents
// fetched only when asked for, with the 20 MB download limit made explicit.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttachmentTooLargeError } from '../../../channels/telegram/index.js';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { makeChannel } from './helpers.js';

let fake: FakeTelegram;
let c: ReturnType<typeof makeChannel>;

beforeEach(async () => {
  fake = await FakeTelegram.start();
  c = makeChannel(fake);
  await c.start();
});
afterEach(async () => {
  await c.stop();
  await fake.close();
});

const group = () => fake.groupChat(-1001234567890, 'Ops');
const bob = { id: 2002, is_bot: false, first_name: 'Bob' };

describe('telegram inbound', () => {
  it('normalises /cmd@thisbot and ignores commands addressed to another bot', async () => {
    fake.pushText('/sh@other_bot ls');
    fake.pushText('/sh@sandgate_test_bot echo hi');
    fake.pushText('/py@SANDGATE_TEST_BOT print(1)');
    fake.pushText('/help');
    const got = await c.sink.waitFor(3);
    await fake.waitUntil(() => fake.state.updates.length === 0, 10_000, 'all updates confirmed');
    expect(got.map((m) => m.text)).toEqual(['/sh echo hi', '/py print(1)', '/help']);
  });

  it('marks group messages as mentioned only for @bot, replies to the bot and commands', async () => {
    const chat = group();
    const botMsg = await c.channel.deliver(
      { channel: 'telegram', key: `tg:${chat.id}`, route: { chatId: chat.id } },
      { kind: 'text', text: 'I am the bot' },
    );
    fake.pushText('just chatting', { chat, from: bob });
    fake.pushText('@sandgate_test_bot what is up', { chat, from: bob });
    fake.pushText('right', { chat, from: bob, replyTo: Number(botMsg.messageIds[0]) });
    fake.pushText('/status', { chat, from: bob });
    fake.pushText('hey @someone_else', { chat, from: bob });
    const got = await c.sink.waitFor(5);
    expect(got.map((m) => [m.text, m.mentioned, m.isDirect])).toEqual([
      ['just chatting', false, false],
      ['what is up', true, false],
      ['right', true, false],
      ['/status', true, false],
      ['hey @someone_else', false, false],
    ]);
    expect(new Set(got.map((m) => m.conversationKey))).toEqual(new Set([`tg:${chat.id}`]));
    expect(got[0]?.sender).toEqual({ id: '2002', name: 'Bob', isBot: false });
  });

  it('treats forum topics as separate conversations and replies into the topic', async () => {
    const chat = fake.groupChat(-1009998887776, 'Forum', { forum: true });
    fake.pushText('in topic 7', { chat, from: bob, threadId: 7 });
    fake.pushText('in topic 9', { chat, from: bob, threadId: 9 });
    fake.pushText('general', { chat, from: bob });
    const got = await c.sink.waitFor(3);
    expect(got.map((m) => [m.conversationKey, m.route])).toEqual([
      [`tg:${chat.id}:topic:7`, { chatId: chat.id, threadId: 7 }],
      [`tg:${chat.id}:topic:9`, { chatId: chat.id, threadId: 9 }],
      [`tg:${chat.id}`, { chatId: chat.id }],
    ]);
    const first = got[0]!;
    await c.channel.deliver(
      { channel: 'telegram', key: first.conversationKey, route: first.route },
      { kind: 'text', text: 'ok' },
    );
    expect(fake.sent(chat.id).at(-1)).toMatchObject({ threadId: 7, text: 'ok' });
  });

  it('passes is_bot through and uses captions as text', async () => {
    fake.pushText('beep', { from: { id: 3003, is_bot: true, first_name: 'Other Bot' } });
    fake.pushPhoto(Buffer.from('jpeg bytes'), { caption: '/py@sandgate_test_bot show(img)' });
    const got = await c.sink.waitFor(2);
    expect(got[0]?.sender.isBot).toBe(true);
    expect(got[1]?.text).toBe('/py show(img)');
  });

  it('fetches the largest photo size lazily, through getFile and the file endpoint', async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    fake.pushPhoto(bytes);
    const [msg] = await c.sink.waitFor(1);
    const att = msg!.attachments[0]!;
    expect(att).toMatchObject({ mime: 'image/jpeg', size: 5000, name: 'photo-1.jpg' });
    expect(fake.callsOf('getFile')).toHaveLength(0);
    expect(Buffer.compare(await att.fetch(), bytes)).toBe(0);
    expect(fake.callsOf('getFile')).toHaveLength(1);
  });

  it('turns a document into an attachment with its name and type', async () => {
    const csv = Buffer.from('a,b\n1,2\n');
    fake.pushDocument(csv, { fileName: 'data.csv', mimeType: 'text/csv', caption: 'analyse this' });
    const [msg] = await c.sink.waitFor(1);
    expect(msg?.text).toBe('analyse this');
    const att = msg!.attachments[0]!;
    expect(att).toMatchObject({ name: 'data.csv', mime: 'text/csv', size: csv.length });
    expect((await att.fetch()).toString()).toBe('a,b\n1,2\n');
  });

  it('says clearly that a file over 20 MB cannot be downloaded, without trying', async () => {
    const size = 25 * 1024 * 1024;
    fake.pushDocument(Buffer.from('tiny stand-in'), { fileName: 'huge.zip', declaredSize: size });
    const [msg] = await c.sink.waitFor(1);
    const att = msg!.attachments[0]!;
    expect(att.size).toBe(size);
    expect(att).toMatchObject({ tooLarge: true });
    const err = await att.fetch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AttachmentTooLargeError);
    expect((err as Error).message).toMatch(/"huge\.zip" is 25\.0 MB.*up to 20\.0 MB/);
    expect(fake.callsOf('getFile')).toHaveLength(0);
  });
});
