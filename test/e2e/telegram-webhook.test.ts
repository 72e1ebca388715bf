// Webhook mode through the real gateway process and the Bot API fake: the gateway registers its
// webhook with the secret, refuses posts without the right secret (401), and handles the right ones
// — whether Telegram (the fake) pushes them or a request is posted directly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { botTexts, CODE_RE, freePort } from './telegram-helpers.js';

const SECRET = 'webhook-secret_4f9A2c';
const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** An update as Telegram would post it, from a user the fake has never seen. */
function directUpdate(updateId: number, userId: number, text: string) {
  const user = { id: userId, is_bot: false, first_name: 'Grace' };
  return {
    update_id: updateId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: 'Grace' },
      from: user,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.indexOf(' ') }],
    },
  };
}

describe('Telegram webhook mode through the gateway process', () => {
  const home = tempHome();
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  let hookUrl: string;

  const post = (body: unknown, secret?: string) =>
    fetch(hookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret === undefined ? {} : { [SECRET_HEADER]: secret }),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    // The webhook URL names the gateway's port, so the port is chosen before the gateway starts.
    const port = await freePort();
    hookUrl = `http://127.0.0.1:${port}/webhooks/telegram`;
    gw = await startGatewayProcess(home.home, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      SANDGATE_PORT: String(port),
      TELEGRAM_WEBHOOK_URL: hookUrl,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    expect(gw.port).toBe(port);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('registers the webhook with its secret and does not poll', async () => {
    const calls = await fake.waitForCalls('setWebhook', 1, 20_000);
    expect(calls[0]?.params.url).toBe(hookUrl);
    expect(calls[0]?.params.secret_token).toBe(SECRET);
    expect(fake.state.webhook).toEqual({ url: hookUrl, secretToken: SECRET });
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('refuses a post with a missing or wrong secret (401) and acts on neither', async () => {
    const missing = await post(directUpdate(900_001, 3003, '/sh echo sneaky'));
    expect(missing.status).toBe(401);
    const wrong = await post(directUpdate(900_002, 3003, '/sh echo sneaky'), `${SECRET}x`);
    expect(wrong.status).toBe(401);
    const empty = await post(directUpdate(900_003, 3003, '/sh echo sneaky'), '');
    expect(empty.status).toBe(401);
    // A later, legitimate post is answered; had a refused one been taken, it would be answered by then too.
    const ok = await post(directUpdate(900_004, 3004, '/sh echo control'), SECRET);
    expect(ok.status).toBe(200);
    await fake.waitUntil(() => botTexts(fake, 3004).length > 0, 20_000, 'the reply to the legitimate post');
    expect(botTexts(fake, 3003)).toEqual([]);
  });

  it('handles a post with the right secret: the unknown sender gets one pairing code, a redelivery none', async () => {
    const update = directUpdate(900_010, 2002, '/sh echo via-direct-post');
    const res = await post(update, SECRET);
    expect(res.status).toBe(200);
    const code = await fake.waitUntil(
      () => botTexts(fake, 2002).find((t) => /sandgate pairing approve telegram/.test(t)),
      20_000,
      'the pairing code',
    );
    expect(code).toMatch(CODE_RE);
    // Telegram redelivers when it misses the 200: the same update is accepted and dropped.
    const again = await post(update, SECRET);
    expect(again.status).toBe(200);
    expect(botTexts(fake, 2002)).toHaveLength(1);
  });

  it('handles what Telegram pushes: pairing code, approval from the CLI, then the first message answered', async () => {
    const chat = fake.defaultUser.id;
    fake.pushText('/sh echo pushed-by-telegram');
    const codeMsg = await fake.waitUntil(
      () => botTexts(fake, chat).find((t) => /sandgate pairing approve telegram/.test(t)),
      20_000,
      'the pairing code',
    );
    // The fake posted it with the secret and got a 2xx on the first try.
    expect(fake.state.webhookAttempts.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(fake.state.webhookAttempts.every((a) => a.status === 200)).toBe(true);
    const approved = runCli(home.home, ['pairing', 'approve', 'telegram', CODE_RE.exec(codeMsg)?.[1] ?? '']);
    expect(approved.code, approved.stderr).toBe(0);
    await fake.waitUntil(
      () => botTexts(fake, chat).some((t) => t.includes('pushed-by-telegram') && !/approve/.test(t)),
      30_000,
      'the answer to the first message',
    );
  });
});
