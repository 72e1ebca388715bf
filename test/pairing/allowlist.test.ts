// Allowlist changes: removal applies to the very next message; entries are validated; odd ids (unicode,
// bidi tricks, very long) are stored exactly and shown safely.

import { afterEach, describe, expect, it } from 'vitest';
import { describeSender, PairingError, safeText } from '../../pairing/index.js';
import { admit, dm, type Setup, setup, stateOf } from './helpers.js';

let s: Setup;
afterEach(() => s?.close());

function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof PairingError) return `${err.kind}${err.usage ? ' (usage)' : ''}`;
    throw err;
  }
  return 'no error';
}

describe('allowlist', () => {
  it('removal takes effect on the next message', async () => {
    s = setup({ config: { channels: { telegram: { dmPolicy: 'allowlist', groupPolicy: 'allowlist' } } } });
    s.pairing.allow.add('telegram', '42', 'cli');
    expect(await admit(s.store, s.pairing.access, dm(s.store, '42'))).toEqual({ allow: true });
    s.pairing.allow.remove('telegram', '42', 'cli');
    const next = dm(s.store, '42');
    expect(await admit(s.store, s.pairing.access, next)).toMatchObject({ allow: false });
    expect(stateOf(s.store, next.id)).toBe('rejected');
  });

  it('removing a sender under dmPolicy=pairing sends them back to pairing', async () => {
    s = setup();
    s.pairing.allow.add('telegram', '42', 'cli');
    s.pairing.allow.remove('telegram', '42', 'cli');
    expect(await admit(s.store, s.pairing.access, dm(s.store, '42'))).toMatchObject({ hold: true });
  });

  it('adds are idempotent; removing what is not there is an error (not a usage error)', () => {
    s = setup();
    expect(s.pairing.allow.add('telegram', '42', 'cli').added).toBe(true);
    expect(s.pairing.allow.add('telegram', ' 42 ', 'cli').added).toBe(false);
    expect(s.pairing.allow.list('telegram')).toHaveLength(1);
    expect(kindOf(() => s.pairing.allow.remove('telegram', '43', 'cli'))).toBe('not-on-allowlist');
    expect(s.pairing.audit.list().map((e) => e.action)).toEqual(['allow.add']);
  });

  it('validates entries and channels', () => {
    s = setup();
    expect(kindOf(() => s.pairing.allow.add('telegrm', '42', 'cli'))).toBe('unknown-channel (usage)');
    expect(kindOf(() => s.pairing.allow.add('telegram', '   ', 'cli'))).toBe('invalid-entry (usage)');
    expect(kindOf(() => s.pairing.allow.add('telegram', 'group:', 'cli'))).toBe('invalid-entry (usage)');
    expect(kindOf(() => s.pairing.allow.add('telegram', 'a\u0007b', 'cli'))).toBe('invalid-entry (usage)');
    expect(kindOf(() => s.pairing.allow.add('telegram', 'x'.repeat(1025), 'cli'))).toBe(
      'invalid-entry (usage)',
    );
    expect(kindOf(() => s.pairing.allow.add('local', '42', 'cli'))).toBe('invalid-entry (usage)');
    expect(kindOf(() => s.pairing.allow.list('nope'))).toBe('unknown-channel (usage)');
    expect(s.pairing.allow.list()).toEqual([]);
  });

  it('keeps groups and senders apart', () => {
    s = setup();
    s.pairing.allow.add('telegram', 'group:tg:-100', 'cli');
    s.pairing.allow.add('telegram', 'tg:-100', 'cli');
    expect(s.pairing.allow.list('telegram').map((e) => [e.kind, e.subject])).toEqual([
      ['sender', 'tg:-100'],
      ['group', 'tg:-100'],
    ]);
    s.pairing.allow.remove('telegram', 'group:tg:-100', 'cli');
    expect(s.pairing.allow.list('telegram').map((e) => e.kind)).toEqual(['sender']);
  });

  it('--owner makes a sender the owner, replacing the previous one; removing the owner clears ownership', () => {
    s = setup();
    s.pairing.allow.add('telegram', '1', 'cli', { owner: true });
    expect(s.pairing.owners.get('telegram')?.senderId).toBe('1');
    const r = s.pairing.allow.add('telegram', '2', 'cli', { owner: true });
    expect(r.becameOwner).toBe(true);
    expect(s.pairing.owners.get('telegram')?.senderId).toBe('2');
    expect(s.pairing.allow.remove('telegram', '2', 'cli').wasOwner).toBe(true);
    expect(s.pairing.owners.get('telegram')).toBeUndefined();
    expect(kindOf(() => s.pairing.allow.add('telegram', 'group:x', 'cli', { owner: true }))).toBe(
      'invalid-entry (usage)',
    );
  });

  it('stores odd sender ids exactly and shows them safely', async () => {
    s = setup();
    const long = `user-${'Ω'.repeat(3000)}`;
    const tricky = 'evil\u202Egnp.exe\u0000';
    const unicodeName = 'Zoë 🦊 \u202Emalicious';
    await admit(s.store, s.pairing.access, dm(s.store, long, 'hi', 'telegram', unicodeName));
    await admit(s.store, s.pairing.access, dm(s.store, tricky, 'hi', 'telegram', ''));
    const pending = s.pairing.list('telegram');
    expect(pending.map((r) => r.senderId)).toEqual([long, tricky]);
    expect(pending[0]?.senderName).toBe(unicodeName);

    const shownLong = describeSender(long, unicodeName);
    expect([...shownLong].length).toBeLessThan(100);
    expect(shownLong).toContain('Zoë 🦊');
    expect(shownLong).not.toContain('\u202E');
    const shownTricky = safeText(tricky);
    expect(shownTricky).toBe('evil\\u{202e}gnp.exe\\u{0}');

    s.pairing.approve('telegram', pending[0]?.code as string, 'cli');
    expect(s.pairing.allow.isAllowed('telegram', long)).toBe(true);
    expect(s.pairing.allow.list('telegram')[0]?.subject).toBe(long);
  });
});
