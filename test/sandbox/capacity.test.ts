// The shared sandbox capacity on its own (holders are plain objects here; the leases, the warm pool
// and run children that use it are tested over real sandboxes elsewhere): the cap, who is asked to
// give a slot back, waiting in order, refusing, and never letting children deadlock their parents.

import { describe, expect, it } from 'vitest';
import { SandboxCapacity, type Slot, type SlotRequest } from '../../src/sandbox/capacity.js';
import { SandboxCapacityError } from '../../src/sandbox/errors.js';
import { silentLog } from './helpers.js';

/** A holder that is idle since `idleSince` (undefined: busy) and gives its slot back when asked. */
function holder(idleSince: number | undefined, opts: { spare?: boolean } = {}) {
  const h = {
    idle: idleSince,
    asked: 0,
    slot: undefined as Slot | undefined,
    spare: opts.spare,
    idleSince: () => h.idle,
    reclaim: async () => {
      h.asked++;
      h.slot?.release();
    },
  };
  return h;
}

async function take(cap: SandboxCapacity, req: SlotRequest & { holder?: ReturnType<typeof holder> }) {
  const slot = await cap.acquire(req);
  if (req.holder) req.holder.slot = slot;
  return slot;
}

/** Settles as soon as the promise does, or says it is still pending after pending I/O has run. */
async function state<T>(p: Promise<T>): Promise<'pending' | 'resolved' | 'rejected'> {
  const mark = Symbol('pending');
  const r = await Promise.race([
    p.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<typeof mark>((res) => setImmediate(() => res(mark))),
  ]);
  return r === mark ? 'pending' : r;
}

describe('sandbox capacity', () => {
  it('grants up to maxLive and refuses the next when nothing can be given back', async () => {
    const cap = new SandboxCapacity({ maxLive: 2, log: silentLog });
    const a = await cap.acquire({ owner: 'conversation', label: 'a' });
    await cap.acquire({ owner: 'mcp', label: 'b' });
    expect(cap.used).toBe(2);
    await expect(cap.acquire({ owner: 'eval', label: 'c' })).rejects.toBeInstanceOf(SandboxCapacityError);
    expect(cap.tryAcquire({ owner: 'pool', label: 'p' })).toBeUndefined();
    a.release();
    a.release(); // twice is harmless
    expect(cap.used).toBe(1);
    expect((await cap.acquire({ owner: 'eval', label: 'c' })).attach('sb-c').sandboxId).toBe('sb-c');
    expect(cap.slotOf('sb-c')?.label).toBe('c');
    expect(cap.list().map((s) => [s.owner, s.label])).toEqual([
      ['mcp', 'b'],
      ['eval', 'c'],
    ]);
  });

  it('asks a spare pool member first, then the holder idle longest, never a busy one', async () => {
    const cap = new SandboxCapacity({ maxLive: 3, log: silentLog });
    const busy = holder(undefined);
    const older = holder(100);
    const newer = holder(200);
    await take(cap, { owner: 'conversation', label: 'busy', holder: busy });
    await take(cap, { owner: 'conversation', label: 'newer', holder: newer });
    await take(cap, { owner: 'conversation', label: 'older', holder: older });
    await cap.acquire({ owner: 'conversation', label: 'd' });
    expect([busy.asked, older.asked, newer.asked]).toEqual([0, 1, 0]);

    const withPool = new SandboxCapacity({ maxLive: 2, log: silentLog });
    const idle = holder(1);
    const spare = holder(undefined, { spare: true });
    await take(withPool, { owner: 'conversation', label: 'idle', holder: idle });
    await take(withPool, { owner: 'pool', label: 'warm pool', holder: spare });
    await withPool.acquire({ owner: 'conversation', label: 'new' });
    expect([spare.asked, idle.asked]).toEqual([1, 0]);
  });

  it('never reclaims a parent whose child holds a slot or waits for one', async () => {
    const cap = new SandboxCapacity({ maxLive: 2, log: silentLog });
    const parentHolder = holder(1);
    const parent = await take(cap, { owner: 'conversation', label: 'p', holder: parentHolder });
    await cap.acquire({ owner: 'run', label: 'child', parent });
    await expect(cap.acquire({ owner: 'conversation', label: 'other' })).rejects.toBeInstanceOf(
      SandboxCapacityError,
    );
    expect(parentHolder.asked).toBe(0);
  });

  it('lets waiters have released slots in order, and a background filler never jumps the queue', async () => {
    const cap = new SandboxCapacity({ maxLive: 1, log: silentLog });
    const held = await cap.acquire({ owner: 'eval', label: 'held' });
    const first = cap.acquire({ owner: 'eval', label: 'first', waitMs: 60_000 });
    const second = cap.acquire({ owner: 'mcp', label: 'second', waitMs: 60_000 });
    expect(await state(first)).toBe('pending');
    held.release();
    expect(cap.tryAcquire({ owner: 'pool', label: 'warm pool' })).toBeUndefined();
    const got = await first;
    expect(got.label).toBe('first');
    expect(await state(second)).toBe('pending');
    got.release();
    expect((await second).label).toBe('second');
  });

  it('gives a waiter the slot of a holder that goes idle later', async () => {
    const cap = new SandboxCapacity({ maxLive: 1, log: silentLog });
    const h = holder(undefined);
    await take(cap, { owner: 'conversation', label: 'busy', holder: h });
    const waiting = cap.acquire({ owner: 'run', label: 'child', waitMs: 60_000 });
    expect(await state(waiting)).toBe('pending');
    h.idle = 5;
    cap.changed();
    expect((await waiting).label).toBe('child');
    expect(h.asked).toBe(1);
  });

  it('ends a wait at its time limit or when its signal aborts', async () => {
    const cap = new SandboxCapacity({ maxLive: 1, log: silentLog });
    await cap.acquire({ owner: 'eval', label: 'held' });
    await expect(cap.acquire({ owner: 'eval', label: 'late', waitMs: 20 })).rejects.toThrow(
      /no sandbox became free/,
    );
    const stop = new AbortController();
    const waiting = cap.acquire({ owner: 'run', label: 'child', waitMs: 60_000, signal: stop.signal });
    stop.abort('cancel');
    await expect(waiting).rejects.toBe('cancel');
    expect(cap.used).toBe(1);
    expect(cap.free).toBe(0);
  });

  it('refuses at once a child that could only wait for its own parent', async () => {
    const cap = new SandboxCapacity({ maxLive: 1, log: silentLog });
    const parent = await cap.acquire({ owner: 'conversation', label: 'p', holder: holder(undefined) });
    await expect(cap.acquire({ owner: 'run', label: 'child', parent, waitMs: 60_000 })).rejects.toThrow(
      /held by work that is itself waiting/,
    );
  });

  it('when every slot is held by a parent waiting for a child, refuses the newest wait and serves the rest', async () => {
    const cap = new SandboxCapacity({ maxLive: 2, log: silentLog });
    const p = await cap.acquire({ owner: 'run', label: 'P' });
    const q = await cap.acquire({ owner: 'run', label: 'Q' });
    const childOfP = cap.acquire({ owner: 'run', label: 'P child', parent: p, waitMs: 60_000 });
    expect(await state(childOfP)).toBe('pending'); // Q may still finish
    const childOfQ = cap.acquire({ owner: 'run', label: 'Q child', parent: q, waitMs: 60_000 });
    await expect(childOfQ).rejects.toBeInstanceOf(SandboxCapacityError);
    expect(await state(childOfP)).toBe('pending');
    q.release(); // Q carried on without its child and finished
    expect((await childOfP).label).toBe('P child');
  });
});
