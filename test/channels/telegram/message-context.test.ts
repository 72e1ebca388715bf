// What the gateway learns about a Telegram message beyond its text: forwarded from whom (and never
// as a command), sent on behalf of a chat (anonymous admin), a channel's automatic forward (left
// out), an album, an edit, a kind we cannot take, voice/video/audio as files, and the message a
// reply answers with the quoted part — through grammY against the fake Bot API.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
const bob = { id: 2002, is_bot: false, first_name: 'Bob', last_name: 'Stone' };
const news = { id: -1009876543210, type: 'channel' as const, title: 'News' };

describe('telegram message context', () => {
  it('a forwarded /sh is marked as forwarded from its author and is not a command', async () => {
    fake.pushText('/sh@other_bot rm -rf /', { forwardFrom: bob });
    fake.pushText('/sh ls', { forwardFrom: { channel: news } });
    const got = await c.sink.waitFor(2);
    expect(got.map((m) => [m.text, m.context?.forwardedFrom])).toEqual([
      ['/sh@other_bot rm -rf /', 'Bob Stone'],
      ['/sh ls', 'News'],
    ]);
  });

  it('an anonymous admin and a channel posting in its group are sent on behalf of a chat', async () => {
    const chat = group();
    fake.pushText('/sh id', { chat, senderChat: chat });
    fake.pushText('@sandgate_test_bot hi', { chat, senderChat: news });
    const got = await c.sink.waitFor(2);
    expect(got.map((m) => m.context?.onBehalfOf)).toEqual(['Ops', 'News']);
    expect(got[0]?.text).toBe('/sh id');
  });

  it("leaves out a linked channel's automatic forward (from 777000) — nobody wrote it to the bot", async () => {
    const chat = group();
    fake.pushText('/sh reboot', { chat, senderChat: news, automaticForward: true });
    fake.pushText('after', { chat, from: bob });
    const got = await c.sink.waitFor(1);
    await fake.waitUntil(() => fake.state.updates.length === 0, 10_000, 'both updates confirmed');
    expect(got.map((m) => m.text)).toEqual(['after']);
  });

  it('asks Telegram for edits and reports one as an edit of the original message', async () => {
    const { message } = fake.pushText('/sh echo one');
    await c.sink.waitFor(1);
    fake.pushEdit(message, '/sh echo two');
    const got = await c.sink.waitFor(2);
    const [original, edit] = got;
    expect(fake.callsOf('getUpdates').at(-1)?.params.allowed_updates).toEqual(['message', 'edited_message']);
    expect(edit?.text).toBe('/sh echo two');
    expect(edit?.context?.editOf).toBe(original?.platformId);
    expect(edit?.platformId).not.toBe(original?.platformId);
  });

  it('files sent as one album carry the album id and their own captions', async () => {
    fake.pushAlbum([
      { data: Buffer.from('a'), caption: 'compare these' },
      { data: Buffer.from('b'), fileName: 'b.csv' },
      { data: Buffer.from('c'), caption: 'and this one' },
    ]);
    const got = await c.sink.waitFor(3);
    const albums = new Set(got.map((m) => m.context?.album));
    expect(albums.size).toBe(1);
    expect([...albums][0]).toMatch(/^\d+$/);
    expect(got.map((m) => m.text)).toEqual(['compare these', '', 'and this one']);
    expect(got.map((m) => m.attachments.length)).toEqual([1, 1, 1]);
  });

  it('names a sticker, location, contact or poll as unsupported; voice, audio and video are files', async () => {
    fake.pushMessage({
      sticker: { file_id: 'S1', file_unique_id: 'u', type: 'regular', width: 1, height: 1 },
    });
    fake.pushMessage({ location: { latitude: 1, longitude: 2 } });
    fake.pushMessage({ contact: { phone_number: '+1', first_name: 'Ann' } });
    fake.pushMessage({ poll: { id: 'p', question: 'q?', options: [], total_voter_count: 0 } });
    fake.pushMedia('voice', Buffer.from('OggS-voice'));
    fake.pushMedia('audio', Buffer.from('ID3-audio'), { fileName: 'song.mp3', mimeType: 'audio/mpeg' });
    fake.pushMedia('video', Buffer.from('mp4-video'), { caption: 'what is this?' });
    fake.pushMedia('video_note', Buffer.from('mp4-round'));
    fake.pushMessage({ new_chat_members: [bob] });
    const got = await c.sink.waitFor(8);
    await fake.waitUntil(() => fake.state.updates.length === 0, 10_000, 'all updates confirmed');
    expect(got).toHaveLength(8);
    expect(got.slice(0, 4).map((m) => m.context?.unsupported)).toEqual([
      'sticker',
      'location',
      'contact',
      'poll',
    ]);
    const files = got.slice(4).map((m) => [m.attachments[0]?.name, m.attachments[0]?.mime, m.text]);
    expect(files).toEqual([
      [expect.stringMatching(/^voice-\d+\.ogg$/), 'audio/ogg', ''],
      ['song.mp3', 'audio/mpeg', ''],
      [expect.stringMatching(/^video-\d+\.mp4$/), 'video/mp4', 'what is this?'],
      [expect.stringMatching(/^video-note-\d+\.mp4$/), 'video/mp4', ''],
    ]);
    expect((await got[4]?.attachments[0]?.fetch())?.toString()).toBe('OggS-voice');
  });

  it('a reply carries the text it answers and the quoted part', async () => {
    const { message } = fake.pushText('the build failed at step 3 because of a missing key');
    await c.sink.waitFor(1);
    fake.pushText('why?', { replyTo: message.message_id as number, quote: 'missing key' });
    const got = await c.sink.waitFor(2);
    expect(got[1]?.context?.replyTo).toEqual({
      from: 'Ada Lovelace',
      text: 'the build failed at step 3 because of a missing key',
      quote: 'missing key',
    });
  });
});
