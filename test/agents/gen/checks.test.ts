// How the gateway's check judges a program, per language, in a real local sandbox (and on Daytona via
// its fake): what counts as an assertion, that a failure the tests swallow still fails, that tests
// which check nothing fail, that an early exit without the checker's report fails. No model here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckOutput, GenSandbox } from '../../../agents/gen/gen-sandbox.js';
import type { GenLanguage } from '../../../agents/gen/languages.js';
import { judge } from '../../../agents/gen/verdict.js';
import type { SandboxProvider } from '../../../src/sandbox/provider.js';
import type { DaytonaSandboxProvider } from '../../../src/sandbox/providers/daytona/daytona-provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { type FakeDaytona, startFakeDaytona } from '../../fakes/daytona/server.js';
import { silentLog } from '../../model/helpers.js';
import { daytonaProvider, tempHome } from '../../sandbox/helpers.js';
import { genProvider } from './helpers.js';

const TIMEOUT_MS = 20_000;

function checker(provider: () => SandboxProvider, timeoutMs = TIMEOUT_MS) {
  let runner: GenSandbox | undefined;
  let runId = 1;
  const check = async (language: GenLanguage, code: string, tests: string) => {
    if (!runner) {
      const sandbox = await provider().create({ labels: { test: 'gen-checks' } });
      runner = new GenSandbox({
        sandbox,
        runId: runId++,
        timeoutMs,
        signal: new AbortController().signal,
        log: silentLog,
      });
    }
    const out: CheckOutput = await runner.check(language, code, tests);
    return { out, verdict: judge(out, timeoutMs) };
  };
  /** Removes the run's files and stops the gateway-side transpiler, if one started. */
  check.close = async () => runner?.cleanup();
  return check;
}

describe('gen checks in a bubblewrap sandbox', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  const check = checker(() => provider);

  beforeAll(() => {
    provider = genProvider(home.home);
  });
  afterAll(async () => {
    await check.close();
    await provider.shutdown();
    home.cleanup();
  });

  describe('python', () => {
    const code = 'def double(x):\n    return 2 * x';

    it('a failed assert the tests catch still fails the check, though the program exits 0', async () => {
      const tests =
        'assert double(2) == 4\ntry:\n    assert double(3) == 7\nexcept AssertionError:\n    print("ignored")';
      const { out, verdict } = await check('python', code, tests);
      expect(out.exitCode).toBe(0);
      expect(verdict).toMatchObject({ passed: false, summary: '1 of 2 tests failed' });
    });

    it('unittest assertions count; unittest.main() runs as it would for `python3 program.py`', async () => {
      const tests = [
        'import unittest',
        'class T(unittest.TestCase):',
        '    def test_double(self):',
        '        self.assertEqual(double(2), 4)',
        '        self.assertTrue(double(0) == 0)',
        'unittest.main()',
      ].join('\n');
      const { verdict } = await check('python', code, tests);
      expect(verdict).toMatchObject({ passed: true, summary: 'tests passed (2 assertions)' });
    });

    it('zero tests collected, or asserts only in the function itself, is no assertion', async () => {
      const empty = await check(
        'python',
        code,
        'import unittest\nclass T(unittest.TestCase):\n    pass\nunittest.main(exit=False)',
      );
      expect(empty.verdict.passed).toBe(false);
      expect(empty.verdict.summary).toMatch(/^no assertion ran/);
      const guarded = 'def double(x):\n    assert isinstance(x, int)\n    return 2 * x';
      const inside = await check('python', guarded, 'print(double(2))');
      expect(inside.verdict.summary).toMatch(/^no assertion ran/);
    });

    it('a program that leaves without the checker (os._exit) fails', async () => {
      const { out, verdict } = await check('python', code, 'import os\nassert double(1) == 2\nos._exit(0)');
      expect(out.exitCode).toBe(0);
      expect(out.tally).toBeUndefined();
      expect(verdict.passed).toBe(false);
      expect(verdict.summary).toMatch(/ended without the checker’s report/);
    });

    it('a syntax error names its line in the program, not the checker', async () => {
      const { verdict } = await check('python', 'def double(x:\n    return 2 * x', 'assert double(1) == 2');
      expect(verdict.summary).toMatch(/^exit code 1: SyntaxError: /);
      expect(verdict.output).toContain('program.py", line 1');
      expect(verdict.output).not.toContain('ast.py');
    });
  });

  describe('javascript', () => {
    const code = 'function double(x) {\n  return 2 * x;\n}';

    it('CommonJS: require("assert") calls count, a swallowed failure fails, require.main is the program', async () => {
      const tests = [
        "const assert = require('node:assert');",
        'if (require.main !== module) process.exit(3);',
        'assert(double(1) === 2);',
        'try { assert.strictEqual(double(2), 5); } catch {}',
      ].join('\n');
      const { out, verdict } = await check('javascript', code, tests);
      expect(out.exitCode).toBe(0);
      expect(verdict).toMatchObject({ passed: false, summary: '1 of 2 tests failed' });
    });

    it('named ESM imports, assert/strict and awaited rejects all count', async () => {
      const tests = [
        "import { strictEqual } from 'node:assert';",
        "import strict from 'assert/strict';",
        'strictEqual(double(2), 4);',
        'strict.equal(double(3), 6);',
        "await strict.rejects(Promise.reject(new Error('no')));",
      ].join('\n');
      const { verdict } = await check('javascript', code, tests);
      expect(verdict).toMatchObject({ passed: true, summary: 'tests passed (3 assertions)' });
    });

    it('console.assert is not an assertion', async () => {
      const { verdict } = await check('javascript', code, 'console.assert(double(2) === 4);');
      expect(verdict.summary).toMatch(/^no assertion ran/);
    });

    it('node:test: a failing test fails the check', async () => {
      const tests = [
        "import test from 'node:test';",
        "import assert from 'node:assert/strict';",
        "test('doubles', () => { assert.equal(double(2), 4); assert.equal(double(3), 7); });",
      ].join('\n');
      const { verdict } = await check('javascript', code, tests);
      expect(verdict).toMatchObject({ passed: false, summary: '1 of 2 tests failed' });
    });

    it('an uncaught error that is not an assertion is named', async () => {
      const { verdict } = await check(
        'javascript',
        code,
        "import assert from 'node:assert';\nassert.ok(true);\nnull.x;",
      );
      expect(verdict.passed).toBe(false);
      expect(verdict.summary).toMatch(/^exit code 1: TypeError: Cannot read properties of null/);
      expect(verdict.summary).toContain('(1 assertion passed before it)');
    });
  });

  it('a check that runs past the time limit fails as timed out', async () => {
    const quick = checker(() => provider, 2000);
    const { verdict } = await quick(
      'python',
      'def f():\n    return 1',
      'import time\nassert f() == 1\ntime.sleep(60)',
    );
    expect(verdict).toMatchObject({ passed: false, summary: 'timed out after 2 s' });
  });
});

