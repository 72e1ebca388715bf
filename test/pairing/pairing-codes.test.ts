import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, generateCode, normaliseCode } from '../../pairing/pairing-codes.js';

describe('pairing codes', () => {
  it('are 8 characters from the look-alike-free alphabet', () => {
    expect(CODE_ALPHABET).toBe('ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
    expect(CODE_LENGTH).toBe(8);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
      for (const ch of code) seen.add(ch);
    }
    // Every character of the alphabet shows up, and nothing else (no 0, O, 1, I).
    expect([...seen].sort().join('')).toBe([...CODE_ALPHABET].sort().join(''));
  });

  it('differ from one another', () => {
    const codes = new Set(Array.from({ length: 500 }, () => generateCode()));
    expect(codes.size).toBe(500);
  });

  it('accept lower case, spaces and dashes as typed by a person', () => {
    expect(normaliseCode('abcd2345')).toBe('ABCD2345');
    expect(normaliseCode(' abcd 2345 ')).toBe('ABCD2345');
    expect(normaliseCode('ABCD-2345')).toBe('ABCD2345');
  });

  it('accept a code pasted with invisible characters or no-break spaces (CLI and chat alike)', () => {
    expect(normaliseCode('\ufeffABCD\u200b2345\u2060')).toBe('ABCD2345');
    expect(normaliseCode('ABCD\u00a02345')).toBe('ABCD2345');
  });

  it('refuse malformed codes', () => {
    for (const bad of ['', 'ABC', 'ABCD23456', 'ABCD234O', 'ABCD2341', 'ABCDI234', 'ABCD23!5', 'ÄBCD2345']) {
      expect(normaliseCode(bad), bad).toBeUndefined();
    }
  });
});
