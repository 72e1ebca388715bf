// The output cap tells the truth about what it dropped: the right amount when it saw it, no number
// when the producer cut the stream itself, and never half a UTF-8 character at the cut.
import { describe, expect, it } from 'vitest';
import { CappedBuffer, capText, TailBuffer } from '../../src/sandbox/output-cap.js';

describe('output cap', () => {
  it('counts every dropped byte, in readable units', () => {
    const buf = new CappedBuffer(1024 * 1024);
    for (let i = 0; i < 4; i++) buf.push(Buffer.alloc(1024 * 1024, 'a'));
    const text = buf.text();
    expect(text.startsWith('aaaa')).toBe(true);
    expect(text).toContain('output truncated: 3.0 MiB more not shown');
  });

  it('says no number when the producer dropped bytes it did not count (never "1 more bytes")', () => {
    const cap = 1024 * 1024;
    const buf = new CappedBuffer(cap);
    // The sandbox supervisor sends one byte past the cap, then stops and flags the stream.
    buf.push(Buffer.alloc(cap + 1, 'a'));
    buf.markTruncated();
    const text = buf.text();
    expect(text).not.toMatch(/\b1 more bytes?\b/);
    expect(text).not.toMatch(/\d+ B more/);
    expect(text).toContain('output truncated after 1.0 MiB; the rest was not kept');
  });

  it('never ends the kept part with half a character', () => {
    for (let cap = 1; cap < 12; cap++) {
      const buf = new CappedBuffer(cap);
      buf.push(Buffer.from('😀é😀é😀'));
      const text = buf.text();
      expect(text).not.toContain('\ufffd');
      const t = capText('😀é😀é😀', cap);
      expect(t).not.toContain('\ufffd');
    }
  });

  it('a tail buffer drops whole characters at its start and says how much it dropped', () => {
    const tail = new TailBuffer(5);
    tail.push(Buffer.from('😀😀😀'));
    const text = tail.text();
    expect(text).not.toContain('\ufffd');
    expect(text).toMatch(/^\[… 8 B of earlier output not kept\]\n😀$/);
  });
});
