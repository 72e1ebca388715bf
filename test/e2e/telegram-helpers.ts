// Shared steps of the Telegram end-to-end tests: pairing a user through the real CLI approve flow,
// reading what the bot posted, peeking at the gateway's database (read-only) and picking a port.

import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { TgUserJson } from '../fakes/telegram/fake-state.js';
import type { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { runCli } from '../helpers/gateway-process.js';

export const CODE_RE = /\b([A-HJ-NP-Z2-9]{8})\b/;

/** What the user sees from the bot in one chat: text, or a photo/document caption. */
export function botTexts(fake: FakeTelegram, chatId: number): string[] {
  return fake.sent(chatId).map((m) => m.text ?? m.caption ?? '');
}

/**
 * An unknown user writes, gets a pairing code, the owner runs `sandgate pairing approve`, and the
 * kept first message (`/sh echo paired-<id>`) is answered. Resolves once all of that is visible.
 */
export async function pairUser(
  fake: FakeTelegram,
  home: string,
  from: TgUserJson = fake.defaultUser,
): Promise<void> {
  const chat = from.id;
  const before = botTexts(fake, chat).length;
  const marker = `paired-${from.id}`;
  fake.pushText(`/sh echo ${marker}`, { from });
  const codeMsg = await fake.waitUntil(
    () =>
      botTexts(fake, chat)
        .slice(before)
        .find((t) => /sandgate pairing approve telegram/.test(t)),
    30_000,
    `a pairing code for ${from.id}`,
  );
  const code = CODE_RE.exec(codeMsg)?.[1];
  expect(code).toBeDefined();
  const approved = runCli(home, ['pairing', 'approve', 'telegram', code as string]);
  expect(approved.code, approved.stderr).toBe(0);
  await fake.waitUntil(
    () =>
      botTexts(fake, chat)
        .slice(before)
        .some((t) => t.includes(marker) && !/approve/.test(t)),
    30_000,
    `the replayed first message of ${from.id}`,
  );
}

/** A port that was free a moment ago (for a webhook URL that must be known before the gateway starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface InboundState {
  id: number;
  state: string;
}

/** The gateway's database, opened read-only next to the running gateway (WAL lets both work). */
export function readDb(home: string): Database.Database {
  return new Database(join(home, 'sandgate.db'), { readonly: true, fileMustExist: true });
}

export function inboundByPlatformId(db: Database.Database, platformId: string): InboundState | undefined {
  return db
    .prepare("SELECT id, state FROM inbound WHERE channel = 'telegram' AND platform_id = ?")
    .get(platformId) as InboundState | undefined;
}

/** True when nothing is left to do: no message waiting or running, no reply waiting to go out. */
export function settled(db: Database.Database): boolean {
  const busy = db
    .prepare("SELECT count(*) AS n FROM inbound WHERE state IN ('received', 'queued', 'running')")
    .get() as { n: number };
  const pending = db.prepare("SELECT count(*) AS n FROM deliveries WHERE state = 'pending'").get() as {
    n: number;
  };
  return busy.n === 0 && pending.n === 0;
}

/** The platform id the Telegram channel gives a message: `<chat>:<message_id>`. */
export function platformIdOf(message: Record<string, unknown>): string {
  const chat = message.chat as { id: number };
  return `${chat.id}:${message.message_id as number}`;
}
