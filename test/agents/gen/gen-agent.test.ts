// /gen end to end at the agent port: real @anthropic-ai/sdk → the Messages API fake playing the model,
// real local (bubblewrap) sandbox running the checks. What is asserted is what the person gets: one
// reply with the function and `verified: tests passed (LANG)`, or `not verified:` and no code.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenAgent, GEN_THREAD } from '../../../agents/gen/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { lastToolResults, lastToolResultText, reply, text, toolUse } from '../../fakes/anthropic/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { silentLog } from '../../model/helpers.js';
import { localProvider, tempHome } from '../../sandbox/helpers.js';
import {
  genConfig,
  genProvider,
  genTask,
  type ModelHarness,
  runContext,
  startModel,
  userText,
} from './helpers.js';

const MEDIAN_BUGGY = ['def median(xs):', '    xs = sorted(xs)', '    return xs[len(xs) // 2]'].join('\n');
const MEDIAN = [
  'def median(xs):',
  '    xs = sorted(xs)',
  '    n = len(xs)',
  '    mid = n // 2',
  '    return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2',
].join('\n');
const MEDIAN_TESTS = [
  'assert median([3, 1, 2]) == 2',
  'assert median([5]) == 5',
  'assert median([-1, -3, -2]) == -2',
  'assert median([4, 1, 3, 2]) == 2.5',
].join('\n');

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

