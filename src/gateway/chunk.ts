// Splits a reply into pieces a channel accepts (its limits.textMax), preferring paragraph and line
// breaks, and never leaving a ``` code block open at the end of a piece: a block that spans pieces is
// closed and reopened (with its language tag) so every chunk renders on its own. Never emits a chunk
// without content (a platform refuses an empty or fences-only message) and never cuts an emoji in half.

import { safeIndex } from '../text/cut.js';

const FENCE = /^\s*(`{3,}|~{3,})/;
const CLOSE_SEP = 1; // the newline before a closing fence

interface Fence {
  opener: string; // the full opening line, e.g. "```python"
  marker: string; // "```" or "~~~~"
}

/** Splits a single over-long line, preferring spaces, into pieces of at most `size`. */
function splitLongLine(line: string, size: number, preferSpaces: boolean): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > size) {
    let cut = size;
    if (preferSpaces) {
      const space = rest.lastIndexOf(' ', size - 1);
      if (space > size / 2) cut = space + 1;
    }
    cut = Math.max(1, safeIndex(rest, cut));
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}

/** A line a reader would miss: not blank and not just a code fence marker. */
function isContent(line: string): boolean {
  return line.trim() !== '' && !/^\s*(`{3,}|~{3,})[\w+-]*\s*$/.test(line);
}

export function chunkText(text: string, max: number): string[] {
  if (max < 16) throw new Error('chunk size must be at least 16');
  if (text.length <= max) return text.split('\n').some(isContent) ? [text] : [];
  const chunks: string[] = [];
  let lines: string[] = [];
  let length = 0; // length of lines.join('\n')
  let fence: Fence | undefined;
  let hasContent = false;

  const closeLen = () => (fence ? CLOSE_SEP + fence.marker.length : 0);
  const push = (line: string) => {
    length += (lines.length ? 1 : 0) + line.length;
    lines.push(line);
  };
  const flush = () => {
    // A fence opened on the last line has nothing in it yet: it moves to the next chunk.
    const openedEmpty = fence !== undefined && lines.length > 0 && lines[lines.length - 1] === fence.opener;
    const body = openedEmpty ? lines.slice(0, -1) : lines;
    if (hasContent && body.some(isContent)) {
      let out = body.join('\n');
      if (fence && !openedEmpty) out += `\n${fence.marker}`;
      chunks.push(out);
    }
    lines = [];
    length = 0;
    hasContent = false;
    if (fence) push(fence.opener);
  };
  const fits = (line: string, fenceAfter: Fence | undefined) =>
    length + (lines.length ? 1 : 0) + line.length + (fenceAfter ? CLOSE_SEP + fenceAfter.marker.length : 0) <=
    max;

  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    let fenceAfter = fence;
    if (m) {
      const marker = m[1] as string;
      if (!fence) fenceAfter = { opener: line, marker };
      else if (
        marker[0] === fence.marker[0] &&
        marker.length >= fence.marker.length &&
        line.trim() === marker
      )
        fenceAfter = undefined;
    }
    if (!fits(line, fenceAfter)) {
      if (hasContent) flush();
      if (!fits(line, fenceAfter)) {
        // Still too long on a fresh chunk: hard-split the line itself.
        const room = Math.max(1, max - length - (lines.length ? 1 : 0) - closeLen());
        const pieces = splitLongLine(line, room, !fence);
        for (const [i, piece] of pieces.entries()) {
          if (i > 0) flush();
          push(piece);
          hasContent = true;
        }
        fence = fenceAfter;
        continue;
      }
    }
    push(line);
    hasContent = true;
    fence = fenceAfter;
  }
  flush();
  return chunks;
}
