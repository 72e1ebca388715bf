// What reaches WhatsApp from the gateway: text chunks in WhatsApp's markdown with links as lines,
// charts as images (really encrypted and uploaded: the recipient's download decrypts to the same PNG)
// with captions, files as documents, progress edits, "composing" as typing; a retried part reuses its
// message id; failures are sorted into retry-later, rate-limited and permanent.

import { Boom } from '@hapi/boom';
import { downloadMediaMessage } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConversationRef, DeliveryError } from '../../../channels/channel.js';
import { toWhatsAppMarkdown } from '../../../channels/whatsapp/markdown.js';
import { MediaCdn } from '../../fakes/whatsapp/media-cdn.js';
import { ALICE, type ChannelRig, channelRig, OWNER, RecordingSink } from './helpers.js';

let cdn: MediaCdn;
let rig: ChannelRig;
beforeAll(async () => {
  cdn = await MediaCdn.start();
});
afterAll(async () => {
  await cdn.close();
});
afterEach(async () => {
  await rig?.cleanup();
});

const to: ConversationRef = { channel: 'whatsapp', key: `wa:${ALICE}`, route: { jid: ALICE } };

async function start() {
  rig = channelRig({ cdn });
  await rig.channel.start(new RecordingSink(), rig.controller.signal);
  const sock = await rig.wa.socket(1);
  sock.open(OWNER);
  return sock;
}

describe('WhatsApp outbound', () => {
  it('sends text in WhatsApp markdown with links as lines, and edits it for progress', async () => {
    const sock = await start();
    const receipt = await rig.channel.deliver(to, {
      kind: 'text',
      text: '## Result\n**3 files** changed, see `main.py`:\n```python\nprint("**not bold**")\n```',
      links: [{ url: 'https://preview.example/abc', label: 'Preview' }],
    });
    const sent = sock.sent[0]!;
    expect(sent.jid).toBe(ALICE);
    expect(sent.message.message?.extendedTextMessage?.text ?? sent.message.message?.conversation).toBe(
      '*Result*\n*3 files* changed, see `main.py`:\n```\nprint("**not bold**")\n```\n\nPreview: https://preview.example/abc',
    );
    expect(receipt.messageIds).toEqual([sent.message.key.id]);

    await rig.channel.edit(to, receipt, '⏳ still **working**');
    const edit = sock.sent[1]!;
    expect(edit.content).toMatchObject({
      text: '⏳ still *working*',
      edit: { remoteJid: ALICE, fromMe: true, id: receipt.messageIds[0] },
    });

    await rig.channel.typing(to);
    expect(sock.presences).toEqual([{ type: 'composing', jid: ALICE }]);
  });

  it('sends a chart as an image the recipient can download and decrypt, with its caption', async () => {
    const sock = await start();
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(900, 3),
    ]);
    await rig.channel.deliver(to, { kind: 'image', png, caption: '**Signups** per day' });
    const sent = sock.sent[0]!.message;
    const image = sent.message?.imageMessage;
    expect(image?.mimetype).toBe('image/png');
    expect(image?.caption).toBe('*Signups* per day');
    const downloaded = await downloadMediaMessage(sent, 'buffer', {});
    expect(downloaded.equals(png)).toBe(true);
  });

  it('sends a file as a document with its name and type', async () => {
    const sock = await start();
    const csv = Buffer.from('a,b\n1,2\n');
    await rig.channel.deliver(to, { kind: 'file', name: 'result.csv', data: csv });
    const doc = sock.sent[0]!.message.message?.documentMessage;
    expect(doc).toMatchObject({ fileName: 'result.csv', mimetype: 'text/csv' });
    expect((await downloadMediaMessage(sock.sent[0]!.message, 'buffer', {})).toString()).toBe('a,b\n1,2\n');
  });

  it('gives a retried outbox row the same message id, so WhatsApp sees one message', async () => {
    const sock = await start();
    sock.sendFailures.push(new Boom('Timed Out', { statusCode: 408 }));
    const part = { kind: 'text' as const, text: 'hello', idempotencyKey: 'delivery-41' };
    const err = await rig.channel.deliver(to, part).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).opts).toEqual({});
    const first = await rig.channel.deliver(to, part);
    const again = await rig.channel.deliver(to, part);
    const other = await rig.channel.deliver(to, { ...part, idempotencyKey: 'delivery-42' });
    expect(first.messageIds).toEqual(again.messageIds);
    expect(other.messageIds).not.toEqual(first.messageIds);
    expect(sock.sent.map((s) => s.message.key.id)).toEqual([
      first.messageIds[0],
      first.messageIds[0],
      other.messageIds[0],
    ]);
  });

  it('sorts failures: rate limit → retry after 30 s, a refused chat → permanent, no connection → retry later', async () => {
    const sock = await start();
    sock.sendFailures.push(
      new Boom('rate-overlimit', { statusCode: 429 }),
      new Boom('not-acceptable', { statusCode: 406 }),
    );
    const limited = (await rig.channel
      .deliver(to, { kind: 'text', text: 'a' })
      .catch((e) => e)) as DeliveryError;
    expect(limited.opts).toEqual({ retryAfterMs: 30_000 });
    // (Alice's chat is now held for those 30 s; the next send goes to another chat.)
    const bob: ConversationRef = { ...to, route: { jid: '15552223333@s.whatsapp.net' } };
    const refused = (await rig.channel
      .deliver(bob, { kind: 'text', text: 'b' })
      .catch((e) => e)) as DeliveryError;
    expect(refused.opts).toEqual({ permanent: true });
    expect(refused.message).toMatch(/not-acceptable \(406\)/);

    sock.close(428, 'Connection Closed');
    const offline = (await rig.channel
      .deliver(to, { kind: 'text', text: 'c' })
      .catch((e) => e)) as DeliveryError;
    expect(offline).toBeInstanceOf(DeliveryError);
    expect(offline.message).toBe('WhatsApp is not connected');
    expect(offline.opts.permanent).toBeUndefined();
  });
});

describe('Markdown → WhatsApp', () => {
  it('converts bold, italics, strikethrough, headings, links and bullets; leaves code alone', () => {
    expect(toWhatsAppMarkdown('**bold** and *it* and __b2__ and ~~gone~~')).toBe(
      '*bold* and _it_ and *b2* and ~gone~',
    );
    expect(toWhatsAppMarkdown('# Title\n* one\n* **two**')).toBe('*Title*\n- one\n- *two*');
    expect(toWhatsAppMarkdown('see [the docs](https://x.io/d) or https://x.io')).toBe(
      'see the docs (https://x.io/d) or https://x.io',
    );
    expect(toWhatsAppMarkdown('`**x**` stays\n```js\nconst a = **b**;\n```')).toBe(
      '`**x**` stays\n```\nconst a = **b**;\n```',
    );
    expect(toWhatsAppMarkdown('2 * 3 * 4 = 24, snake_case_name')).toBe('2 * 3 * 4 = 24, snake_case_name');
  });
});
