// The CLI groups: in process (a commander program, output captured) for wording and exit codes, and as
// child processes on the same SQLite file for what only real processes show: two approvals racing.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { createPairing } from '../../pairing/index.js';
import { type CliEnv, CliError } from '../../src/cli/cli-env.js';
import { registerAllowCommands } from '../../src/cli/commands/allow.js';
import { registerAuditCommand } from '../../src/cli/commands/audit.js';
import { registerPairingCommands } from '../../src/cli/commands/pairing.js';
import { validateConfig } from '../../src/config/load.js';
import { statePaths } from '../../src/config/paths.js';
import type { Store } from '../../src/store/store.js';
import {
  openStore,
  outboxTexts,
  pollReceived,
  requestCode,
  type Setup,
  setup,
  silentLog,
  stateOf,
} from './helpers.js';

let s: Setup;
afterEach(() => s?.close());

interface Run {
  code: number;
  out: string[];
  error?: string;
}

/** Runs `sandgate ARGS` in process against the test database; exit codes as src/cli/main.ts maps them. */
async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  let store: Store | undefined;
  const env: CliEnv = {
    home: s.home.dir,
    paths: statePaths(s.home.dir),
    config: () => validateConfig({}, s.home.dir),
    store: () => {
      store ??= openStore(s.home.dbFile);
      return store;
    },
    out: (line) => out.push(line),
    json: (value) => out.push(JSON.stringify(value)),
    close: () => store?.db.close(),
  };
  const program = new Command()
    .name('sandgate')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerPairingCommands(program, env);
  registerAllowCommands(program, env);
  registerAuditCommand(program, env);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, out };
  } catch (err) {
    if (err instanceof CliError) return { code: err.exitCode, out, error: err.message };
    if (err instanceof CommanderError) return { code: 2, out, error: err.message };
    throw err;
  } finally {
    env.close();
  }
}

function pending(sender: string, text = 'hello', name = '') {
  return requestCode(s, sender, { text, name });
}

describe('sandgate pairing', () => {
  it('list shows pending requests safely, as a table or JSON', async () => {
    s = setup({ clock: Date.now });
    expect((await cli('pairing', 'list')).out).toEqual(['No pending pairing requests.']);
    const a = await pending('4242', 'make me\na website', 'Alice');
    const b = await pending('evil\u202Eid', 'hi', 'Bob\u0007');
    const table = await cli('pairing', 'list', 'telegram');
    expect(table.code).toBe(0);
    expect(table.out[0]).toMatch(/^CHANNEL +CODE +SENDER +EXPIRES IN +FIRST MESSAGE$/);
    expect(table.out[1]).toMatch(
      new RegExp(`^telegram +${a.code} +Alice \\(4242\\) +60 min +"make me a website"$`),
    );
    expect(table.out[2]).toContain('evil\\u{202e}id');
    expect(table.out.join(' ')).not.toMatch(/[\u202E\p{Cc}]/u);
    expect(table.out.at(-1)).toBe(`Approve with: sandgate pairing approve telegram ${a.code}`);

    const json = JSON.parse((await cli('pairing', 'list', '--json')).out[0] as string);
    expect(json).toHaveLength(2);
    expect(json[1]).toMatchObject({
      channel: 'telegram',
      code: b.code,
      senderId: 'evil\u202Eid',
      senderName: 'Bob\u0007',
    });
    expect((await cli('pairing', 'list', 'slack')).out).toEqual(['No pending pairing requests on slack.']);
  });

  it('approve and deny print what happened; --no-notify sends no notice', async () => {
    s = setup({ clock: Date.now });
    const a = await pending('1', 'hi', 'Alice');
    const r = await cli('pairing', 'approve', 'telegram', a.code.toLowerCase());
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Approved Alice (1) on telegram.');
    expect(r.out.join('\n')).toMatch(/owner of telegram now/);
    expect(outboxTexts(s.store, a.key)).toHaveLength(2);

    const b = await pending('2');
    const spaced = `${b.code.slice(0, 4)} ${b.code.slice(4)}`;
    expect((await cli('pairing', 'approve', 'telegram', ...spaced.split(' '), '--no-notify')).code).toBe(0);
    expect(outboxTexts(s.store, b.key)).toHaveLength(1);
    expect(stateOf(s.store, b.id)).toBe('received');

    const c = await pending('3');
    const d = await cli('pairing', 'deny', 'telegram', c.code);
    expect(d).toMatchObject({ code: 0, out: ['Denied 3 on telegram.'] });
    expect(stateOf(s.store, c.id)).toBe('rejected');
  });

  it('exit 1 for expired, unknown and already decided codes; exit 2 for bad channels and malformed codes', async () => {
    // A request made two hours ago (its hour is up by the time the CLI runs on the real clock).
    const past = Date.now() - 2 * 60 * 60 * 1000;
    s = setup({ clock: () => past });
    const old = await pending('1');
    const expired = await cli('pairing', 'approve', 'telegram', old.code);
    expect(expired.code).toBe(1);
    expect(expired.error).toMatch(new RegExp(`pairing code ${old.code} on telegram expired at`));

    const unknown = await cli('pairing', 'approve', 'telegram', 'ABCD2345');
    expect(unknown.code).toBe(1);
    expect(unknown.error).toMatch(/no pairing request with code ABCD2345 on telegram/);
    expect(await cli('pairing', 'approve', 'telegrm', 'ABCD2345')).toMatchObject({
      code: 2,
      error: expect.stringMatching(/unknown channel "telegrm"/),
    });
    expect(await cli('pairing', 'approve', 'telegram', 'ABC')).toMatchObject({
      code: 2,
      error: expect.stringMatching(/not a pairing code/),
    });
    expect(await cli('pairing', 'deny', 'telegram', 'ABCD-234O')).toMatchObject({ code: 2 });
    expect(await cli('pairing', 'list', 'irc')).toMatchObject({ code: 2 });
    expect(await cli('pairing', 'approve', 'telegram')).toMatchObject({ code: 2 });
  });
});

