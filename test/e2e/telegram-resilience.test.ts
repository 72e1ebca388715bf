// Delivery and intake guarantees of the Telegram channel in the real gateway process: a storm of
// 429s is ridden out with every reply posted exactly once, and a gateway killed after persisting an
// update but before Telegram saw the offset move past it answers that message exactly once.

import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  botTexts,
  inboundByPlatformId,
  pairUser,
  platformIdOf,
  readDb,
  settled,
} from './telegram-helpers.js';

describe('Telegram resilience through the gateway process', () => {
  const home = tempHome();
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  let db: Database.Database;
  let chat: number;
  const env = () => ({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    chat = fake.defaultUser.id;
    gw = await startGatewayProcess(home.home, env());
    await pairUser(fake, home.home);
    db = readDb(home.home);
  }, 60_000);
  afterAll(async () => {
    db?.close();
    await gw?.stop();
    await fake?.close();
    home.cleanup();
  });

  it('rides out a 429 storm: every pending reply is delivered exactly once', async () => {
    const storm = 6;
    const replies = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((w) => `storm-${w}`);
    fake.failNext('sendMessage', { kind: '429', retryAfter: 1 }, storm);
    for (const r of replies) fake.pushText(`/sh echo ${r}`);
    await fake.waitUntil(
      () => replies.every((r) => botTexts(fake, chat).some((t) => t.includes(r))),
      45_000,
      'every reply despite the 429s',
    );
    await waitFor(() => settled(db), 'the outbox to drain', 20_000);
    const rateLimited = fake.callsOf('sendMessage').filter((c) => c.status === 429);
    expect(rateLimited).toHaveLength(storm);
    for (const r of replies) {
      expect(botTexts(fake, chat).filter((t) => t.includes(r))).toHaveLength(1);
    }
    // Nothing was given up on.
    const failed = db.prepare("SELECT count(*) AS n FROM deliveries WHERE state = 'failed'").get() as {
      n: number;
    };
    expect(failed.n).toBe(0);
  });

  it('answers exactly once a message persisted just before a SIGKILL, while its offset was unconfirmed', async () => {
    // Keep the conversation's lane busy so the message is still waiting (queued) when the process dies.
    const busy = fake.pushText('/sh sleep 30 && echo never');
    const busyUpdate = busy.update.update_id as number;
    await waitFor(
      () => inboundByPlatformId(db, platformIdOf(busy.message))?.state === 'running',
      'the busy run',
    );
    // The update holding the busy run is confirmed, and the gateway's next long poll is waiting.
    await fake.waitUntil(
      () => fake.confirmedOffset > busyUpdate && fake.callsOf('getUpdates').some((c) => c.status === -1),
      20_000,
      'a held getUpdates past the busy update',
    );
    // From now on no getUpdates gets through: the poll that would confirm the next update fails,
    // which holds open the window between "persisted" and "offset confirmed" for as long as we need.
    fake.failNext('getUpdates', { kind: '5xx' }, 1_000);
    const target = fake.pushText('/sh echo answered-once');
    const targetUpdate = target.update.update_id as number;
    const row = await waitFor(
      () => inboundByPlatformId(db, platformIdOf(target.message)),
      'the message to be persisted',
      20_000,
    );
    expect(row.state).toBe('queued');
    expect(fake.confirmedOffset).toBeLessThanOrEqual(targetUpdate);
    await gw.stop('SIGKILL');
    // Telegram still holds the update: it will hand it out again.
    expect(fake.confirmedOffset).toBeLessThanOrEqual(targetUpdate);

    fake.clearFailures();
    gw = await startGatewayProcess(home.home, env());
    // The restarted gateway polls from the unconfirmed offset, gets the same update back, and moves past it.
    await fake.waitUntil(
      () => fake.confirmedOffset > targetUpdate,
      30_000,
      'the redelivered update to be confirmed',
    );
    await fake.waitUntil(
      () => botTexts(fake, chat).some((t) => t.includes('answered-once') && !t.includes('/sh')),
      30_000,
      'the answer',
    );
    await waitFor(() => settled(db), 'everything to settle', 30_000);
    expect(
      botTexts(fake, chat).filter((t) => t.includes('answered-once') && !t.includes('/sh')),
    ).toHaveLength(1);
    // One row for the message, though Telegram delivered the update twice.
    const count = db
      .prepare("SELECT count(*) AS n FROM inbound WHERE channel = 'telegram' AND platform_id = ?")
      .get(platformIdOf(target.message)) as { n: number };
    expect(count.n).toBe(1);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/sandgate_inbound_total\{[^}]*outcome="duplicate"[^}]*\} 1\b/);
    // The busy run was interrupted by the kill, and the sender was told once.
    expect(
      botTexts(fake, chat).filter((t) => /interrupted because the gateway restarted/.test(t)),
    ).toHaveLength(1);
    expect(botTexts(fake, chat).filter((t) => /\bnever\b/.test(t) && !t.includes('sleep'))).toHaveLength(0);
  });
});
