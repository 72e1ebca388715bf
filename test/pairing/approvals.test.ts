// Approve and deny: allowlist, owner, notice, the kept message replayed exactly once (also when two
// connections race on the same code), clear errors for expired / unknown / decided codes, the audit log.

import { afterEach, describe, expect, it } from 'vitest';
import { CODE_TTL_MS, createPairing, PairingError } from '../../pairing/index.js';
import type { Store } from '../../src/store/store.js';
import {
  admit,
  codeIn,
  dm,
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
const extra: Store[] = [];
afterEach(() => {
  for (const st of extra.splice(0)) st.db.close();
  s?.close();
});

function pendingCode(sender = '4242', text = 'build me a site') {
  return requestCode(s, sender, { text, name: `Name ${sender}` });
}

function errorOf(fn: () => unknown): PairingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PairingError) return err;
    throw err;
  }
  throw new Error('expected a PairingError');
}

describe('approve', () => {
  it('allowlists the sender, tells them, and hands the kept message back exactly once', async () => {
    s = setup();
    const { code, id, key } = await pendingCode();
    const r = s.pairing.approve('telegram', code, 'cli');
    expect(r).toMatchObject({ becameOwner: true, notified: true, replayed: true });
    expect(r.request).toMatchObject({ state: 'approved', code: null, decidedBy: 'cli' });
    expect(s.pairing.allow.isAllowed('telegram', '4242')).toBe(true);
    expect(outboxTexts(s.store, key)).toHaveLength(2);
    expect(outboxTexts(s.store, key)[1]).toMatch(/approved/i);
    expect(stateOf(s.store, id)).toBe('received');

    // The gateway's poll re-runs access (now allowed) and queues it — once.
    const replayed = await pollReceived(s.store, s.pairing.access);
    expect(replayed.map((r) => r.id)).toEqual([id]);
    expect(stateOf(s.store, id)).toBe('queued');
    expect(await pollReceived(s.store, s.pairing.access)).toEqual([]);

    // From now on the sender just gets through.
    expect(await admit(s.store, s.pairing.access, dm(s.store, '4242', 'next'))).toEqual({ allow: true });
    expect(s.pairing.list()).toEqual([]);
  });

  it('accepts lower-case and spaced codes', async () => {
    s = setup();
    const { code } = await pendingCode();
    const typed = `${code.slice(0, 4).toLowerCase()} ${code.slice(4).toLowerCase()}`;
    expect(s.pairing.approve('Telegram', typed, 'cli').request.state).toBe('approved');
  });

  it('--no-notify: no notice, the message is still replayed', async () => {
    s = setup();
    const { code, id, key } = await pendingCode();
    const r = s.pairing.approve('telegram', code, 'cli', { notify: false });
    expect(r.notified).toBe(false);
    expect(outboxTexts(s.store, key)).toHaveLength(1);
    expect(stateOf(s.store, id)).toBe('received');
  });

  it('makes only the first approved sender of a channel its owner', async () => {
    s = setup();
    const a = await pendingCode('1');
    const b = await pendingCode('2');
    expect(s.pairing.approve('telegram', a.code, 'cli').becameOwner).toBe(true);
    expect(s.pairing.approve('telegram', b.code, 'cli').becameOwner).toBe(false);
    expect(s.pairing.owners.get('telegram')?.senderId).toBe('1');
    expect(s.pairing.owners.get('slack')).toBeUndefined();
  });

  it('exactly one of two racing approvals on two connections wins; the other is told it was already approved', async () => {
    s = setup();
    const { code, id, key } = await pendingCode();
    const other = openStore(s.home.dbFile);
    extra.push(other);
    const second = createPairing({ store: other, config: s.config, log: silentLog, clock: s.clock.fn });

    const results = [
      () => s.pairing.approve('telegram', code, 'cli'),
      () => second.approve('telegram', code, 'chat:telegram:1'),
    ].map((fn) => {
      try {
        return { ok: fn() };
      } catch (err) {
        return { err: err as PairingError };
      }
    });
    expect(results.filter((r) => 'ok' in r)).toHaveLength(1);
    const lost = results.find((r) => 'err' in r) as { err: PairingError };
    expect(lost.err.kind).toBe('already-approved');
    expect(lost.err.message).toMatch(/already approved/);
    expect(outboxTexts(s.store, key)).toHaveLength(2); // the code, one notice
    expect((await pollReceived(s.store, s.pairing.access)).map((r) => r.id)).toEqual([id]);
    const audit = s.pairing.audit.list().filter((e) => e.action === 'pairing.approve');
    expect(audit).toHaveLength(1);
  });

  it('refuses an expired code with a clear error', async () => {
    s = setup();
    const { code, id } = await pendingCode();
    s.clock.advance(CODE_TTL_MS + 1);
    const err = errorOf(() => s.pairing.approve('telegram', code, 'cli'));
    expect(err.kind).toBe('expired');
    expect(err.usage).toBe(false);
    expect(err.message).toMatch(new RegExp(`pairing code ${code} on telegram expired`));
    expect(err.message).toMatch(/message the bot again/);
    expect(s.pairing.allow.isAllowed('telegram', '4242')).toBe(false);
    expect(stateOf(s.store, id)).toBe('rejected');
  });

  it('gives clear errors for unknown codes, unknown channels and malformed codes', async () => {
    s = setup();
    await pendingCode();
    const unknown = errorOf(() => s.pairing.approve('telegram', 'ABCD2345', 'cli'));
    expect(unknown.kind).toBe('not-found');
    expect(unknown.message).toContain('sandgate pairing list telegram');
    const channel = errorOf(() => s.pairing.approve('signal', 'ABCD2345', 'cli'));
    expect(channel).toMatchObject({ kind: 'unknown-channel', usage: true });
    expect(channel.message).toContain('telegram, whatsapp, slack');
    const malformed = errorOf(() => s.pairing.approve('telegram', 'ABCD-23', 'cli'));
    expect(malformed).toMatchObject({ kind: 'malformed-code', usage: true });
  });

  it('a code approved on one channel is unknown on another', async () => {
    s = setup();
    const { code } = await pendingCode();
    expect(errorOf(() => s.pairing.approve('slack', code, 'cli')).kind).toBe('not-found');
  });

  it('replays exactly once even when the approval lands before the gateway has held the message', async () => {
    s = setup();
    const msg = dm(s.store, '4242', 'first');
    // The gateway asked, but has not yet moved the row to `held` when the CLI approves.
    const decision = await s.pairing.access.check(msg);
    const code = codeIn(decision.allow ? '' : decision.reply);
    const r = s.pairing.approve('telegram', code, 'cli');
    expect(r.replayed).toBe(false);
    s.store.inbound.transition(msg.id, ['received'], 'held', decision.allow ? null : decision.reason);
    s.pairing.sweep();
    expect(stateOf(s.store, msg.id)).toBe('received');
    expect((await pollReceived(s.store, s.pairing.access)).map((x) => x.id)).toEqual([msg.id]);
    s.pairing.sweep();
    expect(stateOf(s.store, msg.id)).toBe('queued');
  });
});

