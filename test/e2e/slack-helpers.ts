// Shared steps of the Slack end-to-end tests: the CLI without blocking this process (the Slack fake
// answers the gateway from here), what the bot posted, the pairing flow, and a read-only look at the
// gateway's database.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FakeSlack } from '../fakes/slack/fake-slack.js';
import { plainText } from '../fakes/slack/fake-state.js';
import { cliEnv } from '../helpers/gateway-process.js';
import { readDb } from './telegram-helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sandgate.mjs');
export const CODE_RE = /\b([A-HJ-NP-Z2-9]{8})\b/;

export type CliResult = { code: number; stdout: string; stderr: string };

/** `sandgate ARGS`, asynchronously (a spawnSync would stall the fake the gateway is talking to). */
export function cli(home: string, args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(home, extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

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
