// Every message is heard, by the right person (issue: real-world chat faults): commands run only
// when a real, allowed sender typed them; forwarded text reaches the agent marked as forwarded;
// invisible characters cannot hide or smuggle a command; and a message held for a pairing approval
// is judged by the rights its sender had when it was sent. Real Telegram channel (grammY) against
// the Bot API fake, real pairing, real SQLite.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Command, CommandContext } from '../../src/gateway/commands.js';
import { CommandRegistry } from '../../src/gateway/commands.js';
import { GatedAgent } from '../helpers/gated-agent.js';
import { type TelegramGateway, telegramGateway } from '../helpers/telegram-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/** A lane command standing in for /sh: records exactly the arguments it was given. */
class RecordingShell implements Command {
  readonly name = 'sh';
  readonly summary = 'run a shell command';
  readonly mode = 'lane' as const;
  readonly ran: string[] = [];
  async run(ctx: CommandContext) {
    this.ran.push(ctx.args);
    return { text: `ran: ${JSON.stringify(ctx.args)}` };
  }
}

const ada = { id: 1001, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
const bob = { id: 2002, is_bot: false, first_name: 'Bob' };
const eve = { id: 3003, is_bot: false, first_name: 'Eve' };
const news = { id: -1009876543210, type: 'channel' as const, title: 'News' };
const CODE_RE = /\b([A-HJ-NP-Z2-9]{8})\b/;

let t: TelegramGateway;
let shell: RecordingShell;
let agent: GatedAgent;

beforeEach(async () => {
  shell = new RecordingShell();
  agent = new GatedAgent();
  agent.autoRelease = true;
  agent.progress = false;
  t = await telegramGateway({ agents: [agent], commands: new CommandRegistry().register(shell) });
});
afterEach(async () => {
  await t.stop();
});

const lastShown = (chat: number, what: string, match: RegExp) =>
  waitFor(() => t.shown(chat).find((s) => match.test(s)), what);

describe('who may run a command', () => {
  it('an anonymous group admin is answered, and nothing runs', async () => {
    const group = t.fake.groupChat(-1001234567890, 'Ops');
    t.pairing.allow.add('telegram', `group:tg:${group.id}`, 'cli');
    t.fake.pushText('/sh id', { chat: group, senderChat: group });
    const reply = await lastShown(group.id, 'the refusal', /cannot tell who sent it/);
    expect(reply).toContain('on behalf of Ops');
    expect(shell.ran).toEqual([]);
    expect(agent.started).toEqual([]);
  });

  it("a linked channel's automatic forward (from 777000) never runs, even in an allowed group", async () => {
    const group = t.fake.groupChat(-1001234567890, 'Ops');
    t.pairing.allow.add('telegram', `group:tg:${group.id}`, 'cli');
    t.fake.pushText('/sh reboot', { chat: group, senderChat: news, automaticForward: true });
    t.fake.pushText('/sh echo typed', { chat: group, from: bob });
    await lastShown(group.id, 'the typed command', /ran: "echo typed"/);
    expect(shell.ran).toEqual(['echo typed']);
  });

  it("an approved user's forwarded /sh reaches the agent marked as forwarded, and is never run", async () => {
    t.allow(ada.id);
    t.fake.pushText('/sh rm -rf ~', { from: ada, forwardFrom: bob });
    await waitFor(() => agent.finished.length === 1, 'the agent run');
    expect(shell.ran).toEqual([]);
    expect(agent.started[0]?.text).toBe('[Forwarded message from Bob]\n/sh rm -rf ~');
  });
});

describe('invisible characters', () => {
  it('a zero-width space before /sh still runs the command, and a word joiner never reaches its arguments', async () => {
    t.allow(ada.id);
    t.fake.pushText('\u200b/sh echo\u2060 hi\u00a0there', { from: ada });
    await lastShown(ada.id, 'the command reply', /^ran:/);
    expect(shell.ran).toEqual(['echo hi there']);
    expect(agent.started).toEqual([]);
  });

  it('an approval code pasted with invisible characters and a no-break space still approves', async () => {
    // Ada becomes the owner by the first approval (as `sandgate pairing approve` does).
    t.fake.pushText('hello', { from: ada });
    const adaCode = CODE_RE.exec(await lastShown(ada.id, "Ada's code", CODE_RE))?.[1] as string;
    t.pairing.approve('telegram', adaCode, 'cli');
    t.fake.pushText('hi', { from: eve });
    const eveCode = CODE_RE.exec(await lastShown(eve.id, "Eve's code", CODE_RE))?.[1] as string;
    const pasted = `\ufeff${eveCode.slice(0, 4)}\u200b${eveCode.slice(4)}\u2060`;
    t.fake.pushText(`/approve\u00a0${pasted}`, { from: ada });
    await lastShown(ada.id, 'the approval', /^Approved Eve/);
    expect(t.pairing.allow.isAllowed('telegram', String(eve.id))).toBe(true);
  });
});

describe('a held message replayed after approval', () => {
  it('is judged by the rights its sender had when it was sent: no /approve with owner rights gained later', async () => {
    // Eve asks first and waits; then a stranger's FIRST message tries to approve her.
    t.fake.pushText('let me in', { from: eve });
    const eveCode = CODE_RE.exec(await lastShown(eve.id, "Eve's code", CODE_RE))?.[1] as string;
    t.fake.pushText(`/approve ${eveCode}`, { from: bob });
    const bobCode = CODE_RE.exec(await lastShown(bob.id, "Bob's code", CODE_RE))?.[1] as string;
    // The owner approves Bob, who becomes the channel's owner (first approval); his held message replays.
    const approved = t.pairing.approve('telegram', bobCode, 'cli');
    expect(approved.becameOwner).toBe(true);
    const refusal = await lastShown(bob.id, 'the refusal', /was not run/);
    expect(refusal).toMatch(/^\/approve was not run: it came in a message you sent before you were approved/);
    expect(t.pairing.allow.isAllowed('telegram', String(eve.id))).toBe(false);
    expect(t.pairing.list('telegram').map((r) => r.code)).toContain(eveCode);
    // Typed again now, with the rights he has now, it works.
    t.fake.pushText(`/approve ${eveCode}`, { from: bob });
    await lastShown(bob.id, 'the approval', /^Approved Eve/);
  });

  it('an ordinary command in the held first message still runs once approved', async () => {
    t.fake.pushText('/sh echo first', { from: bob });
    const code = CODE_RE.exec(await lastShown(bob.id, "Bob's code", CODE_RE))?.[1] as string;
    t.pairing.approve('telegram', code, 'cli');
    await lastShown(bob.id, 'the replayed command', /ran: "echo first"/);
    expect(shell.ran).toEqual(['echo first']);
  });
});
