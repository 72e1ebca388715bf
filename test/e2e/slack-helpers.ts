// Shared steps of the Slack end-to-end tests: what the bot posted, the pairing flow, and a read-only look at the
// gateway's database.

import { expect } from 'vitest';
import type { FakeSlack } from '../fakes/slack/fake-slack.js';
import { plainText } from '../fakes/slack/fake-state.js';
import { cli } from '../helpers/gateway-process.js';
import { readDb } from './telegram-helpers.js';

export const CODE_RE = /\b([A-HJ-NP-Z2-9]{8})\b/;

/** The texts the bot posted in a conversation (thread), unescaped, in order. */
export function texts(fake: FakeSlack, channel: string, thread?: string): string[] {
  return fake.botMessages(channel, thread).map((m) => plainText(m.text));
}

/** Number of inbound rows the gateway persisted for Slack. */
export function slackInboundCount(home: string): number {
  const db = readDb(home);
  try {
    return (db.prepare("SELECT count(*) AS n FROM inbound WHERE channel = 'slack'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * `user` DMs `/sh echo <marker>`, gets a pairing code, the owner approves it with the CLI, and the
 * kept message is answered. Resolves with the code message once all of that is visible.
 */
export async function pairSlackUser(
  fake: FakeSlack,
  url: string,
  home: string,
  user: string,
  /** Also sent while the request is pending (it must get no second code). */
  alsoWhilePending?: string,
): Promise<string> {
  const dm = fake.state.imWith(user).id;
  const marker = `paired-${user}`;
  const before = texts(fake, dm).length;
  await fake.postEvent(
    url,
    fake.envelope(fake.userMessage('message', { user, channel: dm, text: `/sh echo ${marker}` })),
  );
  const codeMsg = await fake.waitUntil(
    () =>
      texts(fake, dm)
        .slice(before)
        .find((t) => /sandgate pairing approve slack/.test(t)),
    30_000,
    `a pairing code for ${user}`,
  );
  const code = CODE_RE.exec(codeMsg)?.[1];
  expect(code).toBeDefined();
  if (alsoWhilePending) {
    const ev = fake.userMessage('message', { user, channel: dm, text: alsoWhilePending });
    expect((await fake.postEvent(url, fake.envelope(ev))).status).toBe(200);
  }
  const approved = await cli(home, ['pairing', 'approve', 'slack', code as string]);
  expect(approved.code, approved.stderr).toBe(0);
  await fake.waitUntil(
    () =>
      texts(fake, dm)
        .slice(before)
        .some((t) => t.includes(marker) && !/approve/.test(t)),
    30_000,
    `the replayed first message of ${user}`,
  );
  return codeMsg;
}
