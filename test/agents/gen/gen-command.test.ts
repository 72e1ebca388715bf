// `/gen [LANGUAGE] DESCRIPTION` as a person types it: the language word and its aliases, python by
// default, a usage reply for nothing or an unsupported language, and when the tests are asked for.

import { describe, expect, it } from 'vitest';
import { parseGenArgs, wantsTests } from '../../../agents/gen/gen-command.js';

describe('/gen arguments', () => {
  it('reads the language word (and its usual short forms); python without one', () => {
    expect(parseGenArgs('typescript a groupBy function')).toEqual({
      text: 'a groupBy function',
      options: { language: 'typescript' },
    });
    expect(parseGenArgs('JS  chunk an array')).toEqual({
      text: 'chunk an array',
      options: { language: 'javascript' },
    });
    expect(parseGenArgs('py is_prime(n)')).toEqual({ text: 'is_prime(n)', options: { language: 'python' } });
    expect(parseGenArgs('write is_prime(n)')).toEqual({
      text: 'write is_prime(n)',
      options: { language: 'python' },
    });
  });

  it('answers with the usage for no description, and names the languages for one it cannot verify', () => {
    expect(parseGenArgs('')).toMatch(/^Usage: \/gen \[python\|javascript\|typescript\] DESCRIPTION/);
    expect(parseGenArgs('typescript   ')).toMatch(/^Usage: /);
    expect(parseGenArgs('rust a parser')).toMatch(
      /^\/gen writes and tests python, javascript, typescript only, not rust\./,
    );
  });

  it('returns the tests only when the description asks for them', () => {
    expect(wantsTests('groupBy. Return the tests also in a separate code block')).toBe(true);
    expect(wantsTests('a slugify function, and include the tests')).toBe(true);
    expect(wantsTests('is_prime with tests')).toBe(true);
    expect(wantsTests('give me the unit tests too')).toBe(true);
    expect(wantsTests('a function that returns whether n is prime')).toBe(false);
    expect(wantsTests('a test-friendly parser; do not return the tests')).toBe(false);
    expect(wantsTests('count how many tests in a CI log failed')).toBe(false);
  });
});
