// The one Retry-After reader: what each platform's 429 says becomes the wait the outbox, the model
// client and the Daytona provider honour — seconds, an HTTP-date, or Anthropic's retry-after-ms.

import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterValueMs } from '../../src/timing/retry-after.js';

const NOW = Date.parse('2026-11-29T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates (RFC 9110), relative to now', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '7' }), NOW)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Sun, 29 Nov 2026 10:00:30 GMT' }), NOW)).toBe(
      30_000,
    );
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Sun, 29 Nov 2026 09:59:00 GMT' }), NOW)).toBe(0);
  });

  it('prefers retry-after-ms, and reads plain header objects in any letter case', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500', 'retry-after': '2' }), NOW)).toBe(1500);
    expect(parseRetryAfter({ 'Retry-After': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': ['4'] }, NOW)).toBe(4000);
    expect(parseRetryAfter({ 'retry-after': 5 }, NOW)).toBe(5000);
  });

  it('says nothing (undefined, never NaN) when there is nothing usable', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-3' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': '', 'retry-after': '1' }, NOW)).toBe(1000);
    expect(retryAfterValueMs('  ', NOW)).toBeUndefined();
  });
});
