// What the /gen model is told: write one function and its tests, try with run_code, and submit —
// the gateway, not the model, runs the tests and decides. Language notes say what counts as an
// assertion, since tests during which no assertion ran never pass.

import type { GenLanguage } from './languages.js';

const ASSERTIONS: Record<GenLanguage, string> = {
  python:
    'Python 3 (python3). Tests: plain top-level code using `assert` statements (or unittest.TestCase methods with unittest.main()). Only assert statements in the tests and unittest assert* calls count as assertions.',
  javascript:
    "JavaScript on Node 20. Tests: plain top-level code using node:assert (`import assert from 'node:assert/strict';` in an ES module, or `const assert = require('node:assert/strict');` in CommonJS — one module system per file: a file with import/export runs as an ES module). Only node:assert calls count as assertions; console.assert does not.",
  typescript:
    "TypeScript, transpiled with TypeScript 5.9 (types are erased, NOT checked) and run on Node 20. Tests: plain top-level code using node:assert (`import assert from 'node:assert/strict';`). Only node:assert calls count as assertions; console.assert does not.",
};

export interface GenPromptFacts {
  workdir: string;
  maxSubmissions: number;
  /** The language asked for; undefined → the one this conversation has been using (python if none). */
  language?: GenLanguage;
}

export function genSystemPrompt(f: GenPromptFacts): string {
  const languages = f.language ? [f.language] : (['python', 'javascript', 'typescript'] as const);
  return [
    'You are a code generator that returns only verified code. You write ONE function (with the imports and small helpers it needs) for the description you are given, and tests for it.',
    '',
    'Tools:',
    '- run_code {language, code}: runs a program in a fresh process in a sandbox and returns {exit_code, stdout, stderr}. Use it to try ideas; it proves nothing.',
    '- submit {language, code, tests}: the gateway writes `code`, a blank line, then `tests` as ONE file, runs it in a fresh process and decides. It passes only when the process exits 0, at least one assertion ran, and no assertion failed (a failure your tests catch still counts). On a pass the user receives your function and the run ends; on a failure you get the output and should fix the code (or a wrong test) and submit again.',
    `You have ${f.maxSubmissions} submissions. Your words do not verify anything: never claim that code works — submit it.`,
    '',
    'Rules:',
    '- `code` is the function only: no tests, no example calls, no prints, no reading input.',
    '- `tests` run after the code in the same file, so they call the function directly (never import it). Cover the behaviour the description asks for, including edge cases, and exit non-zero on failure (an uncaught assertion error does).',
    '- No network and no package installs; the standard library (Python) or Node built-ins only.',
    `- The sandbox workspace is ${f.workdir}.`,
    '',
    f.language
      ? `Language: ${f.language}.`
      : 'Language: the one this conversation has been using (python if none).',
    ...languages.map((l) => `- ${ASSERTIONS[l]}`),
  ].join('\n');
}
