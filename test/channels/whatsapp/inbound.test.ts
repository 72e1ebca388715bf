// What the gateway sees of WhatsApp messages built by Baileys: phone JIDs for LID senders, text from
// plain / extended text / captions, groups only when mentioned or replied to, the owner's own
// messages only in their "message yourself" chat, and media fetched lazily, size-limited, also later.

import { proto } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentTooLargeError } from '../../../channels/whatsapp/media.js';
import { incoming, incomingMedia } from '../../fakes/whatsapp/fake-socket.js';
import { MediaCdn } from '../../fakes/whatsapp/media-cdn.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ALICE, type ChannelRig, channelRig, OWNER, RecordingSink } from './helpers.js';

const GROUP = '120363000000000001@g.us';
const BOB_LID = '219876543210987@lid';
const BOB = '15552223333@s.whatsapp.net';

let cdn: MediaCdn;
let rig: ChannelRig;
let sink: RecordingSink;
beforeAll(async () => {
  cdn = await MediaCdn.start();
});
afterAll(async () => {
  await cdn.close();
});
afterEach(async () => {
  await rig?.cleanup();
});

async function start(opts: Parameters<typeof channelRig>[0] = {}) {
  rig = channelRig({ cdn, ...opts });
  sink = new RecordingSink();
  await rig.channel.start(sink, rig.controller.signal);
  const sock = await rig.wa.socket(1);
  sock.open(OWNER);
  return sock;
}

const text = (s: string, contextInfo: proto.IContextInfo) =>
  proto.Message.fromObject({ extendedTextMessage: { text: s, contextInfo } });

