// The gateway's verdict on one check — the model's word never enters it. Passed means: the process
// exited 0 in time, the harness wrote its tally, at least one assertion ran and none failed (a failure
// the tests caught and swallowed still counts). Anything else is a failure with a one-line reason.

import { shorten } from '../../src/text/cut.js';
import { truncateMiddle } from '../tool-loop/truncate.js';
import type { CheckOutput } from './gen-sandbox.js';

export interface Verdict {
  passed: boolean;
  /** One line: `tests passed (4 assertions)`, `1 of 4 tests failed`, `no assertion ran`, … */
  summary: string;
  /** What the program printed (stderr first), trimmed, for the model and the last-failure report. */
  output: string;
}

const ERROR_LINE = /^[A-Za-z_$][\w.$]*(?:Error|Exception|Exit|Interrupt)\b(?: \[[A-Z_]+\])?:?/;

/** The line that names the error: Python's last `XError: …`, Node's `XError [CODE]: …`, else the last line. */
export function errorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0 && !/^Node\.js v\d/.test(l));
  const named = lines.filter((l) => ERROR_LINE.test(l));
  const line = named[named.length - 1] ?? lines[lines.length - 1] ?? '';
  return shorten(line, 200);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function judge(out: CheckOutput, timeoutMs: number): Verdict {
  const output = [
    out.stderr.trim() ? `stderr:\n${truncateMiddle(out.stderr.trimEnd(), 6000)}` : '',
    out.stdout.trim() ? `stdout:\n${truncateMiddle(out.stdout.trimEnd(), 3000)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const fail = (summary: string): Verdict => ({ passed: false, summary, output });
  const t = out.tally;
  if (out.timedOut) return fail(`timed out after ${Math.round(timeoutMs / 1000)} s`);
  if (t && t.failed > 0) return fail(`${t.failed} of ${plural(t.ran, 'test')} failed`);
  if (out.exitCode !== 0) {
    const before = t && t.ran > 0 ? ` (${plural(t.ran, 'assertion')} passed before it)` : '';
    const why = errorLine(out.stderr) || errorLine(out.stdout);
    return fail(`exit code ${out.exitCode}${why ? `: ${why}` : ''}${before}`);
  }
  if (!t)
    return fail(
      'the program ended without the checker’s report (did it exit the process early, e.g. os._exit or process.reallyExit?)',
    );
  if (t.ran === 0)
    return fail('no assertion ran — tests that check nothing (or are never called) do not count as passing');
  return { passed: true, summary: `tests passed (${plural(t.ran, 'assertion')})`, output };
}
