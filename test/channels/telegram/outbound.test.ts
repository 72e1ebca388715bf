// Replies as a Telegram user receives them: escaped HTML (plain text when Telegram refuses it),
// charts and files uploaded byte for byte, link buttons, progress edits, typing, and failures that
// tell the outbox when to retry. One deliver() is one reply part (the outbox holds one row per part).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConversationRef, DeliveryError } from '../../../channels/channel.js';
import { FakeTelegram } from '../../fakes/telegram/fake-telegram.js';
import { makeChannel } from './helpers.js';

let fake: FakeTelegram;
let c: ReturnType<typeof makeChannel>;
const to: ConversationRef = { channel: 'telegram', key: 'tg:1001', route: { chatId: 1001 } };

beforeEach(async () => {
  fake = await FakeTelegram.start();
  c = makeChannel(fake);
  await c.start();
});
afterEach(async () => {
  await c.stop();
  await fake.close();
});

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** Bytes that would trip a careless multipart parser: CRLFs, dashes, NULs, every byte value. */
function awkwardBytes(n: number): Buffer {
  const head = Buffer.from('\x89PNG\r\n\x1a\n\r\n------------boundary\r\n--\r\n\0\0');
  const body = Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + 17) % 256));
  return Buffer.concat([head, body]);
}

