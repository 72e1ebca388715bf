// What an unknown DM sender experiences: one code, once; the first message kept; the pending cap;
// expiry after an hour (injected clock); codes gone from state once expired.

import { afterEach, describe, expect, it } from 'vitest';
import { CODE_TTL_MS } from '../../pairing/index.js';
import { admit, codeIn, dm, outboxTexts, pollReceived, type Setup, setup, stateOf } from './helpers.js';

let s: Setup;
afterEach(() => s?.close());

describe('pairing requests', () => {
  it('answer an unknown DM once with the code and the exact approve command, and keep the message', async () => {
    s = setup();
    const first = dm(s.store, '4242', 'please build me a website', 'telegram', 'Alice');
    const d = await admit(s.store, s.pairing.access, first);
    expect(d).toMatchObject({ allow: false, hold: true });
    const replies = outboxTexts(s.store, first.conversationKey);
    expect(replies).toHaveLength(1);
    const code = codeIn(replies[0]);
    expect(replies[0]).toContain(`sandgate pairing approve telegram ${code}`);
    expect(replies[0]).toContain('1 hour');
    expect(stateOf(s.store, first.id)).toBe('held');

    const [req] = s.pairing.list('telegram');
    expect(req).toMatchObject({ channel: 'telegram', senderId: '4242', senderName: 'Alice', code });
    expect(req?.firstMessage).toBe('please build me a website');
    expect(req?.expiresAt).toBe(s.clock.now + CODE_TTL_MS);
  });

  it('repeat DMs within the TTL get no second code and no reply', async () => {
    s = setup();
    const first = dm(s.store, '4242', 'one');
    await admit(s.store, s.pairing.access, first);
    for (let i = 0; i < 5; i++) {
      s.clock.advance(5 * 60_000);
      const again = dm(s.store, '4242', `again ${i}`);
      expect(await admit(s.store, s.pairing.access, again)).toMatchObject({ allow: false });
      expect(stateOf(s.store, again.id)).toBe('rejected');
    }
    expect(outboxTexts(s.store, first.conversationKey)).toHaveLength(1);
    expect(s.pairing.list()).toHaveLength(1);
    // The kept message is still the first one.
    expect(s.pairing.list()[0]?.firstMessage).toBe('one');
    expect(stateOf(s.store, first.id)).toBe('held');
  });

  it('answer the same way when the kept message itself is checked again (gateway restarted mid-way)', async () => {
    s = setup();
    const first = dm(s.store, '4242');
    const d1 = await s.pairing.access.check(first);
    const d2 = await s.pairing.access.check(first);
    expect(d2).toEqual(d1);
    expect(s.pairing.list()).toHaveLength(1);
  });

  it('expire after an hour: the code cannot be approved, is erased, and the kept message is rejected', async () => {
    s = setup();
    const first = dm(s.store, '4242');
    await admit(s.store, s.pairing.access, first);
    const code = codeIn(outboxTexts(s.store, first.conversationKey)[0]);

    s.clock.advance(CODE_TTL_MS - 1);
    expect(s.pairing.list()).toHaveLength(1);
    s.clock.advance(1);
    expect(s.pairing.list()).toEqual([]);
    expect(stateOf(s.store, first.id)).toBe('rejected');
    expect(() => s.pairing.approve('telegram', code, 'cli')).toThrow(/expired/);
    const stored = s.store.db.prepare('SELECT code FROM pairing_requests').all() as { code: string | null }[];
    expect(stored).toEqual([{ code: null }]);
    expect(JSON.stringify(s.store.db.prepare('SELECT * FROM pairing_requests').all())).not.toContain(code);
  });

  it('after expiry, a new DM gets a new code', async () => {
    s = setup();
    const first = dm(s.store, '4242');
    await admit(s.store, s.pairing.access, first);
    const code1 = codeIn(outboxTexts(s.store, first.conversationKey)[0]);
    s.clock.advance(CODE_TTL_MS + 1);
    const second = dm(s.store, '4242', 'still there?');
    expect(await admit(s.store, s.pairing.access, second)).toMatchObject({ allow: false, hold: true });
    const replies = outboxTexts(s.store, first.conversationKey);
    expect(replies).toHaveLength(2);
    expect(codeIn(replies[1])).not.toBe(code1);
    expect(s.pairing.list()[0]?.firstMessage).toBe('still there?');
  });

  it('cap pending requests at 3 per channel: the 4th sender is told once to try later, without a code', async () => {
    s = setup();
    for (const id of ['1', '2', '3']) await admit(s.store, s.pairing.access, dm(s.store, id));
    const fourth = dm(s.store, '4', 'me too');
    expect(await admit(s.store, s.pairing.access, fourth)).toMatchObject({ allow: false });
    expect(stateOf(s.store, fourth.id)).toBe('rejected');
    const told = outboxTexts(s.store, fourth.conversationKey);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/try again later/);
    expect(told[0]).not.toMatch(/[A-Z2-9]{8}/);
    for (let i = 0; i < 3; i++) await admit(s.store, s.pairing.access, dm(s.store, '4', 'hello??'));
    expect(outboxTexts(s.store, fourth.conversationKey)).toHaveLength(1);
    expect(s.pairing.list()).toHaveLength(3);

    // Other channels have their own cap.
    expect(await admit(s.store, s.pairing.access, dm(s.store, 'U9', 'hi', 'slack'))).toMatchObject({
      hold: true,
    });

    // Once a slot frees up, the 4th sender gets a code when they write again.
    const code = s.pairing.list('telegram')[0]?.code as string;
    s.pairing.deny('telegram', code, 'cli');
    expect(await admit(s.store, s.pairing.access, dm(s.store, '4', 'now?'))).toMatchObject({ hold: true });
    expect(codeIn(outboxTexts(s.store, fourth.conversationKey)[1])).toMatch(/^[A-Z2-9]{8}$/);
  });

  it('retry when a fresh code collides with a pending one on the channel', async () => {
    // The picker yields "AAAAAAAA" twice, then "BBBBBBBB".
    const seq = [...Array(16).fill(0), ...Array(8).fill(1)];
    let i = 0;
    s = setup({ pick: () => seq[i++] ?? 2 });
    await admit(s.store, s.pairing.access, dm(s.store, '1'));
    await admit(s.store, s.pairing.access, dm(s.store, '2'));
    expect(s.pairing.list().map((r) => r.code)).toEqual(['AAAAAAAA', 'BBBBBBBB']);
  });

  it('expired requests are swept even when nobody writes (the gateway calls sweep)', async () => {
    s = setup();
    const first = dm(s.store, '4242');
    await admit(s.store, s.pairing.access, first);
    s.clock.advance(CODE_TTL_MS);
    s.pairing.sweep();
    expect(stateOf(s.store, first.id)).toBe('rejected');
    expect(await pollReceived(s.store, s.pairing.access)).toEqual([]);
  });
});
