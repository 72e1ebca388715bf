import { describe, expect, it } from 'vitest';
import { LaneQueue } from '../../src/gateway/lane-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LaneQueue', () => {
  it('takes conversations in turn so one busy chat cannot starve another', async () => {
    const order: string[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const q = new LaneQueue<{ id: number; conversationKey: string }>(1, async (item) => {
      order.push(`${item.conversationKey}${item.id}`);
      const g = deferred();
      gates.set(item.id, g);
      await g.promise;
    });
    q.enqueue({ id: 1, conversationKey: 'a' });
    q.enqueue({ id: 2, conversationKey: 'a' });
    q.enqueue({ id: 3, conversationKey: 'a' });
    q.enqueue({ id: 4, conversationKey: 'b' });
    for (const id of [1, 4, 2, 3]) {
      await new Promise((r) => setImmediate(r));
      gates.get(id)?.resolve();
    }
    await q.idle();
    expect(order).toEqual(['a1', 'b4', 'a2', 'a3']);
  });

  it('refuses an item it already holds and drops waiting items on request', async () => {
    const g = deferred();
    const ran: number[] = [];
    const q = new LaneQueue<{ id: number; conversationKey: string }>(1, async (item) => {
      ran.push(item.id);
      await g.promise;
    });
    expect(q.enqueue({ id: 1, conversationKey: 'a' })).toBe(true);
    expect(q.enqueue({ id: 1, conversationKey: 'a' })).toBe(false);
    q.enqueue({ id: 2, conversationKey: 'a' });
    expect(q.drop('a').map((i) => i.id)).toEqual([2]);
    g.resolve();
    await q.idle();
    expect(ran).toEqual([1]);
  });
});