describe('sandgate allow', () => {
  it('list / add / remove, with owners marked and usage errors for bad input', async () => {
    s = setup({ clock: Date.now });
    expect((await cli('allow', 'list')).out).toEqual(['The allowlist is empty.']);
    expect(await cli('allow', 'add', 'telegram', '42', '--name', 'Alice', '--owner')).toMatchObject({
      code: 0,
      out: ['Added 42 to the telegram allowlist.', '42 is the owner of telegram now.'],
    });
    expect((await cli('allow', 'add', 'telegram', '42')).out).toEqual([
      '42 was already on the telegram allowlist.',
    ]);
    expect((await cli('allow', 'add', 'Slack', 'group:slack:C123')).code).toBe(0);
    const table = (await cli('allow', 'list')).out;
    expect(table[0]).toMatch(/^CHANNEL +ENTRY +ROLE +ADDED$/);
    expect(table.some((l) => /^slack +group:slack:C123 +cli /.test(l))).toBe(true);
    expect(table.some((l) => /^telegram +Alice \(42\) +owner +cli /.test(l))).toBe(true);
    const json = JSON.parse((await cli('allow', 'list', 'telegram', '--json')).out[0] as string);
    expect(json).toEqual([
      expect.objectContaining({ channel: 'telegram', kind: 'sender', id: '42', owner: true }),
    ]);

    expect(await cli('allow', 'remove', 'telegram', '42')).toMatchObject({ code: 0 });
    expect((await cli('allow', 'remove', 'telegram', '42')).code).toBe(1);
    expect((await cli('allow', 'add', 'mastodon', '42')).code).toBe(2);
    expect((await cli('allow', 'add', 'telegram', 'bad\u0001id')).code).toBe(2);
    expect(s.pairing.allow.isAllowed('telegram', '42')).toBe(false);
  });
});

describe('sandgate audit', () => {
  it('shows who did what, as a table or JSON, with a limit', async () => {
    s = setup({ clock: Date.now });
    expect((await cli('audit')).out).toEqual(['The audit log is empty.']);
    const a = await pending('1');
    await cli('pairing', 'approve', 'telegram', a.code);
    await cli('allow', 'add', 'slack', 'U9');
    const table = (await cli('audit')).out;
    expect(table[0]).toMatch(/^WHEN +ACTION +CHANNEL +SUBJECT +BY$/);
    expect(table.slice(1).map((l) => l.split(/ +/).slice(1))).toEqual([
      ['pairing.approve', 'telegram', '1', 'cli'],
      ['owner.set', 'telegram', '1', 'cli'],
      ['allow.add', 'slack', 'U9', 'cli'],
    ]);
    const json = JSON.parse((await cli('audit', '--json', '--limit', '1')).out[0] as string);
    expect(json).toEqual([
      expect.objectContaining({ action: 'allow.add', actor: 'cli', at: expect.any(String) }),
    ]);
    expect((await cli('audit', '--limit', '0')).code).toBe(2);
  });
});

describe('as child processes on the same database', () => {
  const entry = join(import.meta.dirname, 'cli-entry.ts');
  const sandgate = (home: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entry, ...args],
        { env: { ...process.env, SANDGATE_HOME: home, LOG_LEVEL: 'silent' }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  it('two racing approvals: exactly one wins, the notice and the replay happen once', async () => {
    s = setup({ clock: Date.now });
    const a = await pending('4242', 'the first message');
    const [one, two] = await Promise.all([
      sandgate(s.home.dir, 'pairing', 'approve', 'telegram', a.code),
      sandgate(s.home.dir, 'pairing', 'approve', 'telegram', a.code.toLowerCase()),
    ]);
    expect([one.code, two.code].sort()).toEqual([0, 1]);
    const loser = one.code === 1 ? one : two;
    const winner = one.code === 0 ? one : two;
    expect(winner.stdout).toContain('Approved 4242 on telegram.');
    expect(loser.stderr).toMatch(/already approved/);
    expect(outboxTexts(s.store, a.key)).toHaveLength(2);
    expect((await pollReceived(s.store, s.pairing.access)).map((r) => r.id)).toEqual([a.id]);
    expect(s.pairing.audit.list().filter((e) => e.action === 'pairing.approve')).toHaveLength(1);
  });

  it('exit codes: 1 for an expired code, 2 for an unknown channel', async () => {
    const past = Date.now() - 2 * 60 * 60 * 1000;
    s = setup({ clock: () => past });
    const old = await pending('1');
    const other = createPairing({ store: s.store, config: s.config, log: silentLog });
    expect(other.list()).toEqual([]); // swept on the real clock
    const [expired, badChannel] = await Promise.all([
      sandgate(s.home.dir, 'pairing', 'approve', 'telegram', old.code),
      sandgate(s.home.dir, 'pairing', 'approve', 'icq', old.code),
    ]);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/expired/);
    expect(badChannel.code).toBe(2);
    expect(badChannel.stderr).toMatch(
      /unknown channel "icq" \(known channels: telegram, whatsapp, slack, local\)/,
    );
  });
});
