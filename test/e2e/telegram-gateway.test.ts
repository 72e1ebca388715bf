// The real gateway process, the real grammY, the Telegram protocol fake: pairing, approval from the
// CLI, commands, and a SIGKILL mid-run followed by a restart.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { type GatewayProcess, runCli, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';

const USER_CHAT = 1001; // the fake's default user's private chat

describe('Telegram through the gateway process', () => {
  const home = tempHome();
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  const env = () => ({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
  const botTexts = () =>
    fake
      .sent(USER_CHAT)
      .filter((m) => m.fromBot)
      .map((m) => m.text ?? m.caption ?? '');

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    gw = await startGatewayProcess(home.home, env());
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('gives an unknown user one pairing code, and approval answers their first message once', async () => {
    fake.pushText('/sh echo first message');
    const codeMsg = await fake.waitUntil(
      () => botTexts().find((t) => /sandgate pairing approve telegram/.test(t)),
      20_000,
      'a pairing code',
    );
    const code = /\b([A-HJ-NP-Z2-9]{8})\b/.exec(codeMsg)?.[1];
    expect(code).toBeDefined();
    fake.pushText('hello? anyone?');
    const approve = runCli(home.home, ['pairing', 'approve', 'telegram', code as string]);
    expect(approve.code).toBe(0);
    await fake.waitUntil(() => botTexts().some((t) => /approved/i.test(t)), 20_000, 'the approval notice');
    await fake.waitUntil(
      () => botTexts().some((t) => /first message/.test(t) && !/approve/.test(t)),
      30_000,
      'the replayed first message',
    );
    // One code only, even though the user wrote twice before approval.
    expect(botTexts().filter((t) => /sandgate pairing approve telegram/.test(t))).toHaveLength(1);
    const again = runCli(home.home, ['pairing', 'approve', 'telegram', code as string]);
    expect(again.code).toBe(1);
  });

  it('runs /sh echo hi in the sandbox and replies with hi', async () => {
    const before = botTexts().length;
    fake.pushText('/sh echo hi');
    const reply = await fake.waitUntil(
      () =>
        botTexts()
          .slice(before)
          .find((t) => /\bhi\b/.test(t)),
      30_000,
      'the /sh reply',
    );
    expect(reply).toMatch(/hi/);
  });

  it('after a SIGKILL mid-run, the restarted gateway tells the user and answers nothing twice', async () => {
    const before = botTexts().length;
    fake.pushText('/sh sleep 30 && echo never');
    await fake.waitForCalls('sendChatAction', 1, 20_000);
    await fake.waitUntil(
      () => runCli(home.home, ['runs', 'list', '--json']).stdout.includes('"state": "running"'),
      20_000,
      'the run to start',
    );
    await gw.stop('SIGKILL');
    fake.pushText('/sh echo after restart');
    gw = await startGatewayProcess(home.home, env());
    await fake.waitUntil(
      () =>
        botTexts()
          .slice(before)
          .some((t) => /interrupted because the gateway restarted/.test(t)),
      30_000,
      'the interruption notice',
    );
    await fake.waitUntil(
      () =>
        botTexts()
          .slice(before)
          .some((t) => /after restart/.test(t)),
      30_000,
      'the queued message',
    );
    const after = botTexts().slice(before);
    expect(after.filter((t) => /interrupted because/.test(t))).toHaveLength(1);
    expect(after.filter((t) => /never/.test(t) && !/sleep/.test(t))).toHaveLength(0);
  });
});
