// What the loop takes from a model reply and gives back to it: the FIRST fenced Python block (```python,
// ```py or a bare fence; other languages are skipped) and the run's output, head and tail kept past a
// limit with the omitted count. A reply without such a block yields undefined (the loop nudges).

import type { CodeRunResult } from '../../src/sandbox/provider.js';
import { cutText, tailText } from '../../src/text/cut.js';

/** Output longer than this goes back to the model as its head and tail (DESIGN §9.3). */
export const OUTPUT_MAX_CHARS = 10_000;

const FENCE = /(?:^|\n)[ \t]*(`{3,})[ \t]*([\w+.-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\1[ \t]*(?=\n|$)/g;
const PYTHON_TAGS = new Set(['python', 'py', 'python3', '']);

/** The code of the first fenced Python block of `reply`, or undefined when it has none. */
export function firstPythonBlock(reply: string): string | undefined {
  for (const m of reply.matchAll(FENCE)) {
    const tag = (m[2] ?? '').toLowerCase();
    const code = m[3] ?? '';
    if (PYTHON_TAGS.has(tag) && code.trim()) return code;
  }
  return undefined;
}

/** `text` as is when short; else its head and tail with `[… N characters omitted …]` between. */
export function headTail(text: string, max = OUTPUT_MAX_CHARS): string {
  if (text.length <= max) return text;
  const head = cutText(text, Math.floor(max / 2));
  const tail = tailText(text, max - head.length);
  return `${head}\n[… ${text.length - head.length - tail.length} characters omitted …]\n${tail}`;
}

/** One code run as the model reads it: stdout, stderr, the error with its traceback. */
export function describeRun(r: CodeRunResult): string {
  const parts: string[] = [];
  if (r.stdout) parts.push(headTail(r.stdout).trimEnd());
  if (r.stderr) parts.push(`[stderr]\n${headTail(r.stderr).trimEnd()}`);
  if (r.error) {
    const tb = r.error.traceback?.trim();
    parts.push(tb ? headTail(tb) : `${r.error.name}: ${r.error.value}`);
    if (r.timedOut) parts.push(`(${r.error.value})`);
  }
  return parts.length ? parts.join('\n') : '(no output — print() what you want to see)';
}

/** A CodeError as the one line kept in the tree. */
export function errorLine(r: CodeRunResult): string | null {
  return r.error ? `${r.error.name}: ${r.error.value}` : null;
}
