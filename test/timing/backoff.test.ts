// The one backoff formula: doubling from the first delay up to the cap, jitter only ever shortening
// a delay within its stated fraction, and a loop's backoff starting over after a success.

import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../src/timing/backoff.js';

describe('backoff', () => {
  it('doubles from initialMs and stops at maxMs', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(opts, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps jittered delays within [d·(1-jitter), d]', () => {
    const opts = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };
    expect(backoffDelay(opts, 3, () => 0)).toBe(2000);
    expect(backoffDelay(opts, 3, () => 0.999999)).toBe(4000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(opts, 3);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('a running backoff grows per failure and starts over after reset()', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 50 });
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 40, 50]);
    b.reset();
    expect(b.next()).toBe(10);
  });
});
