// Keeps a tool result within what is worth sending to the model: the head and tail survive, the
// middle is replaced by a marker saying how much was cut (so the model can ask for a narrower read).

import { cutText, shorten, tailText } from '../../src/text/cut.js';

export const TRUNCATION_MARKER = '[… truncated';

export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = cutText(text, Math.floor(maxChars * 0.6));
  const tail = tailText(text, maxChars - Math.floor(maxChars * 0.6));
  const cut = text.length - head.length - tail.length;
  return `${head}\n${TRUNCATION_MARKER} ${cut} characters …]\n${tail}`;
}

/** The first non-empty line, shortened: for progress lines and compaction summaries. */
export function firstLine(text: string, max = 120): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return shorten(line, max);
}