describe('deny', () => {
  it('drops the kept message, erases the code, and gives the sender silence for a while', async () => {
    s = setup();
    const { code, id, key } = await pendingCode();
    const r = s.pairing.deny('telegram', code.toLowerCase(), 'cli');
    expect(r.request).toMatchObject({ state: 'denied', code: null });
    expect(stateOf(s.store, id)).toBe('rejected');
    expect(s.pairing.allow.isAllowed('telegram', '4242')).toBe(false);
    expect(outboxTexts(s.store, key)).toHaveLength(1);
    expect(errorOf(() => s.pairing.approve('telegram', code, 'cli')).kind).toBe('already-denied');

    const again = dm(s.store, '4242', 'why?');
    expect(await admit(s.store, s.pairing.access, again)).toMatchObject({ allow: false });
    expect(outboxTexts(s.store, key)).toHaveLength(1);
    expect(s.pairing.list()).toEqual([]);

    // After the cool-down they may ask again.
    s.clock.advance(CODE_TTL_MS + 1);
    expect(await admit(s.store, s.pairing.access, dm(s.store, '4242', 'please'))).toMatchObject({
      hold: true,
    });
  });

  it('cannot deny an approved request', async () => {
    s = setup();
    const { code } = await pendingCode();
    s.pairing.approve('telegram', code, 'cli');
    expect(errorOf(() => s.pairing.deny('telegram', code, 'cli')).kind).toBe('already-approved');
  });
});

describe('audit log', () => {
  it('records approvals, denials, allowlist and owner changes with who made them', async () => {
    s = setup();
    const a = await pendingCode('1');
    const b = await pendingCode('2');
    s.pairing.approve('telegram', a.code, 'cli');
    s.pairing.deny('telegram', b.code, 'chat:telegram:1');
    s.pairing.allow.add('slack', 'U77', 'dashboard');
    s.pairing.allow.remove('telegram', '1', 'cli');
    const entries = s.pairing.audit.list().map((e) => [e.action, e.channel, e.subject, e.actor]);
    expect(entries).toEqual([
      ['pairing.approve', 'telegram', '1', 'cli'],
      ['owner.set', 'telegram', '1', 'cli'],
      ['pairing.deny', 'telegram', '2', 'chat:telegram:1'],
      ['allow.add', 'slack', 'U77', 'dashboard'],
      ['allow.remove', 'telegram', '1', 'cli'],
      ['owner.clear', 'telegram', '1', 'cli'],
    ]);
    expect(s.pairing.audit.list({ limit: 2 }).map((e) => e.action)).toEqual(['allow.remove', 'owner.clear']);
    expect(s.pairing.audit.list({ channel: 'slack' })).toHaveLength(1);
    // Codes never reach the audit log.
    expect(JSON.stringify(s.pairing.audit.list())).not.toContain(a.code);
  });
});
