// The completion cut and the banned-pattern check agree with the TRL guide's own Python functions, run
// by python3 on the same inputs (line breaks Python knows and JavaScript does not, tabs, trailing space).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bannedPatternIn, sanitizeCompletion, scoreOutput } from '../../src/eval/trl-reward.js';

const GUIDE_PY = `
import json, sys
def sanitize_completion(text):
    lines = text.splitlines()
    kept = []
    for line in lines:
        if line and not line.startswith("    "):
            break
        kept.append(line)
    return "\\n".join(kept).rstrip()
print(json.dumps([sanitize_completion(t) for t in json.load(sys.stdin)]))
`;

const INPUTS = [
  '',
  '\n',
  '    return xs\n',
  '    a = 1\n\n    return a\nprint(1)\n    return 2',
  '\tindented with a tab\n',
  '    x = 1\r\n    y = 2\r\nJunk',
  '    x = 1\u2028    y = 2\u2029end',
  '    x = 1\x0c    y = 2\x1cstop',
  '    return xs   \n   \n\t\n',
  '  two spaces\n',
  '    ok\n  less\n    more',
  '    s = "\u00a0"\u00a0 \n',
];

describe('the TRL guide’s completion handling', () => {
  it('cuts completions exactly where the guide’s Python does', () => {
    const py = spawnSync('python3', ['-c', GUIDE_PY], { input: JSON.stringify(INPUTS), encoding: 'utf8' });
    expect(py.status).toBe(0);
    const expected = JSON.parse(py.stdout) as string[];
    expect(INPUTS.map(sanitizeCompletion)).toEqual(expected);
  });

  it('finds banned patterns case-insensitively', () => {
    const task = {
      prompt: '',
      func_name: 'f',
      tests: [],
      reference: 'sorted',
      banned_patterns: ['Sorted(', 'import '],
    };
    expect(bannedPatternIn('    return SORTED(xs)', task)).toBe('Sorted(');
    expect(bannedPatternIn('    return xs', task)).toBeUndefined();
  });

  it('scores the last output line, and anything unparsable as -1', () => {
    const task = { prompt: '', func_name: 'f', tests: ['1', '2'], reference: 'int' };
    expect(scoreOutput(task, 'noise\n{"results": [true, false, 1, 0]}\n')).toEqual({
      no_error: true,
      num_passed: 2,
      num_tests: 4,
      reward: 0.5,
    });
    expect(scoreOutput(task, '{"results": []}').reward).toBe(0);
    for (const out of ['', '{"results": [true]}\nnot json', '[true]', '{"results": 3}'])
      expect(scoreOutput(task, out)).toMatchObject({ no_error: false, num_tests: 2, reward: -1 });
  });
});