describe('WhatsApp inbound', () => {
  it('in groups, passes on mentions and replies to the bot as addressed, the rest as not', async () => {
    const sock = await start();
    const from = { chat: GROUP, participant: BOB_LID, participantAlt: BOB, pushName: 'Bob' };
    sock.deliver([
      incoming({ ...from, text: 'just chatting' }),
      incoming({ ...from, content: text('@77700011 what is up', { mentionedJid: ['77700011@lid'] }) }),
      incoming({
        ...from,
        content: text('right', { participant: '15550001111@s.whatsapp.net', stanzaId: 'X' }),
      }),
      incoming({ ...from, content: text('hey @1555999', { mentionedJid: ['1555999@s.whatsapp.net'] }) }),
    ]);
    await waitFor(() => sink.received.length === 4, 'four messages');
    expect(sink.received.map((m) => [m.text, m.mentioned, m.isDirect])).toEqual([
      ['just chatting', false, false],
      ['what is up', true, false],
      ['right', true, false],
      ['hey @1555999', false, false],
    ]);
    const first = sink.received[0]!;
    expect(first.sender).toEqual({ id: BOB, name: 'Bob' });
    expect(first).toMatchObject({ conversationKey: `wa:${GROUP}`, route: { jid: GROUP } });
  });

  it('maps a LID sender to the phone JID from Baileys’ LID mapping, or keeps the LID when there is none', async () => {
    const sock = await start();
    sock.lidToPn.set(BOB_LID, BOB);
    sock.deliver([
      incoming({ chat: BOB_LID, text: 'mapped' }),
      incoming({ chat: '300000000000001@lid', text: 'unknown number' }),
    ]);
    await waitFor(() => sink.received.length === 2, 'two messages');
    expect(sink.received.map((m) => [m.sender.id, m.conversationKey, m.route.jid])).toEqual([
      [BOB, `wa:${BOB}`, BOB],
      ['300000000000001@lid', 'wa:300000000000001@lid', '300000000000001@lid'],
    ]);
  });

  it('ignores the owner’s own messages except in their own chat when whatsapp.selfChat is on', async () => {
    const sock = await start({ selfChat: true });
    const own = '15550001111@s.whatsapp.net';
    sock.deliver([
      incoming({ chat: ALICE, fromMe: true, text: 'I wrote this to Alice' }),
      incoming({ chat: own, fromMe: true, text: '/sh echo from my phone' }),
    ]);
    await waitFor(() => sink.received.length === 1, 'the self-chat message');
    expect(sink.received[0]).toMatchObject({
      text: '/sh echo from my phone',
      sender: { id: own },
      conversationKey: `wa:${own}`,
      isDirect: true,
    });
    // The bot's own answer in that chat comes back as fromMe too: it is not a new request.
    const sent = await rig.channel.deliver(
      { channel: 'whatsapp', key: `wa:${own}`, route: { jid: own } },
      { kind: 'text', text: 'hi' },
    );
    sock.deliver([incoming({ chat: own, fromMe: true, text: 'hi', id: sent.messageIds[0]! })]);
    sock.deliver([incoming({ chat: own, fromMe: true, text: 'second' })]);
    await waitFor(() => sink.received.length === 2, 'the next self-chat message');
    expect(sink.received.map((m) => m.text)).toEqual(['/sh echo from my phone', 'second']);
  });

  it('ignores the owner’s messages entirely with selfChat off', async () => {
    const sock = await start({ selfChat: false });
    sock.deliver([
      incoming({ chat: '15550001111@s.whatsapp.net', fromMe: true, text: 'note to self' }),
      incoming({ chat: ALICE, text: 'from Alice' }),
    ]);
    await waitFor(() => sink.received.length === 1, 'one message');
    await rig.channel.drained();
    expect(sink.received.map((m) => m.text)).toEqual(['from Alice']);
  });

  it('says what else a message is: a reply (with the quoted text), forwarded, an edit, a kind not taken', async () => {
    const sock = await start();
    const ours = '15550001111@s.whatsapp.net';
    const reply = text('and for March?', {
      participant: ours,
      stanzaId: 'BOT1',
      quotedMessage: { conversation: 'February: 42 signups' },
    });
    const forwarded = text('look at this', { isForwarded: true, forwardingScore: 1 });
    const edit = proto.Message.fromObject({
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
        key: { remoteJid: ALICE, fromMe: false, id: 'ORIGINAL1' },
        editedMessage: { conversation: 'fixed typo' },
      },
    });
    const sticker = proto.Message.fromObject({ stickerMessage: { mimetype: 'image/webp' } });
    const reaction = proto.Message.fromObject({ reactionMessage: { key: { id: 'X' }, text: '👍' } });
    sock.deliver([
      incoming({ chat: ALICE, content: reply }),
      incoming({ chat: ALICE, content: forwarded }),
      incoming({ chat: ALICE, content: edit }),
      incoming({ chat: ALICE, content: sticker }),
      incoming({ chat: ALICE, content: reaction }),
      incoming({ chat: ALICE, text: 'last' }),
    ]);
    await waitFor(() => sink.received.some((m) => m.text === 'last'), 'all messages');
    expect(sink.received.map((m) => [m.text, m.context])).toEqual([
      ['and for March?', { replyTo: { from: 'the bot', text: 'February: 42 signups' } }],
      ['look at this', { forwardedFrom: 'someone else (WhatsApp does not say who)' }],
      ['fixed typo', { editOf: 'ORIGINAL1' }],
      ['', { unsupported: 'sticker' }],
      ['last', undefined],
    ]);
  });

  it('skips offline messages older than a day (history, not requests)', async () => {
    const sock = await start();
    sock.deliver(
      [
        incoming({ chat: ALICE, text: 'last week', at: new Date(Date.now() - 7 * 24 * 3600_000) }),
        incoming({ chat: ALICE, text: 'a minute ago', at: new Date(Date.now() - 60_000) }),
      ],
      'append',
    );
    await waitFor(() => sink.received.length === 1, 'one message');
    await rig.channel.drained();
    expect(sink.received.map((m) => m.text)).toEqual(['a minute ago']);
  });

  it('takes an image caption as text and downloads the image only when asked, decrypted', async () => {
    const sock = await start();
    const png = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) % 256));
    const msg = await incomingMedia(cdn, {
      chat: ALICE,
      media: { image: png, caption: 'what is in this picture?', mimetype: 'image/png' },
    });
    const before = cdn.downloads;
    sock.deliver([msg]);
    await waitFor(() => sink.received.length === 1, 'the image message');
    const m = sink.received[0]!;
    expect(m.text).toBe('what is in this picture?');
    const att = m.attachments[0]!;
    expect(att).toMatchObject({ name: `image-${msg.key.id}.png`, mime: 'image/png', size: png.length });
    expect(cdn.downloads).toBe(before);
    expect((await att.fetch()).equals(png)).toBe(true);
    expect(cdn.downloads).toBe(before + 1);
    // After a restart only the stored ref is left: it still downloads the same bytes.
    expect((await rig.channel.fetchAttachment(att.ref!)).equals(png)).toBe(true);
  });

  it('turns a document into an attachment with its (sanitised) name; refuses one over the limit without downloading', async () => {
    const sock = await start({ maxAttachmentBytes: 1000 });
    const csv = Buffer.from('day,signups\n1,5\n2,7\n');
    const small = await incomingMedia(cdn, {
      chat: ALICE,
      media: { document: csv, mimetype: 'text/csv', fileName: '../../etc/signups.csv', caption: 'rows?' },
    });
    const big = await incomingMedia(cdn, {
      chat: ALICE,
      media: { document: Buffer.alloc(5000, 1), mimetype: 'application/zip', fileName: 'huge.zip' },
    });
    const before = cdn.downloads;
    sock.deliver([small, big]);
    await waitFor(() => sink.received.length === 2, 'two documents');
    const [doc, huge] = sink.received.map((m) => m.attachments[0]!);
    expect(doc).toMatchObject({ name: 'signups.csv', mime: 'text/csv', size: csv.length });
    expect(sink.received[0]?.text).toBe('rows?');
    expect((await doc!.fetch()).toString()).toBe(csv.toString());
    expect(huge).toMatchObject({ size: 5000, tooLarge: true });
    const err = await huge!.fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttachmentTooLargeError);
    expect((err as Error).message).toMatch(/"huge\.zip" is 0\.0 MB/);
    expect(cdn.downloads).toBe(before + 1);
  });

  it('stops a download that grows past the limit even when the message under-states its size', async () => {
    const sock = await start({ maxAttachmentBytes: 1000 });
    const lying = await incomingMedia(cdn, {
      chat: ALICE,
      media: { document: Buffer.alloc(64 * 1024, 2), mimetype: 'application/pdf', fileName: 'report.pdf' },
    });
    lying.message!.documentMessage!.fileLength = 10;
    sock.deliver([lying]);
    await waitFor(() => sink.received.length === 1, 'the document');
    const err = await sink.received[0]!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttachmentTooLargeError);
  });
});