describe('typescript where nothing is mounted: the gateway transpiles', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  // isolation "none" has no /opt/typescript: the code the sandbox runs was transpiled here.
  const check = checker(() => provider);

  beforeAll(() => {
    provider = genProvider(home.home, { isolation: 'none' });
  });
  afterAll(async () => {
    await check.close();
    await provider.shutdown();
    home.cleanup();
  });

  it('runs typed code and reports a syntax error in the in-sandbox format', async () => {
    const code = 'export function area(r: number): number {\n  return Math.PI * r ** 2;\n}';
    const ok = await check(
      'typescript',
      code,
      "import assert from 'node:assert/strict';\nassert.equal(area(0), 0);",
    );
    expect(ok.verdict).toMatchObject({ passed: true, summary: 'tests passed (1 assertion)' });
    const bad = await check('typescript', code, 'let y: number = ;');
    expect(bad.verdict.summary).toBe('exit code 1: program.ts(5,17): error TS1109: Expression expected.');
  });
});

describe('on Daytona (the real SDK against the Daytona fake): no mount, the gateway transpiles', () => {
  let fake: FakeDaytona;
  let provider: DaytonaSandboxProvider;
  const check = checker(() => provider);

  beforeAll(async () => {
    fake = await startFakeDaytona();
    provider = daytonaProvider(fake);
  });
  afterAll(async () => {
    await check.close();
    await fake.close();
  });

  it('checks TypeScript and Python the same way (stdout and stderr arrive merged there)', async () => {
    const code = 'export const half = (n: number): number => n / 2;';
    const ok = await check(
      'typescript',
      code,
      "import assert from 'node:assert/strict';\nassert.equal(half(4), 2);",
    );
    expect(ok.verdict).toMatchObject({ passed: true, summary: 'tests passed (1 assertion)' });
    const failing = await check(
      'typescript',
      code,
      "import assert from 'node:assert/strict';\nassert.equal(half(4), 3);",
    );
    expect(failing.verdict.summary).toBe('1 of 1 test failed');
    expect(failing.verdict.output).toContain('AssertionError');
    const py = await check('python', 'def half(n):\n    return n / 2', 'assert half(4) == 2');
    expect(py.verdict.passed).toBe(true);
  });
});
