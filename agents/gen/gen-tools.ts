// The two tools /gen offers the model (DESIGN §9.8): run_code {language, code} → {exit_code, stdout,
// stderr}, to try things; submit {language, code, tests}, which the GATEWAY checks and judges. A pass
// or the last allowed submission ends the loop at once (the model is not asked again).

import { z } from 'zod';
import { defineTool, type LoopTool, type ToolOutcome } from '../tool-loop/tool.js';
import { truncateMiddle } from '../tool-loop/truncate.js';
import type { GenSandbox } from './gen-sandbox.js';
import { GEN_LANGUAGES, type GenLanguage } from './languages.js';
import { judge, type Verdict } from './verdict.js';

/** Submitted code and tests, each; the gateway parses TypeScript itself where nothing is mounted. */
const MAX_SOURCE_CHARS = 100_000;
const OUTPUT_CHARS = 8000;

export interface Submission {
  attempt: number;
  language: GenLanguage;
  code: string;
  tests: string;
  verdict: Verdict;
}

/** What the run's submissions came to; the reply is built from this, never from the model's text. */
export interface GenState {
  attempts: number;
  verified?: Submission;
  lastFailure?: Submission;
}

export interface GenToolsOptions {
  runner: GenSandbox;
  state: GenState;
  maxSubmissions: number;
  /** The language asked for; undefined (a follow-up that named none) accepts any of the three. */
  language?: GenLanguage;
  timeoutMs: number;
}

const source = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(MAX_SOURCE_CHARS, `${what} is over ${MAX_SOURCE_CHARS} characters`);

export function genTools(o: GenToolsOptions): LoopTool[] {
  const { runner, state } = o;

  const runCode = defineTool({
    name: 'run_code',
    description:
      'Run a program in a fresh process in the sandbox (python3; node; TypeScript transpiled without type checking, then node) and get {exit_code, stdout, stderr}. For trying things; it verifies nothing — only submit does.',
    input: z.object({ language: z.enum(GEN_LANGUAGES), code: source('code') }),
    async run({ language, code }): Promise<ToolOutcome> {
      const missing = await runner.unavailable(language);
      if (missing) return { content: missing, isError: true, progress: `run_code: ${missing}` };
      const out = await runner.run(language, code);
      const stderr = out.timedOut
        ? `${out.stderr}\n[timed out after ${Math.round(o.timeoutMs / 1000)} s]`
        : out.stderr;
      return {
        content: JSON.stringify({
          exit_code: out.exitCode,
          stdout: truncateMiddle(out.stdout, OUTPUT_CHARS),
          stderr: truncateMiddle(stderr, OUTPUT_CHARS),
        }),
        progress: `ran ${language} — exit ${out.exitCode}${out.timedOut ? ' (timed out)' : ''}`,
      };
    },
  });

  const submit = defineTool({
    name: 'submit',
    description:
      'Submit the function (code: the function with the imports and helpers it needs, nothing else) and its tests (plain code that calls it and checks results with assertions, exiting non-zero on failure). The gateway appends the tests after the code as ONE file, runs it in a fresh process and decides: it passes only if the process exits 0, at least one assertion ran and none failed. On a pass the user gets the code and you are done; on a failure you get the output to fix it.',
    input: z.object({ language: z.enum(GEN_LANGUAGES), code: source('code'), tests: source('tests') }),
    async run({ language, code, tests }): Promise<ToolOutcome> {
      if (state.verified) return { content: 'Already verified; nothing more to do.', final: true };
      if (state.attempts >= o.maxSubmissions)
        return { content: 'No submissions left.', isError: true, final: true };
      const attempt = ++state.attempts;
      let verdict: Verdict;
      let where = '';
      const missing = await runner.unavailable(language);
      if (o.language && language !== o.language) {
        verdict = {
          passed: false,
          summary: `submitted ${language}, but the task asks for ${o.language}`,
          output: '',
        };
      } else if (missing) {
        verdict = { passed: false, summary: missing, output: '' };
      } else {
        try {
          const out = await runner.check(language, code, tests);
          verdict = judge(out, o.timeoutMs);
          where = `${out.file}: lines 1–${out.codeLines} are your code, lines ${out.testsFrom}–${out.testsTo} your tests. exit code ${out.exitCode}.`;
        } catch (err) {
          // The sandbox failed, not the code: still a submission that did not pass.
          const why = err instanceof Error ? err.message : String(err);
          verdict = {
            passed: false,
            summary: `the sandbox could not run it: ${why.split('\n')[0]}`,
            output: '',
          };
        }
      }
      const submission: Submission = { attempt, language, code, tests, verdict };
      const progress = `attempt ${attempt}: ${verdict.summary}`;
      if (verdict.passed) {
        state.verified = submission;
        return {
          content: `Verified: ${verdict.summary}. The gateway sends the code to the user now.`,
          progress,
          final: true,
        };
      }
      state.lastFailure = submission;
      const left = o.maxSubmissions - attempt;
      return {
        content: [
          `Attempt ${attempt} of ${o.maxSubmissions} failed: ${verdict.summary}.`,
          where,
          verdict.output,
          left > 0
            ? `Fix the function (or the tests, if they are wrong) and call submit again; ${left} submission${left === 1 ? '' : 's'} left.`
            : 'That was the last submission.',
        ]
          .filter(Boolean)
          .join('\n'),
        isError: true,
        progress,
        ...(left > 0 ? {} : { final: true }),
      };
    },
  });

  return [runCode, submit];
}