describe('telegram outbound', () => {
  it('sends HTML with everything escaped and code fences as <pre><code>', async () => {
    const text = 'a < b && c > d\n```js\nif (x<1) { y = "<tag>" }\n```\nrun `ls -la <dir>` now';
    const receipt = await c.channel.deliver(to, { kind: 'text', text });
    expect(receipt.messageIds).toHaveLength(1);
    const [m] = fake.sent(1001);
    expect(m?.parseMode).toBe('HTML');
    expect(m?.raw).toContain('<pre><code class="language-js">if (x&lt;1)');
    expect(m?.text).toBe('a < b && c > d\nif (x<1) { y = "<tag>" }\nrun ls -la <dir> now');
  });

  it('falls back to plain text when Telegram cannot parse the entities', async () => {
    fake.failNext('sendMessage', {
      kind: 'error',
      code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
    });
    await c.channel.deliver(to, { kind: 'text', text: 'some **text** <x>' });
    const sends = fake.callsOf('sendMessage');
    expect(sends).toHaveLength(2);
    expect(sends[1]?.params.parse_mode).toBeUndefined();
    expect(fake.sent(1001).map((m) => m.text)).toEqual(['some **text** <x>']);
  });

  it('turns 429 into a DeliveryError with retryAfterMs and posts nothing', async () => {
    fake.failNext('sendMessage', { kind: '429', retryAfter: 7 });
    const err = await rejection(
      c.channel.deliver(to, { kind: 'text', text: 'slow down', idempotencyKey: 'k-429' }),
    );
    expect(err.opts).toEqual({ retryAfterMs: 7000 });
    expect(fake.sent(1001)).toHaveLength(0);
  });

  it('reports a revoked token on send as a channel error, not a crash', async () => {
    fake.failNext('sendMessage', { kind: '401' });
    const err = await rejection(c.channel.deliver(to, { kind: 'text', text: 'hi' }));
    expect(err.opts.permanent).toBeFalsy();
    expect(c.channel.status()).toMatchObject({ state: 'error', detail: expect.stringMatching(/401/) });
  });

  it('marks refusals that will not change (chat not found) as permanent', async () => {
    fake.failNext('sendMessage', {
      kind: 'error',
      code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    const err = await rejection(c.channel.deliver(to, { kind: 'text', text: 'hi' }));
    expect(err.opts.permanent).toBe(true);
  });

  it('uploads charts with sendPhoto and files with sendDocument, byte for byte', async () => {
    const png = awkwardBytes(200_000);
    const data = awkwardBytes(70_000).subarray(5);
    const receipts = [
      await c.channel.deliver(to, { kind: 'text', text: 'here you go' }),
      await c.channel.deliver(to, { kind: 'image', png, caption: 'Figure 1 <b>' }),
      await c.channel.deliver(to, { kind: 'file', name: 'report 2024 (final).csv', data }),
    ];
    const receipt = { messageIds: receipts.flatMap((r) => r.messageIds) };
    expect(receipt.messageIds).toHaveLength(3);
    const [text, photo, doc] = fake.sent(1001);
    expect(text?.text).toBe('here you go');
    expect(photo).toMatchObject({ kind: 'photo', caption: 'Figure 1 <b>' });
    expect(Buffer.compare(photo!.file!.data, png)).toBe(0);
    expect(doc).toMatchObject({ kind: 'document', file: { filename: 'report_2024__final_.csv' } });
    expect(Buffer.compare(doc!.file!.data, data)).toBe(0);
    const upload = fake.callsOf('sendDocument')[0]!;
    expect(Object.values(upload.files)[0]?.filename).toBe('report 2024 (final).csv');
    expect(receipt.messageIds[0]).toBe(String(text?.messageId));
  });

  it('sends public links as inline buttons and local ones as text', async () => {
    await c.channel.deliver(to, {
      kind: 'text',
      text: 'Preview ready',
      links: [
        { url: 'https://preview.example.com/s/abc', label: 'Open app' },
        { url: 'http://127.0.0.1:8787/preview/xyz', label: 'Local' },
      ],
    });
    const [m] = fake.sent(1001);
    expect(m?.text).toBe('Preview ready\n\nLocal: http://127.0.0.1:8787/preview/xyz');
    expect(m?.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'Open app', url: 'https://preview.example.com/s/abc' }]],
    });
  });

  it('sends and edits every text with link previews disabled, so no crawler opens a link first', async () => {
    const url = 'https://preview.example.com/s/abc?token=one-time';
    const status = await c.channel.deliver(to, { kind: 'text', text: 'working…' });
    await c.channel.deliver(to, {
      kind: 'text',
      text: `Preview: ${url}`,
      links: [{ url, label: 'port 8000' }],
    });
    await c.channel.edit(to, status, `done, see ${url}`);
    const texts = [...fake.callsOf('sendMessage'), ...fake.callsOf('editMessageText')];
    expect(texts).toHaveLength(3);
    for (const call of texts) expect(call.params.link_preview_options).toEqual({ is_disabled: true });
  });

  it('an edit longer than a message is cut on a character boundary, never through an emoji', async () => {
    const status = await c.channel.deliver(to, { kind: 'text', text: 'working…' });
    // The 4096th code unit falls inside an emoji: a naive cut sends half of it, which Telegram refuses.
    await c.channel.edit(to, status, `${'x'.repeat(4094)}😀😀 tail`);
    const [m] = fake.sent(1001);
    expect(m?.text).toBe(`${'x'.repeat(4094)}…`);
    expect(fake.callsOf('editMessageText').every((call) => call.status === 200)).toBe(true);
  });

  it('edits the status message and ignores "message is not modified"', async () => {
    const receipt = await c.channel.deliver(to, { kind: 'text', text: 'working… step 1' });
    await c.channel.edit(to, receipt, 'working… step 1');
    expect(fake.callsOf('editMessageText')[0]?.errorDescription).toMatch(/message is not modified/);
    await c.channel.edit(to, receipt, 'done: `42`');
    const [m] = fake.sent(1001);
    expect(m).toMatchObject({ text: 'done: 42', edits: 1 });
  });

  it('shows typing in the conversation (and its topic)', async () => {
    await c.channel.typing({
      channel: 'telegram',
      key: 'tg:-100777:topic:3',
      route: { chatId: -100777, threadId: 3 },
    });
    const [call] = fake.callsOf('sendChatAction');
    expect(call?.params).toMatchObject({ chat_id: -100777, action: 'typing', message_thread_id: 3 });
  });

  it('treats a connection lost after posting as retryable, and a retry sends that part again', async () => {
    fake.failNext('sendDocument', { kind: 'drop-after' });
    const file = { kind: 'file', name: 'log.txt', data: Buffer.from('x'), idempotencyKey: 'd-3' } as const;
    const err = await rejection(c.channel.deliver(to, file));
    expect(err.opts.permanent).toBeFalsy();
    await c.channel.deliver(to, file);
    // Telegram offers no way to tell whether the dropped upload landed, so the part is sent again.
    expect(fake.callsOf('sendDocument')).toHaveLength(2);
  });
});
