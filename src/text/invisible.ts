// Characters a person cannot see: Unicode format characters (Cf — zero-width space, word joiner,
// BOM, bidi controls, tag characters) and the no-break and typographic spaces. Pasted text carries
// them by accident (a ZWSP before `/sh` hid the command) and hostile text on purpose (tags smuggle
// instructions to a model), so inbound text is normalised once, here, before anything reads it.

// ZWJ/ZWNJ join emoji sequences and shape Indic and Arabic scripts: kept between two non-ASCII
// characters, dropped anywhere else (between ASCII letters they only hide things).
const JOINERS = /[\u200c\u200d]/;
// No-break, figure, narrow no-break, en/em/thin/hair … spaces, Ogham and medium mathematical space.
const SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f]/g;
const LINE_BREAKS = /[\u2028\u2029]/g;

const FORMAT_ONE = /^\p{Cf}$/u;

function isNonAscii(ch: string | undefined): boolean {
  return ch !== undefined && (ch.codePointAt(0) ?? 0) > 0x7f && !FORMAT_ONE.test(ch);
}

/**
 * `text` with invisible format characters removed and exotic spaces folded to a plain space
 * (U+2028/2029 to a newline). Joiners inside emoji or non-Latin words survive. Idempotent.
 */
export function normaliseInvisible(text: string): string {
  if (!/[\p{Cf}\u00a0\u1680\u2000-\u200a\u202f\u205f\u2028\u2029]/u.test(text)) return text;
  const chars = [...text];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (JOINERS.test(ch)) {
      if (isNonAscii(lastChar(out)) && isNonAscii(nextVisible(chars, i + 1))) out += ch;
      continue;
    }
    if (FORMAT_ONE.test(ch)) continue;
    out += ch;
  }
  return out.replace(SPACES, ' ').replace(LINE_BREAKS, '\n');
}

/** True when `text` holds a character normaliseInvisible would change. */
export function hasInvisible(text: string): boolean {
  return normaliseInvisible(text) !== text;
}

function lastChar(s: string): string | undefined {
  if (!s) return undefined;
  const cp = s.codePointAt(s.length - 2);
  return cp !== undefined && cp > 0xffff ? s.slice(-2) : s.slice(-1);
}

function nextVisible(chars: string[], from: number): string | undefined {
  for (let i = from; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (!FORMAT_ONE.test(ch)) return ch;
  }
  return undefined;
}
