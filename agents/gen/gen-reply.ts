// The /gen reply, built by the gateway from what its own checks saw (DESIGN §9.8): verified → the
// function in one fenced block (the tests in a second only when asked) and the last line `verified:
// tests passed (LANGUAGE)`; otherwise the last failure and a last line `not verified: …`, with no code
// presented as working. The model's own text never decides or appears as a verdict.

import type { GenState, Submission } from './gen-tools.js';

/** A fenced block whose fence is longer than any backtick run inside (so code with ``` stays whole). */
export function fence(text: string, tag: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const bar = '`'.repeat(Math.max(3, longest + 1));
  return `${bar}${tag}\n${text.replace(/\s+$/, '')}\n${bar}`;
}

export function verifiedReply(s: Submission, withTests: boolean): string {
  return [
    fence(s.code, s.language),
    ...(withTests ? [fence(s.tests, s.language)] : []),
    `verified: tests passed (${s.language})`,
  ].join('\n\n');
}

/** Code blocks in the model's text are dropped: none of it was run by the gateway. */
function withoutCode(text: string): string {
  return text
    .replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1`*/g, '[code not shown: the gateway never ran it]')
    .replace(/(`{3,})[\s\S]*$/, '[code not shown: the gateway never ran it]')
    .trim();
}

export interface NotVerifiedInput {
  state: GenState;
  maxSubmissions: number;
  /** Why the loop ended early (model failure, step limit), when it did. */
  note?: string;
  /** The model's last text, shown (without code) only when it submitted nothing. */
  modelText?: string;
}

export function notVerifiedReply(o: NotVerifiedInput): string {
  const last = o.state.lastFailure;
  const parts: string[] = [];
  if (!last) {
    if (o.note) parts.push(o.note);
    const said = o.modelText ? withoutCode(o.modelText) : '';
    if (said) parts.push(`The model submitted no code for testing. It said:\n${said}`);
    parts.push('not verified: no code was submitted for the gateway to test');
    return parts.join('\n\n');
  }
  const tries = o.state.attempts === 1 ? 'once' : `${o.state.attempts} times`;
  parts.push(
    `The gateway ran the tests ${tries} and they never passed, so there is no verified code to show.`,
  );
  if (o.note) parts.push(o.note);
  const output = last.verdict.output.trim();
  parts.push(`Last failure (attempt ${last.attempt}): ${last.verdict.summary}`);
  if (output) parts.push(fence(output, 'text'));
  parts.push(
    `not verified: ${last.verdict.summary} (${last.language}, attempt ${last.attempt} of ${o.maxSubmissions})`,
  );
  return parts.join('\n\n');
}
