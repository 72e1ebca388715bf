// The fake refuses what the real Bot API refuses, so the gateway's tests can fail the way production
// would: text that is not valid UTF-8 (half an emoji), empty text, and updates of a type the bot did
// not ask for never arrive. Driven through grammY, the client the channel uses.

import { Api, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from './fake-telegram.js';

let fake: FakeTelegram;
let api: Api;
beforeEach(async () => {
  fake = await FakeTelegram.start();
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
});
afterEach(async () => {
  await fake.close();
});

async function refusal(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GrammyError);
  return (err as GrammyError).description;
}

describe('fake Bot API refusals', () => {
  it('refuses a lone surrogate (half an emoji) in text, captions and edits, like Telegram', async () => {
    const half = `cut here: ${'😀'.slice(0, 1)}`;
    expect(await refusal(api.sendMessage(1001, half))).toBe('Bad Request: strings must be encoded in UTF-8');
    const ok = await api.sendMessage(1001, 'whole 😀');
    expect(await refusal(api.editMessageText(1001, ok.message_id, half))).toMatch(/must be encoded in UTF-8/);
    expect(fake.sent(1001).map((m) => m.text)).toEqual(['whole 😀']);
  });

  it('refuses empty and whitespace-only text', async () => {
    expect(await refusal(api.sendMessage(1001, ' \n '))).toBe('Bad Request: message text is empty');
  });

  it('delivers only the update types the bot asked for', async () => {
    const { message } = fake.pushText('hello');
    fake.pushEdit(message, 'hello, edited');
    const onlyMessages = await api.getUpdates({ allowed_updates: ['message'], timeout: 0 });
    expect(onlyMessages.map((u) => Object.keys(u).filter((k) => k !== 'update_id'))).toEqual([['message']]);
    fake.pushEdit(message, 'edited again');
    const both = await api.getUpdates({ allowed_updates: ['message', 'edited_message'], timeout: 0 });
    expect(both.at(-1)?.edited_message?.text).toBe('edited again');
  });
});
