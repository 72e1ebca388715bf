// The reward scheme of Daytona's TRL/GRPO guide (DESIGN §9.5), as pure functions: cut a completion to
// its indented body, refuse banned patterns, build the Python test harness, read its last output line
// and turn it into a reward. Anything the guide scores -1 (error, timeout, unparsable output) is -1 here.

/** One task of a batch (the guide's TASKS entry). */
export interface EvalTask {
  /** Code the completion continues (usually a `def …:` line and a docstring). */
  prompt: string;
  func_name: string;
  /** Python expressions, each one test input; evaluated after random.seed(0). */
  tests: string[];
  /** A Python expression naming the reference function (`sorted`). */
  reference: string;
  /** Case-insensitive substrings that disqualify a completion without running it. */
  banned_patterns?: string[];
}

/** What one item scored; `reward` follows from the rest (see rewardOf). */
export interface EvalResult {
  no_error: boolean;
  num_passed: number;
  num_tests: number;
  reward: number;
  error?: string;
}

/** Python's str.splitlines() line boundaries, so a body is cut exactly where the guide's code cuts it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's line boundaries include these
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
/** Python's str.isspace() characters (str.rstrip() with no argument strips these). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's whitespace includes these
const PY_TRAILING_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

function pySplitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(PY_LINE_BREAK);
  // A trailing line break ends the last line; splitlines() starts no empty one after it.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The guide's sanitize_completion: leading lines that are empty or indented by 4 spaces, right-stripped. */
export function sanitizeCompletion(text: string): string {
  const kept: string[] = [];
  for (const line of pySplitLines(text)) {
    if (line && !line.startsWith('    ')) break;
    kept.push(line);
  }
  return kept.join('\n').replace(PY_TRAILING_SPACE, '');
}

/** The guide's has_banned_pattern: the first banned pattern found (case-insensitive), if any. */
export function bannedPatternIn(body: string, task: EvalTask): string | undefined {
  const lowered = body.toLowerCase();
  return (task.banned_patterns ?? []).find((p) => lowered.includes(p.toLowerCase()));
}

/**
 * The guide's build_test_harness, with two deliberate differences (DESIGN §9.5): `tests` is always a
 * tuple (a trailing comma, so one test is not iterated element by element), and each input is
 * deep-copied for the function and for the reference (the guide's `xs.copy()` fails on inputs that
 * have no copy method, such as numbers and strings). A third: what the function prints while the
 * tests run is discarded, so a chatty but correct completion is not cut off by the sandbox's output
 * cap before the result. Prints one JSON line: {"results": [bool, …]}.
 */
export function buildTestHarness(task: EvalTask, body: string): string {
  const tests = task.tests.length ? `(${task.tests.join(',\n        ')},)` : '()';
  return `${task.prompt}
${body}

import copy as _sandgate_copy
import json
import random
import sys as _sandgate_sys
random.seed(0)

class _SandgateDiscard:
    def write(self, s):
        return len(s)

    def flush(self):
        pass

def _run_tests():
    tests = ${tests}
    results = []
    # What the function prints is not scored: it must not push the result line past the output cap.
    _stdout, _sandgate_sys.stdout = _sandgate_sys.stdout, _SandgateDiscard()
    try:
        for xs in tests:
            try:
                out = ${task.func_name}(_sandgate_copy.deepcopy(xs))
                expected = (${task.reference})(_sandgate_copy.deepcopy(xs))
                results.append(bool(out == expected))
            except Exception:
                results.append(False)
    finally:
        _sandgate_sys.stdout = _stdout
    print(json.dumps({"results": results}))

if __name__ == "__main__":
    _run_tests()
`;
}

/** Python truthiness of a JSON value (the guide counts `sum(bool(x) for x in results)`). */
function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** A result scored -1: the guide's _fail_result(len(task tests)). */
export function failResult(task: EvalTask, error: string): EvalResult {
  return { no_error: false, num_passed: 0, num_tests: task.tests.length, reward: -1, error };
}

/**
 * Scores the harness's stdout (the run had no error): its last non-empty line must be a JSON object
 * whose `results` is a list; num_passed = truthy entries, num_tests = entries; reward = the ratio,
 * 0 when there are no tests. Anything else is -1 ("unparsable output").
 */
export function scoreOutput(task: EvalTask, stdout: string): EvalResult {
  const raw = stdout.trim();
  if (!raw) return failResult(task, 'the code printed nothing');
  const last = raw.split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    return failResult(task, 'unparsable output: the last line is not JSON');
  }
  const results =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? ((parsed as Record<string, unknown>).results ?? [])
      : undefined;
  if (!Array.isArray(results)) return failResult(task, 'unparsable output: no "results" list');
  const passed = results.filter(pyTruthy).length;
  return rewardOf({ no_error: true, num_passed: passed, num_tests: results.length });
}

/** The guide's reward_func for one item: -1 on error, 0 with no tests, else passed/tests. */
export function rewardOf(r: Omit<EvalResult, 'reward'>): EvalResult {
  const reward = !r.no_error ? -1 : r.num_tests === 0 ? 0 : r.num_passed / r.num_tests;
  return { ...r, reward };
}
