// /approve, /deny, /pending from chat: the channel owner (in their DM) and the local chat may decide;
// everyone else is refused clearly.

import { afterEach, describe, expect, it } from 'vitest';
import type { Command, CommandContext } from '../../src/gateway/commands.js';
import { CommandRegistry, parseCommand } from '../../src/gateway/commands.js';
import type { InboundRow } from '../../src/store/repos/inbound-repo.js';
import {
  dm,
  groupMessage,
  outboxTexts,
  pollReceived,
  receive,
  requestCode,
  type Setup,
  setup,
  silentLog,
  stateOf,
} from './helpers.js';

let s: Setup;
afterEach(() => s?.close());

async function say(row: InboundRow): Promise<string> {
  const registry = new CommandRegistry();
  for (const c of s.pairing.commands) registry.register(c);
  const parsed = parseCommand(row.text);
  if (!parsed) throw new Error('not a command');
  const command = registry.get(parsed.name) as Command;
  expect(command.mode).toBe('immediate');
  const ctx: CommandContext = {
    msg: row,
    args: parsed.args,
    signal: new AbortController().signal,
    log: silentLog,
    emit: () => {},
    sandbox: () => Promise.reject(new Error('no sandbox')),
  };
  const reply = (await command.run(ctx))?.text ?? '';
  // As the intake does after an immediate command, so the poll below does not pick the command up.
  s.store.inbound.transition(row.id, ['received'], 'done');
  return reply;
}

function request(sender: string, channel = 'telegram') {
  return requestCode(s, sender, { text: `hi from ${sender}`, channel, name: `Person ${sender}` });
}

describe('owner commands in chat', () => {
  it('are hidden from /help and immediate', () => {
    s = setup();
    expect(s.pairing.commands.map((c) => [c.name, c.mode, c.hidden])).toEqual([
      ['approve', 'immediate', true],
      ['deny', 'immediate', true],
      ['pending', 'immediate', true],
    ]);
  });

  it('the owner approves from their DM: notice, replay, audit as chat:<channel>:<id>', async () => {
    s = setup();
    const owner = await request('1');
    s.pairing.approve('telegram', owner.code, 'cli'); // first approval: owner of telegram
    await pollReceived(s.store, s.pairing.access);
    const other = await request('2');

    const listing = await say(dm(s.store, '1', '/pending'));
    expect(listing).toContain(other.code);
    expect(listing).toContain('Person 2');

    const reply = await say(dm(s.store, '1', `/approve ${other.code.toLowerCase()}`));
    expect(reply).toMatch(/^Approved Person 2 \(2\) on telegram/);
    expect(outboxTexts(s.store, other.key).at(-1)).toMatch(/approved/i);
    expect(stateOf(s.store, other.id)).toBe('received');
    expect((await pollReceived(s.store, s.pairing.access)).map((r) => r.id)).toEqual([other.id]);
    expect(s.pairing.audit.list().at(-1)).toMatchObject({
      action: 'pairing.approve',
      actor: 'chat:telegram:1',
      subject: '2',
    });

    const again = await say(dm(s.store, '1', `/approve ${other.code}`));
    expect(again).toMatch(/already approved/);

    const third = await request('3');
    expect(await say(dm(s.store, '1', `/deny ${third.code}`))).toMatch(/^Denied Person 3/);
    expect(stateOf(s.store, third.id)).toBe('rejected');
    expect(await say(dm(s.store, '1', '/pending'))).toBe('No pairing requests are waiting.');
  });

  it('refuses non-owners, the owner in a group, and other channels from a channel chat', async () => {
    s = setup();
    const owner = await request('1');
    s.pairing.approve('telegram', owner.code, 'cli');
    const other = await request('2');

    s.pairing.allow.add('telegram', '9', 'cli');
    const refusal = await say(dm(s.store, '9', `/approve ${other.code}`));
    expect(refusal).toMatch(/Only the owner of this bot on telegram/);
    expect(await say(dm(s.store, '9', '/pending'))).toMatch(/Only the owner/);
    expect(stateOf(s.store, other.id)).toBe('held');

    s.pairing.allow.add('telegram', 'group:tg:-100', 'cli');
    expect(await say(groupMessage(s.store, '1', 'tg:-100', { text: `/approve ${other.code}` }))).toMatch(
      /direct chat/,
    );

    expect(await say(dm(s.store, '1', `/approve slack ${other.code}`))).toMatch(
      /only approve requests on telegram/,
    );
    expect(await say(dm(s.store, '1', '/approve'))).toMatch(/^Usage: \/approve CODE/);
    expect(await say(dm(s.store, '1', '/approve 12'))).toMatch(/is not a pairing code/);
    expect(stateOf(s.store, other.id)).toBe('held');
  });

  it('the local chat is the owner of every channel: /approve finds the code, or takes a channel', async () => {
    s = setup();
    const tg = await request('1', 'telegram');
    const sl = await request('U2', 'slack');
    const local = (text: string) =>
      receive(s.store, { channel: 'local', senderId: 'owner', conversationKey: 'local:default', text });

    const listing = await say(local('/pending'));
    expect(listing).toContain(`telegram ${tg.code}`);
    expect(listing).toContain(`slack ${sl.code}`);
    expect(await say(local(`/approve ${tg.code}`))).toMatch(/^Approved .* on telegram/);
    expect(await say(local(`/deny slack ${sl.code}`))).toMatch(/^Denied .* on slack/);
    expect(await say(local('/approve ABCD2345'))).toMatch(/No pending pairing request has the code ABCD2345/);
    expect(s.pairing.audit.list().map((e) => e.actor)).toContain('chat:local:owner');
  });
});