describe('/gen in a local sandbox', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;
  let m: ModelHarness;

  beforeAll(async () => {
    provider = genProvider(home.home);
    sandbox = await provider.create({ labels: { conversation: 'local:gen-1' } });
    m = await startModel();
  });
  afterAll(async () => {
    await m.close();
    await provider.shutdown();
    home.cleanup();
  });
  /** Requests the model fake received during this test. */
  let seen = 0;
  const requestsNow = () => m.fake.requests.length - seen;
  beforeEach(() => {
    seen = m.fake.requests.length;
  });
  afterEach(() => {
    expect(m.fake.problems).toEqual([]);
    expect(m.fake.remaining()).toBe(0);
  });

  const agent = (agents: Record<string, unknown> = {}) =>
    createGenAgent({ config: genConfig(agents), log: silentLog });

  it('python: a failing first submission goes back to the model; the passing second is the reply, function only', async () => {
    m.fake.push(
      (req) => {
        expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual(['run_code', 'submit']);
        expect(req.body.system[0].text).toMatch(/assert/);
        expect(userText(req)).toContain('Language: python');
        expect(userText(req)).toContain('a median(xs) function');
        return reply(
          text('Trying sorted() first.'),
          toolUse('run_code', { language: 'python', code: 'print(sorted([3, 1, 2]))' }),
        );
      },
      (req) => {
        expect(JSON.parse(lastToolResultText(req))).toEqual({
          exit_code: 0,
          stdout: '[1, 2, 3]\n',
          stderr: '',
        });
        return reply(toolUse('submit', { language: 'python', code: MEDIAN_BUGGY, tests: MEDIAN_TESTS }));
      },
      (req) => {
        const result = [...lastToolResults(req).values()][0];
        expect(result?.isError).toBe(true);
        expect(result?.text).toContain('Attempt 1 of 6 failed: 1 of 4 tests failed.');
        expect(result?.text).toContain('program.py: lines 1–3 are your code, lines 5–8 your tests.');
        expect(result?.text).toContain('assert median([4, 1, 3, 2]) == 2.5');
        return reply(
          text('The even case needs the mean of the middle two.'),
          toolUse('submit', { language: 'python', code: MEDIAN, tests: MEDIAN_TESTS }),
        );
      },
    );
    const task = genTask('a median(xs) function', { language: 'python' });
    const { ctx, progress } = runContext(sandbox, m.model);
    const result = await agent().run(task, ctx);

    expect(result.text).toBe(`\`\`\`python\n${MEDIAN}\n\`\`\`\n\nverified: tests passed (python)`);
    expect(requestsNow()).toBe(3);
    expect(progress.filter((p) => p.kind === 'tool').map((p) => p.text)).toEqual([
      'ran python — exit 0',
      'attempt 1: 1 of 4 tests failed',
      'attempt 2: tests passed (4 assertions)',
    ]);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    const recorded = m.db
      .prepare('SELECT COUNT(*) AS n, SUM(cost_usd) AS cost FROM usage WHERE run_id = ?')
      .get(task.runId) as { n: number; cost: number };
    expect(recorded.n).toBe(3);
    expect(recorded.cost).toBeGreaterThan(0);
    // The run's files are gone from the workspace.
    const left = await sandbox.exec(`test -e .sandgate/gen/${task.runId} && echo left || echo gone`);
    expect(left.stdout.trim()).toBe('gone');
  });

  it('javascript: ES module tests with node:assert, a bare assert() call counted too', async () => {
    const buggy =
      'function chunk(items, size) {\n  const out = [];\n  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, size));\n  return out;\n}';
    const fixed = buggy.replace('items.slice(i, size)', 'items.slice(i, i + size)');
    const tests = [
      "import assert from 'node:assert/strict';",
      'assert.deepEqual(chunk([], 2), []);',
      'assert(Array.isArray(chunk([1], 2)));',
      'assert.deepEqual(chunk([1, 2], 2), [[1, 2]]);',
      'assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);',
    ].join('\n');
    m.fake.push(
      () => reply(toolUse('submit', { language: 'javascript', code: buggy, tests })),
      (req) => {
        expect(lastToolResultText(req)).toContain('1 of 4 tests failed');
        expect(lastToolResultText(req)).toMatch(/AssertionError/);
        return reply(toolUse('submit', { language: 'javascript', code: fixed, tests }));
      },
    );
    const { ctx, progress } = runContext(sandbox, m.model);
    const result = await agent().run(
      genTask('a chunk(items, size) function', { language: 'javascript' }),
      ctx,
    );
    expect(result.text).toBe(`\`\`\`javascript\n${fixed}\n\`\`\`\n\nverified: tests passed (javascript)`);
    expect(progress.map((p) => p.text)).toEqual([
      'attempt 1: 1 of 4 tests failed',
      'attempt 2: tests passed (4 assertions)',
    ]);
  });

  it('typescript: types are erased in the sandbox and the code runs; the second submission is verified', async () => {
    const buggy = [
      'export function groupBy<T, K extends PropertyKey>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {',
      '  const out = {} as Record<K, T[]>;',
      '  for (const item of items) out[key(item)] = [item];',
      '  return out;',
      '}',
    ].join('\n');
    const fixed = buggy.replace('out[key(item)] = [item];', '(out[key(item)] ??= []).push(item);');
    const tests = [
      "import assert from 'node:assert/strict';",
      "interface Pet { name: string; kind: 'cat' | 'dog' }",
      "const pets: Pet[] = [{ name: 'Tom', kind: 'cat' }, { name: 'Rex', kind: 'dog' }, { name: 'Kitty', kind: 'cat' }];",
      'assert.deepEqual(groupBy([] as number[], (x) => x), {});',
      'assert.deepEqual(groupBy([1], (x) => x % 2), { 1: [1] });',
      "assert.deepEqual(Object.keys(groupBy(pets, (p) => p.kind)).sort(), ['cat', 'dog']);",
      "assert.deepEqual(groupBy(pets, (p) => p.kind).cat.map((p) => p.name), ['Tom', 'Kitty']);",
    ].join('\n');
    m.fake.push(
      (req) => {
        expect(req.body.system[0].text).toMatch(/not checked/i);
        return reply(toolUse('submit', { language: 'typescript', code: buggy, tests }));
      },
      (req) => {
        const out = lastToolResultText(req);
        expect(out).toContain('1 of 4 tests failed');
        // The stack trace names the TypeScript file (source maps), not the transpiled JavaScript.
        expect(out).toMatch(/program\.ts:\d+/);
        return reply(toolUse('submit', { language: 'typescript', code: fixed, tests }));
      },
    );
    const { ctx, progress } = runContext(sandbox, m.model);
    const result = await agent().run(genTask('a typed groupBy', { language: 'typescript' }), ctx);
    expect(result.text).toBe(`\`\`\`typescript\n${fixed}\n\`\`\`\n\nverified: tests passed (typescript)`);
    expect(progress.map((p) => p.text)).toEqual([
      'attempt 1: 1 of 4 tests failed',
      'attempt 2: tests passed (4 assertions)',
    ]);
  });

  it('"return the tests also": the tests come back in a second code block', async () => {
    m.fake.push(() => reply(toolUse('submit', { language: 'python', code: MEDIAN, tests: MEDIAN_TESTS })));
    const { ctx } = runContext(sandbox, m.model);
    const result = await agent().run(
      genTask('a median(xs) function. Return the tests also in a separate code block', {
        language: 'python',
      }),
      ctx,
    );
    expect(result.text).toBe(
      `\`\`\`python\n${MEDIAN}\n\`\`\`\n\n\`\`\`python\n${MEDIAN_TESTS}\n\`\`\`\n\nverified: tests passed (python)`,
    );
  });

  it('failing code whose text claims success → not verified, with the failure and without the code', async () => {
    m.fake.push(
      () =>
        reply(
          text('Here is a tested, working median. All tests pass.'),
          toolUse('submit', { language: 'python', code: MEDIAN_BUGGY, tests: MEDIAN_TESTS }),
        ),
      () => reply(text('Verified: all tests pass! ```python\n' + MEDIAN_BUGGY + '\n```')),
    );
    const { ctx } = runContext(sandbox, m.model);
    const result = await agent().run(genTask('a median(xs) function', { language: 'python' }), ctx);
    expect(lastLine(result.text)).toBe('not verified: 1 of 4 tests failed (python, attempt 1 of 6)');
    expect(result.text).not.toContain('verified: tests passed');
    expect(result.text).not.toContain('def median');
    expect(result.text).not.toContain('All tests pass');
    expect(result.text).toContain('AssertionError');
  });

  it('stops at agents.genMaxIterations submissions without asking the model again', async () => {
    const submitBuggy = () =>
      reply(
        text('This should pass.'),
        toolUse('submit', { language: 'python', code: MEDIAN_BUGGY, tests: MEDIAN_TESTS }),
      );
    m.fake.push(submitBuggy, (req) => {
      expect(lastToolResultText(req)).toContain('1 submission left');
      return submitBuggy();
    });
    const { ctx, progress } = runContext(sandbox, m.model);
    const result = await agent({ genMaxIterations: 2 }).run(
      genTask('a median(xs) function', { language: 'python' }),
      ctx,
    );
    expect(requestsNow()).toBe(2);
    expect(lastLine(result.text)).toBe('not verified: 1 of 4 tests failed (python, attempt 2 of 2)');
    expect(result.text).toContain('The gateway ran the tests 2 times and they never passed');
    expect(progress.map((p) => p.text).filter((t) => t.startsWith('attempt'))).toEqual([
      'attempt 1: 1 of 4 tests failed',
      'attempt 2: 1 of 4 tests failed',
    ]);
  });

  it('tests that assert nothing are not a pass', async () => {
    m.fake.push(
      () => reply(toolUse('submit', { language: 'python', code: MEDIAN, tests: 'print(median([3, 1, 2]))' })),
      (req) => {
        expect(lastToolResultText(req)).toContain('no assertion ran');
        return reply(text('It printed 2, so it works.'));
      },
    );
    const { ctx, progress } = runContext(sandbox, m.model);
    const result = await agent().run(genTask('a median(xs) function', { language: 'python' }), ctx);
    expect(progress.map((p) => p.text)).toContain(
      'attempt 1: no assertion ran — tests that check nothing (or are never called) do not count as passing',
    );
    expect(lastLine(result.text)).toMatch(/^not verified: no assertion ran/);
    expect(result.text).not.toContain('def median');
  });

  it('a model that never submits gets no verdict of its own: not verified, its code blocks not shown', async () => {
    m.fake.push(() =>
      reply(text('Which median do you want for even lengths?\n```python\ndef median(xs): ...\n```')),
    );
    const { ctx } = runContext(sandbox, m.model);
    const result = await agent().run(genTask('a median function', { language: 'python' }), ctx);
    expect(result.text).toContain('Which median do you want for even lengths?');
    expect(result.text).not.toContain('def median');
    expect(lastLine(result.text)).toBe('not verified: no code was submitted for the gateway to test');
  });

  it('/cancel stops a running check: the test process is killed and the run ends', async () => {
    const ac = new AbortController();
    const tests = "import time\nopen('gen-started', 'w').close()\ntime.sleep(120)\nassert median([1]) == 1";
    m.fake.push(() => reply(toolUse('submit', { language: 'python', code: MEDIAN, tests })));
    const { ctx } = runContext(sandbox, m.model, ac.signal);
    const running = agent().run(genTask('a median(xs) function', { language: 'python' }), ctx);
    await waitFor(
      async () => (await sandbox.exec('test -e gen-started')).exitCode === 0,
      'the check to start',
      20_000,
    );
    ac.abort();
    const result = await running;
    expect(result.text).toBe('Cancelled.');
    const alive = async () =>
      (await sandbox.exec("grep -l 'chec[k].py' /proc/[0-9]*/cmdline 2>/dev/null || true")).stdout.trim();
    await waitFor(async () => (await alive()) === '', 'the test process to be gone');
    await sandbox.exec('rm -f gen-started');
  });

  it('a follow-up continues the thread and names no language: the model’s submission decides it', async () => {
    const threads = new Map<string, unknown>();
    const store = {
      load: (key: string, name: string) => threads.get(`${key}/${name}`) as never,
      save: (key: string, name: string, messages: unknown) => void threads.set(`${key}/${name}`, messages),
    };
    const withThreads = createGenAgent({ config: genConfig(), log: silentLog, threads: store });
    m.fake.push(
      () =>
        reply(
          toolUse('submit', {
            language: 'javascript',
            code: 'const twice = (n) => 2 * n;',
            tests: "const assert = require('assert');\nassert.equal(twice(2), 4);",
          }),
        ),
      (req) => {
        // The earlier submission is in the thread the model is sent.
        expect(JSON.stringify(req.body.messages)).toContain('const twice = (n) => 2 * n;');
        expect(userText(req)).toContain('now make it handle strings');
        return reply(
          toolUse('submit', {
            language: 'javascript',
            code: 'const twice = (x) => (typeof x === "string" ? x + x : 2 * x);',
            tests:
              "const assert = require('assert');\nassert.equal(twice('a'), 'aa');\nassert.equal(twice(2), 4);",
          }),
        );
      },
    );
    await withThreads.run(
      genTask('javascript a twice(n) function', {}, 'local:gen-thread'),
      runContext(sandbox, m.model).ctx,
    );
    expect(threads.has(`local:gen-thread/${GEN_THREAD}`)).toBe(true);
    const second = await withThreads.run(
      genTask('now make it handle strings', {}, 'local:gen-thread'),
      runContext(sandbox, m.model).ctx,
    );
    expect(lastLine(second.text)).toBe('verified: tests passed (javascript)');
  });
});

describe('/gen where node cannot start', () => {
  const home = tempHome();
  let provider: LocalSandboxProvider;
  let m: ModelHarness;

  beforeAll(async () => {
    // 512 MB of address space per process: too little for V8 (it reserves ~750 MB at start).
    provider = localProvider(home.home);
    m = await startModel();
  });
  afterAll(async () => {
    await m.close();
    await provider.shutdown();
    home.cleanup();
  });

  it('says so before any model call instead of failing every submission', async () => {
    const sandbox = await provider.create({ labels: { conversation: 'local:gen-small' } });
    const { ctx } = runContext(sandbox, m.model);
    const agent = createGenAgent({ config: genConfig(), log: silentLog });
    const result = await agent.run(genTask('a chunk function', { language: 'javascript' }), ctx);
    expect(result.text).toMatch(/^not verified: node is installed but cannot start in this sandbox/);
    expect(result.text).toContain('sandbox.local.memoryMb');
    expect(m.fake.requests).toHaveLength(0);
  });
});
