// Flood-limit pacing on a virtual clock: a burst of 3 then 1 msg/s per chat, 20/min per group, 30/s overall, a 429
// holds its chat, and one chat's wait does not hold up another chat.

import { describe, expect, it } from 'vitest';
import { TELEGRAM_PACING } from '../../../channels/telegram/pacing.js';
import type { Clock } from '../../../src/timing/clock.js';
import { SendPacer } from '../../../src/timing/pacer.js';

/** Time moves only when someone sleeps: the earliest sleeper wakes first. */
class VirtualClock implements Clock {
  t = 0;
  private sleepers: { at: number; wake: () => void }[] = [];
  private scheduled = false;
  now() {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.t + ms, wake: resolve });
      this.schedule();
    });
  }
  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let every runnable continuation enqueue its sleep before advancing time.
    setImmediate(() => {
      this.scheduled = false;
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.wake();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}

async function sendAll(pacer: SendPacer, clock: VirtualClock, chats: (string | number)[]) {
  return Promise.all(
    chats.map((chat) => pacer.acquire(chat).then(() => ({ chat: String(chat), at: clock.now() }))),
  );
}

describe('SendPacer', () => {
  it('sends a reply’s first few messages to a chat at once, then one a second, in order', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    const times = await sendAll(pacer, clock, [1, 1, 1, 1, 1]);
    expect(times.map((t) => t.at)).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('refills the burst while a chat is quiet', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    await sendAll(pacer, clock, [1, 1, 1]);
    await clock.sleep(5000);
    const later = await sendAll(pacer, clock, [1, 1, 1, 1]);
    expect(later.map((t) => t.at - 5000)).toEqual([0, 0, 0, 1000]);
  });

  it('keeps a strict gap when a platform allows no burst', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer({ ...TELEGRAM_PACING, perChatBurst: 1 }, clock);
    const times = await sendAll(pacer, clock, [1, 1, 1]);
    expect(times.map((t) => t.at)).toEqual([0, 1000, 2000]);
  });

  it('does not make other chats wait for a busy one', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    const times = await sendAll(pacer, clock, [1, 1, 1, 2, 3]);
    expect(times.filter((t) => t.chat !== '1').map((t) => t.at)).toEqual([0, 0]);
  });

  it('keeps a group to 20 messages per rolling minute', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    const times = (await sendAll(pacer, clock, Array(22).fill(-100123))).map((t) => t.at);
    expect(times[19]).toBe(17_000); // three at once, then one a second
    expect(times[20]).toBeGreaterThanOrEqual(60_000);
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(60_000);
  });

  it('keeps all chats together to 30 messages per second', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    const times = (
      await sendAll(
        pacer,
        clock,
        Array.from({ length: 45 }, (_, i) => i + 1),
      )
    )
      .map((t) => t.at)
      .sort((a, b) => a - b);
    expect(times.filter((t) => t < 1000)).toHaveLength(30);
    for (let i = 30; i < times.length; i++) expect(times[i]! - times[i - 30]!).toBeGreaterThanOrEqual(1000);
  });

  it('holds a chat after a 429 until retry_after has passed', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(TELEGRAM_PACING, clock);
    await pacer.acquire(5);
    pacer.penalize(5, 7000);
    const [held, other] = await sendAll(pacer, clock, [5, 6]);
    expect(held?.at).toBe(7000);
    expect(other?.at).toBe(0);
  });
});
