import { describe, expect, it } from 'vitest';
import { normaliseInvisible } from '../../src/text/invisible.js';

describe('normalising invisible characters', () => {
  it('drops format characters that hide or split words: ZWSP, word joiner, BOM, bidi controls, tags', () => {
    expect(normaliseInvisible('\u200b/sh ls')).toBe('/sh ls');
    expect(normaliseInvisible('/sh\u2060 ls')).toBe('/sh ls');
    expect(normaliseInvisible('\ufeffAB\u200bCD\u00ad2345')).toBe('ABCD2345');
    expect(normaliseInvisible('safe\u202etxt.exe')).toBe('safetxt.exe');
    expect(normaliseInvisible('a\u200db')).toBe('ab');
    expect(normaliseInvisible('hi\u{e0049}\u{e0047}\u{e004e}')).toBe('hi');
  });

  it('folds no-break and typographic spaces to a plain space, line separators to a newline', () => {
    expect(normaliseInvisible('/sh\u00a0echo\u202fhi\u2009there')).toBe('/sh echo hi there');
    expect(normaliseInvisible('one\u2028two')).toBe('one\ntwo');
  });

  it('keeps joiners that build emoji and shape non-Latin scripts', () => {
    const family = '👨\u200d👩\u200d👧';
    expect(normaliseInvisible(family)).toBe(family);
    const persian = 'می\u200cخواهم';
    expect(normaliseInvisible(persian)).toBe(persian);
  });

  it('is idempotent and leaves ordinary text untouched', () => {
    const s = 'plain text, ümlauts, 😀 and\ttabs\nlines';
    expect(normaliseInvisible(s)).toBe(s);
    const once = normaliseInvisible('\u200bx\u00a0y');
    expect(normaliseInvisible(once)).toBe(once);
  });
});
