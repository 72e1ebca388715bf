import { describe, expect, it } from 'vitest';
import {
  cutText,
  cutUtf8,
  cutUtf8Buffer,
  isWellFormed,
  safeIndex,
  shorten,
  shortenUtf8,
  tailText,
  wellFormed,
} from '../../src/text/cut.js';

// Astral characters (two UTF-16 units, four UTF-8 bytes), a BMP character of three bytes, ASCII.
const SAMPLE = 'a😀b🎉c€d𝄞e'.repeat(3);

describe('cutting text on code-point boundaries', () => {
  it('cutText never leaves half an emoji, at every possible limit', () => {
    for (let max = 0; max <= SAMPLE.length + 1; max++) {
      const cut = cutText(SAMPLE, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(isWellFormed(cut)).toBe(true);
      expect(SAMPLE.startsWith(cut)).toBe(true);
      // It only gives up the one unit it must.
      expect(cut.length).toBeGreaterThanOrEqual(Math.min(max, SAMPLE.length) - 1);
    }
  });

  it('tailText and safeIndex keep whole characters at every position', () => {
    for (let n = 0; n <= SAMPLE.length; n++) {
      const tail = tailText(SAMPLE, n);
      expect(tail.length).toBeLessThanOrEqual(n);
      expect(isWellFormed(tail)).toBe(true);
      expect(SAMPLE.endsWith(tail)).toBe(true);
      const i = safeIndex(SAMPLE, n);
      expect(isWellFormed(SAMPLE.slice(0, i))).toBe(true);
      expect(isWellFormed(SAMPLE.slice(i))).toBe(true);
    }
  });

  it('shorten adds its marker within the limit', () => {
    for (let max = 1; max < SAMPLE.length; max++) {
      const s = shorten(SAMPLE, max);
      expect(s.length).toBeLessThanOrEqual(max);
      expect(s.endsWith('…')).toBe(true);
      expect(isWellFormed(s)).toBe(true);
    }
    expect(shorten('short', 10)).toBe('short');
  });

  it('cutUtf8 and shortenUtf8 stay within a byte limit without a broken sequence', () => {
    const bytes = Buffer.byteLength(SAMPLE);
    for (let max = 0; max <= bytes; max++) {
      const cut = cutUtf8(SAMPLE, max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(Buffer.byteLength(cut)).toBeGreaterThan(max - 4);
      expect(cut).not.toContain('\ufffd');
      expect(SAMPLE.startsWith(cut)).toBe(true);
      if (max >= 3) expect(Buffer.byteLength(shortenUtf8(SAMPLE, max))).toBeLessThanOrEqual(max);
    }
  });

  it('cutUtf8Buffer drops a trailing partial sequence', () => {
    const data = Buffer.from(SAMPLE);
    for (let max = 0; max <= data.length; max++) {
      const cut = cutUtf8Buffer(data, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.toString('utf8')).not.toContain('\ufffd');
    }
  });

  it('wellFormed replaces lone surrogates only', () => {
    expect(wellFormed('ok 😀')).toBe('ok 😀');
    expect(wellFormed('half \ud83d')).toBe('half \ufffd');
    expect(wellFormed('\ude00 tail')).toBe('\ufffd tail');
    expect(isWellFormed('half \ud83d')).toBe(false);
  });
});
